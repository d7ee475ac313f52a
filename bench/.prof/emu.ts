import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { startEmulator } from '../../emulator/src/server.js';
import { DEMO_API_KEY } from '../../emulator/src/seed.js';
const emulator = await startEmulator({ dataDir: mkdtempSync(join(tmpdir(), 'prof-')), seed: { historyScale: 0.05 } });
const auth = `Basic ${Buffer.from(`api:${DEMO_API_KEY}`).toString('base64')}`;
const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { ...process.env, PORT: '0', WANDB_BASE_URL: emulator.url, WANDB_API_KEY: DEMO_API_KEY, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((res) => { let o = ''; child.stdout!.on('data', (b) => { o += b; const m = /Subgraph:\s+(\S+)/.exec(o); if (m) res(m[1]); }); });
const post = async (u: string, query: string, variables = {}) => { const r = await fetch(u, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: JSON.stringify({ query, variables }) }); const t = await r.text(); return t; };
const which = process.argv[2];
const sub: Record<string, string> = {
  table: '{ runs(entity: "acme-ml", project: "image-classification", first: 50) { nodes { runId state config summary } } }',
  nested: '{ runs(entity: "acme-ml", project: "image-classification", first: 100) { nodes { runId summary sampledHistory(keys: ["train/loss", "train/acc"]) files(first: 3) { edges { node { name } } } loggedArtifacts { totalCount } } } }',
};
emulator.resetRequests();
await post(url, sub[which]);
const ours = emulator.requests[0];
const direct: Record<string, [string, object]> = {
  table: ['{ project(name: "image-classification", entityName: "acme-ml") { runs(first: 50) { edges { node { name state config summaryMetrics } } } } }', {}],
  nested: ['query D($spec: JSONString!) { project(name: "image-classification", entityName: "acme-ml") { runs(first: 100, order: "+created_at") { edges { node { name summaryMetrics sampledHistory(specs: [$spec]) files(first: 3) { edges { node { name } } } outputArtifacts { totalCount } } } } } }', { spec: JSON.stringify({ keys: ['_step', 'train/loss', 'train/acc'], samples: 500 }) }],
};
const time = async (f: () => Promise<unknown>, n = 60) => { for (let i = 0; i < 5; i++) await f(); const t = performance.now(); for (let i = 0; i < n; i++) await f(); return ((performance.now() - t) / n).toFixed(2); };
console.log('emulator, our document', await time(() => post(`${emulator.url}/graphql`, ours.query, ours.variables)), 'bytes', (await post(`${emulator.url}/graphql`, ours.query, ours.variables)).length);
console.log('emulator, direct document', await time(() => post(`${emulator.url}/graphql`, ...direct[which])), 'bytes', (await post(`${emulator.url}/graphql`, ...direct[which])).length);
console.log('subgraph', await time(() => post(url, sub[which])), 'bytes', (await post(url, sub[which])).length);
console.log(ours.query.slice(0, 3000));
child.kill(); await emulator.close();
