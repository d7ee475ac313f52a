/**
 * The CLI entry (src/main.ts) as a process: production refuses demo mode,
 * a port in use names its variable (no stack trace), and a production start
 * against W&B (the emulator here) serves probes, GraphQL and the metrics port.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startEmulator, type Emulator } from '../../emulator/src/server.js';
import { DEMO_API_KEY } from '../../emulator/src/seed.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Starts `src/main.ts` with only `env` (and PATH): nothing inherited from the test's environment. */
function startEntry(env: Record<string, string>): { child: ChildProcess; output: () => { stdout: string; stderr: string }; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => ({ stdout, stderr }), exited };
}

async function run(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const entry = startEntry(env);
  const code = await entry.exited;
  return { code, ...entry.output() };
}

async function occupy(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

async function freePort(): Promise<number> {
  const { server, port } = await occupy();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('CLI entry', () => {
  let busy: { server: Server; port: number };
  let emulator: Emulator;
  beforeAll(async () => {
    busy = await occupy();
    emulator = await startEmulator({ seed: { historyScale: 0.01 } });
  });
  afterAll(async () => {
    busy?.server.close();
    await emulator?.close();
  });

  it('refuses NODE_ENV=production without WANDB_BASE_URL, saying why', async () => {
    const { code, stdout, stderr } = await run({ NODE_ENV: 'production', PORT: '0' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/WANDB_BASE_URL is required when NODE_ENV=production/);
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stdout).not.toMatch(/emulator|Demo key/);
  });

  it('names PORT when the port is in use, with no stack trace', async () => {
    const { code, stderr } = await run({ NODE_ENV: 'production', WANDB_BASE_URL: emulator.url, PORT: String(busy.port) });
    expect(code).toBe(1);
    expect(stderr).toContain(`port ${busy.port} on 127.0.0.1 is already in use: set PORT to a free port`);
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('names METRICS_PORT when the metrics port is in use', async () => {
    const { code, stderr } = await run({ WANDB_BASE_URL: emulator.url, PORT: String(await freePort()), METRICS_PORT: String(busy.port) });
    expect(code).toBe(1);
    expect(stderr).toContain(`port ${busy.port} on 127.0.0.1 is already in use: set METRICS_PORT to a free port`);
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('names the variable of a malformed value', async () => {
    const { code, stderr } = await run({ WANDB_BASE_URL: emulator.url, METRICS_PORT: 'nine' });
    expect(code).toBe(1);
    expect(stderr).toContain('METRICS_PORT must be an integer');
  });

  it('starts in production against W&B: probes and GraphQL on PORT, metrics on METRICS_PORT, no demo', async () => {
    const port = await freePort();
    const metricsPort = await freePort();
    const entry = startEntry({ NODE_ENV: 'production', WANDB_BASE_URL: emulator.url, PORT: String(port), METRICS_PORT: String(metricsPort) });
    try {
      const started = Date.now();
      while (!entry.output().stdout.includes('"subgraph started"')) {
        if (entry.child.exitCode !== null || Date.now() - started > 20_000) throw new Error(`did not start: ${entry.output().stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/ready`)).status).toBe(200);
      // No service key and CORS closed: nothing of the demo in production.
      const anonymous = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'https://elsewhere.example.com' },
        body: JSON.stringify({ query: '{ runs(entity: "acme-ml", project: "image-classification", first: 1) { totalCount } }' }),
      });
      expect(anonymous.headers.get('access-control-allow-origin')).toBeNull();
      const denied = (await anonymous.json()) as { errors?: { extensions?: { code?: string } }[] };
      expect(denied.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      const res = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`api:${DEMO_API_KEY}`).toString('base64')}` },
        body: JSON.stringify({ query: '{ runs(entity: "acme-ml", project: "image-classification", first: 1) { totalCount } }' }),
      });
      const body = (await res.json()) as { data?: { runs: { totalCount: number } } };
      expect(body.data?.runs.totalCount).toBe(103);
      expect((await fetch(`${base}/metrics`)).status).toBe(404);
      const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('graphql_requests_total');
      entry.child.kill('SIGTERM');
      expect(await entry.exited).toBe(0);
    } finally {
      entry.child.kill('SIGKILL');
    }
  });
});
