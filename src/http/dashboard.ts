/**
 * The dashboard app (examples/dashboard) for the demo: built with Vite when
 * its build is missing or older than its sources, then served as static
 * files under /dashboard/ of the subgraph, the same origin as /graphql (so
 * the browser needs no CORS and the WebSocket URL is the page's own).
 */
import { createReadStream, existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the app's sources live, from this file (src/http/ or dist/src/http/). */
export const dashboardAppDir = resolve(fileURLToPath(new URL('.', import.meta.url)), existsSync(fileURLToPath(new URL('../../examples/dashboard', import.meta.url))) ? '../../examples/dashboard' : '../../../examples/dashboard');

export const DASHBOARD_PREFIX = '/dashboard/';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

/** The newest modification time (ms) of the app's sources. */
function sourcesTime(appDir: string): number {
  let newest = 0;
  const visit = (path: string) => {
    const s = statSync(path);
    if (s.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    else newest = Math.max(newest, s.mtimeMs);
  };
  for (const name of ['src', 'index.html', 'vite.config.ts', 'package.json']) if (existsSync(join(appDir, name))) visit(join(appDir, name));
  return newest;
}

export interface DashboardBuild {
  /** The directory of the built files. */
  dir: string;
  /** How long the build took, or null when an up-to-date build was there. */
  builtMs: number | null;
}

/**
 * The app's build directory, building it first when it is missing or
 * older than the sources. Null when the app or Vite is not installed (a
 * production install has neither), with the reason.
 */
export async function prepareDashboard(appDir = dashboardAppDir): Promise<DashboardBuild | { dir: null; reason: string }> {
  if (!existsSync(join(appDir, 'index.html'))) return { dir: null, reason: `no dashboard sources at ${appDir}` };
  const outDir = join(appDir, 'dist');
  const built = join(outDir, 'index.html');
  if (existsSync(built) && statSync(built).mtimeMs >= sourcesTime(appDir)) return { dir: outDir, builtMs: null };
  let viteBin: string;
  try {
    viteBin = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  } catch {
    return { dir: null, reason: 'Vite is not installed (npm install with dev dependencies builds the dashboard)' };
  }
  const started = performance.now();
  // Built beside the old build and swapped in, so a server already serving the old one never sees half a build.
  // In a child process: Vite's bundler does not run inside a VM context (e.g. under Jest).
  const tmp = join(appDir, `.dist-${process.pid}`);
  await run(process.execPath, [viteBin, 'build', '--outDir', tmp, '--emptyOutDir', '--logLevel', 'warn'], appDir);
  rmSync(outDir, { recursive: true, force: true });
  try {
    renameSync(tmp, outDir);
  } catch (error) {
    // Another process built it at the same time and swapped its build in first: use that one.
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(built)) throw error;
  }
  return { dir: outDir, builtMs: Math.round(performance.now() - started) };
}

/** Runs a command to completion; rejects with its output when it fails. */
function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    execFile(command, args, { cwd, maxBuffer: 4 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`dashboard build failed: ${error.message}\n${stdout}${stderr}`.slice(0, 4000))) : resolvePromise(),
    );
  });
}

/** True for the paths the dashboard answers: /dashboard and /dashboard/…. */
export function isDashboardPath(pathname: string): boolean {
  return pathname === '/dashboard' || pathname.startsWith(DASHBOARD_PREFIX);
}

/** Answers a GET or HEAD for a file of the built app; 404 outside it. */
export function serveDashboard(dir: string, pathname: string, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  if (pathname === '/dashboard') {
    res.writeHead(301, { location: DASHBOARD_PREFIX }).end();
    return;
  }
  let relative: string;
  try {
    relative = decodeURIComponent(pathname.slice(DASHBOARD_PREFIX.length)) || 'index.html';
  } catch {
    relative = '\0';
  }
  const root = resolve(dir);
  const file = resolve(root, relative);
  const stat = !relative.includes('\0') && file.startsWith(root + sep) && existsSync(file) ? statSync(file) : null;
  if (!stat?.isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    return;
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': stat.size,
    // Vite names assets by content hash; index.html must be re-read to find new ones.
    'cache-control': relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
}
