import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '/work/wt/wt13/emulator/src/server.js';
import { DEMO_API_KEY } from '/work/wt/wt13/emulator/src/seed.js';
const which = process.argv[2] ?? 'table';
const n = Number(process.argv[3] ?? 300);
const emulator = await startEmulator({ dataDir: mkdtempSync(join(tmpdir(), 'prof-')), seed: { historyScale: 0.05 } });
import { findRun, createRun } from '/work/wt/wt13/emulator/src/store/runs.js';
import { appendHistory } from '/work/wt/wt13/emulator/src/store/history.js';
import { visibleProject, ensureProject } from '/work/wt/wt13/emulator/src/store/accounts.js';
{
  const db = emulator.db;
  const user = db.prepare(`SELECT * FROM users WHERE username = 'demo'`).get() as any;
  const project = visibleProject(db, user, 'demo', 'bench') ?? ensureProject(db, user.default_entity_id!, 'bench', '2026-11-01T00:00:00Z');
  const run = findRun(db, project.id, 'million1') ?? createRun(db, project.id, 'million1', user.id, '2026-11-01T00:00:00Z', { state: 'running' });
  const lines: string[] = [];
  for (let step = 0; step < 20000; step++) lines.push(`{"_step":${step},"_runtime":${step * 0.01},"_timestamp":${1790000000 + step * 0.01},"loss":${1 / (1 + step)},"acc":${step / 20000},"lr":0.001,"grad_norm":${(step % 97) / 10},"tokens":${step * 512}}`);
  db.transaction(() => appendHistory(db, run.id, lines))();
}
const auth = `Basic ${Buffer.from(`api:${DEMO_API_KEY}`).toString('base64')}`;
const child = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-dir=/tmp/wt13prof/out', '--import', 'tsx', 'src/main.ts'], { cwd: '/work/wt/wt13', env: { ...process.env, PORT: '0', WANDB_BASE_URL: emulator.url, WANDB_API_KEY: DEMO_API_KEY, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((res) => { let o = ''; child.stdout!.on('data', (b) => { o += b; const m = /Subgraph:\s+(\S+)/.exec(o); if (m) res(m[1]); }); });
const post = async (query: string) => { const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: JSON.stringify({ query }) }); const b: any = await r.json(); if (b.errors) throw new Error(JSON.stringify(b.errors)); return b.data; };
const page = await post('{ runs(entity: "acme-ml", project: "image-classification", first: 1) { nodes { path } } }');
const path = page.runs.nodes[0].path;
const queries: Record<string, string> = {
  table: '{ runs(entity: "acme-ml", project: "image-classification", first: 50) { nodes { runId state config summary } } }',
  nested: '{ runs(entity: "acme-ml", project: "image-classification", first: 100) { nodes { runId summary sampledHistory(keys: ["train/loss", "train/acc"]) files(first: 3) { edges { node { name } } } loggedArtifacts { totalCount } } } }',
  run: `{ run(path: "${path}") { path displayName state createdAt } }`,
  history: `{ run(path: "demo/bench/million1") { history(first: 1000) { edges { node { step values } } pageInfo { hasNextPage endCursor } } } }`,
};
const t = performance.now();
for (let i = 0; i < n; i++) await post(queries[which]);
console.log(which, ((performance.now() - t) / n).toFixed(2), 'ms per request');
child.kill('SIGINT');
await new Promise((r) => child.once('exit', r));
await emulator.close();
