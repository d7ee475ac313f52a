/**
 * Ingests a 1,000,000-step history (5 metrics) into an emulator child process
 * through W&B's filestream endpoint, then reads it back with the official
 * client's HistoryPage document in windows of 1,000 steps, sampling the
 * emulator's RSS from /proc as it goes.
 *
 *   npm run bench:history [-- --steps 1000000 --window 1000]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_API_KEY } from '../emulator/src/seed.js';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '1000000' }, window: { type: 'string', default: '1000' } } });
const STEPS = Number(values.steps);
const WINDOW = Number(values.window);
const CHUNK = 10_000;
const auth = `Basic ${Buffer.from(`api:${DEMO_API_KEY}`).toString('base64')}`;
const HISTORY_PAGE = `query HistoryPage($entity: String!, $project: String!, $run: String!, $minStep: Int64!, $maxStep: Int64!, $pageSize: Int!) { project(name: $project, entityName: $entity) { run(name: $run) { history(minStep: $minStep, maxStep: $maxStep, samples: $pageSize) } } }`;

const dataDir = mkdtempSync(join(tmpdir(), 'wandb-bench-'));
const child = spawn(process.execPath, ['--import', 'tsx', 'emulator/src/main.ts', '--port', '0', '--data', dataDir, '--seed-scale', '0.01'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve, reject) => {
  let out = '';
  child.stdout!.on('data', (b: Buffer) => {
    out += b.toString();
    const m = /listening on (http:\/\/\S+)/.exec(out);
    if (m) resolve(m[1]);
  });
  child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
});

/** The emulator's resident set size now and at its peak, in MB. */
function rss(): { now: number; peak: number } {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)![1]);
  return { now: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

async function post(path: string, body: unknown): Promise<any> {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

try {
  await post('/graphql', { query: 'mutation { upsertBucket(input: {entityName: "demo", modelName: "bench", name: "million1"}) { inserted } }' });
  let t = performance.now();
  for (let start = 0; start < STEPS; start += CHUNK) {
    const content: string[] = [];
    for (let step = start; step < Math.min(start + CHUNK, STEPS); step++) {
      content.push(`{"_step":${step},"_runtime":${step * 0.01},"_timestamp":${1790000000 + step * 0.01},"loss":${1 / (1 + step)},"acc":${step / STEPS},"lr":0.001,"grad_norm":${(step % 97) / 10},"tokens":${step * 512}}`);
    }
    await post('/files/demo/bench/million1/file_stream', { files: { 'wandb-history.jsonl': { offset: start, content } } });
  }
  const ingestSeconds = (performance.now() - t) / 1000;
  const afterIngest = rss();

  t = performance.now();
  let rows = 0;
  const samples: number[] = [];
  for (let minStep = 0; minStep < STEPS; minStep += WINDOW) {
    const { data } = await post('/graphql', {
      query: HISTORY_PAGE,
      variables: { entity: 'demo', project: 'bench', run: 'million1', minStep, maxStep: minStep + WINDOW, pageSize: WINDOW },
    });
    const page: string[] = data.project.run.history;
    for (const row of page) JSON.parse(row);
    rows += page.length;
    if ((minStep / WINDOW) % Math.max(1, Math.floor(STEPS / WINDOW / 10)) === 0) samples.push(rss().now);
  }
  const readSeconds = (performance.now() - t) / 1000;
  const end = rss();
  if (rows !== STEPS) throw new Error(`read ${rows} rows, expected ${STEPS}`);
  const first = samples[0];
  const report = {
    steps: STEPS,
    window: WINDOW,
    ingest: { seconds: +ingestSeconds.toFixed(1), rowsPerSecond: Math.round(STEPS / ingestSeconds) },
    read: { seconds: +readSeconds.toFixed(1), rowsPerSecond: Math.round(rows / readSeconds), requests: STEPS / WINDOW },
    emulatorRssMB: {
      afterIngest: +afterIngest.now.toFixed(0),
      duringReadFirst: +first.toFixed(0),
      duringReadMax: +Math.max(...samples).toFixed(0),
      endOfRead: +end.now.toFixed(0),
      growthDuringRead: `${(((Math.max(...samples, end.now) - first) / first) * 100).toFixed(1)}%`,
      peakOverall: +end.peak.toFixed(0),
    },
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}
