/**
 * `npm run bench [-- --delay 50 --runs 5 --quick]`: the subgraph against the
 * official W&B client's request pattern, side by side in one run, on the
 * embedded emulator with an injected upstream delay per request. Writes
 * BENCHMARKS.md.
 *
 * The emulator runs in this process (its delay is switched per scenario);
 * the subgraph runs as a child process, so its CPU time and RSS are its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { startEmulator, type Emulator } from '../emulator/src/server.js';
import { DEMO_API_KEY } from '../emulator/src/seed.js';
import { findRun, createRun } from '../emulator/src/store/runs.js';
import { appendHistory } from '../emulator/src/store/history.js';
import { visibleProject, ensureProject } from '../emulator/src/store/accounts.js';
import type { UserRow } from '../emulator/src/store/types.js';

const { values } = parseArgs({
  options: {
    delay: { type: 'string', default: '50' },
    runs: { type: 'string', default: '5' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: 'BENCHMARKS.md' },
  },
});
const DELAY = Number(values.delay);
const RUNS = Number(values.runs);
const QUICK = values.quick;
const HISTORY_STEPS = QUICK ? 100_000 : 1_000_000;

const auth = `Basic ${Buffer.from(`api:${DEMO_API_KEY}`).toString('base64')}`;
const ops = (name: string) => readFileSync(new URL(`../../shared/wandb/client-operations/${name}.graphql`, import.meta.url), 'utf8');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const ms = (t0: number) => performance.now() - t0;
const log = (m: string) => process.stderr.write(`${m}\n`);

// --- the emulator (this process) and the subgraph (a child) ---

const dataDir = mkdtempSync(join(tmpdir(), 'wandb-bench-'));
const emulator: Emulator = await startEmulator({ dataDir, seed: { historyScale: 0.05 } });
const wandb = async (query: string, variables: Record<string, unknown> = {}) => {
  const res = await fetch(`${emulator.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(`W&B errors: ${JSON.stringify(body.errors).slice(0, 300)}`);
  return body.data;
};

let child: ChildProcess;
let subgraphUrl = '';
async function startChild(): Promise<void> {
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, PORT: '0', WANDB_BASE_URL: emulator.url, WANDB_API_KEY: DEMO_API_KEY, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  subgraphUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /Subgraph:\s+(\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`subgraph exited with ${code}`)));
  });
}
async function stopChild(): Promise<void> {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}
const subgraph = async (query: string, variables: Record<string, unknown> = {}) => {
  const res = await fetch(subgraphUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(`subgraph errors: ${JSON.stringify(body.errors).slice(0, 300)}`);
  return body.data;
};
const proc = () => {
  const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)![1]);
  return { cpuSeconds: (Number(stat[11]) + Number(stat[12])) / 100, rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
};

await startChild();
const results: string[] = [];
const headline: Record<string, string> = {};

// --- 1. N runs with nested data ---
{
  log('scenario 1: N runs with nested data');
  emulator.setDelay(DELAY);
  const rows: string[] = [];
  for (const n of [1, 10, 100]) {
    const query = `query { runs(entity: "acme-ml", project: "image-classification", first: ${n}) { nodes {
      summary sampledHistory(keys: ["train/loss", "train/acc"]) files(first: 3) { edges { node { name } } } loggedArtifacts { totalCount } } } }`;
    const runClientPattern = async () => {
      // Runs page with the full fragment, then per run, one after another: history, files, logged artifacts.
      const page = await wandb(ops('runs_full'), { project: 'image-classification', entity: 'acme-ml', perPage: n, order: '+created_at', filters: '{}' });
      for (const edge of page.project.runs.edges) {
        const name = edge.node.name;
        await wandb(ops('sampled_history'), { project: 'image-classification', entity: 'acme-ml', name, specs: [JSON.stringify({ keys: ['_step', 'train/loss', 'train/acc'], samples: 500 })] });
        await wandb(ops('files'), { project: 'image-classification', entity: 'acme-ml', name, fileLimit: 3 });
        await wandb(ops('run_output_artifacts'), { entity: 'acme-ml', project: 'image-classification', run: name, perPage: 100 });
      }
    };
    const runs = n === 100 ? Math.max(1, Math.min(RUNS, 3)) : RUNS;
    const base: number[] = [];
    const ours: number[] = [];
    let baseRequests = 0;
    let ourRequests = 0;
    for (let i = 0; i < runs; i++) {
      emulator.resetRequests();
      let t = performance.now();
      await runClientPattern();
      base.push(ms(t));
      baseRequests = emulator.requestCount();
      emulator.resetRequests();
      t = performance.now();
      await subgraph(query);
      ours.push(ms(t));
      ourRequests = emulator.requestCount();
    }
    const ratio = median(base) / median(ours);
    rows.push(`| ${n} | ${baseRequests} | ${ourRequests} (target ≤ 3) | ${median(base).toFixed(0)} ms | ${median(ours).toFixed(0)} ms | **${ratio.toFixed(1)}×** ${n === 100 ? '(target ≥ 20×)' : ''} |`);
    if (n === 100) headline['100 runs with nested fields'] = `${ourRequests} upstream requests vs ${baseRequests}; ${ratio.toFixed(1)}× faster (${median(ours).toFixed(0)} ms vs ${median(base).toFixed(0)} ms)`;
  }
  results.push(
    `## 1. N runs with nested data (upstream delay ${DELAY} ms)`,
    '',
    'Query: `runs(first: N) { nodes { summary sampledHistory(keys: ["train/loss", "train/acc"]) files(first: 3) { … } loggedArtifacts { totalCount } } }`.',
    'Baseline: the official client — `Runs` page (`runs_full.graphql`), then per run, sequentially, `RunSampledHistory`, `RunFiles` and `RunOutputArtifacts`.',
    `Medians of ${RUNS} runs (3 at N = 100).`,
    '',
    '| N | client requests | subgraph upstream requests | client | subgraph | speed-up |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  );
}

// --- 2. Overhead of run(path) ---
{
  log('scenario 2: overhead');
  const page = await subgraph('{ runs(entity: "acme-ml", project: "image-classification", first: 1) { nodes { path } } }');
  const path = page.runs.nodes[0].path;
  const query = `{ run(path: "${path}") { path displayName state createdAt } }`;
  emulator.resetRequests();
  await subgraph(query);
  const sent = emulator.requests[0];
  const direct = async () => wandb(sent.query, sent.variables);
  const sample = async (f: () => Promise<unknown>, count: number) => {
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      await f();
      out.push(ms(t));
    }
    return out;
  };
  emulator.setDelay(20);
  await sample(direct, 30);
  await sample(() => subgraph(query), 30);
  const count = QUICK ? 100 : 300;
  const d: number[] = [];
  const s: number[] = [];
  // Interleaved, so both see the same machine noise.
  for (let i = 0; i < count; i++) {
    let t = performance.now();
    await direct();
    d.push(ms(t));
    t = performance.now();
    await subgraph(query);
    s.push(ms(t));
  }
  emulator.setDelay(0);
  await sample(() => subgraph(query), 200);
  const before = proc().cpuSeconds;
  const n = QUICK ? 1000 : 3000;
  await sample(() => subgraph(query), n);
  const cpuMs = ((proc().cpuSeconds - before) * 1000) / n;
  const p50 = median(s) / median(d);
  const p95 = pct(s, 0.95) / pct(d, 0.95);
  results.push(
    '## 2. Overhead: `run(path)` vs the same upstream document sent directly',
    '',
    `Query: \`run(path) { path displayName state createdAt }\`; the direct request is the exact document the subgraph sends. ${count} interleaved requests each, 20 ms upstream delay.`,
    '',
    '| measure | direct | subgraph | ratio | target |',
    '|---|---|---|---|---|',
    `| p50 | ${median(d).toFixed(2)} ms | ${median(s).toFixed(2)} ms | **${p50.toFixed(3)}×** | ≤ 1.15× |`,
    `| p95 | ${pct(d, 0.95).toFixed(2)} ms | ${pct(s, 0.95).toFixed(2)} ms | **${p95.toFixed(3)}×** | ≤ 1.3× |`,
    `| subgraph CPU per request, 0 ms delay, one request at a time (${n} requests) | | ${cpuMs.toFixed(3)} ms | | ≤ 1 ms |`,
    'CPU under load (subgraph CPU seconds ÷ requests served, from scenario 5): see below.',
    '',
  );
  headline['run(path) overhead'] = `p50 ${p50.toFixed(2)}×, p95 ${p95.toFixed(2)}× direct (20 ms upstream)`;

  // --- 5. Throughput ---
  log('scenario 5: throughput');
  const cpu0 = proc().cpuSeconds;
  const t0 = performance.now();
  const result = await autocannon({
    url: subgraphUrl,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: auth },
    body: JSON.stringify({ query }),
    connections: 16,
    duration: QUICK ? 5 : 15,
  });
  const cpuShare = (proc().cpuSeconds - cpu0) / (ms(t0) / 1000);
  const perCore = result.requests.average / Math.max(cpuShare, 0.01);
  const cpuUnderLoad = 1000 / perCore;
  results.push(
    '## 5. Throughput: `run(path)` under load, 0 ms upstream delay',
    '',
    `autocannon, 16 connections, ${QUICK ? 5 : 15} s. The emulator shares the machine (it runs in the benchmark process).`,
    '',
    '| requests/s | p50 | p99 | errors | subgraph CPU (cores) | requests/s per subgraph core | subgraph CPU per request |',
    '|---|---|---|---|---|---|---|',
    `| ${result.requests.average.toFixed(0)} | ${result.latency.p50} ms | ${result.latency.p99} ms | ${result.errors + result.non2xx} | ${cpuShare.toFixed(2)} | **${perCore.toFixed(0)}** | **${cpuUnderLoad.toFixed(2)} ms** (target ≤ 1 ms) |`,
    '',
  );
  headline['CPU per request'] = `${cpuUnderLoad.toFixed(2)} ms under load; ${cpuMs.toFixed(2)} ms one request at a time`;
  headline['throughput'] = `${result.requests.average.toFixed(0)} req/s (${perCore.toFixed(0)} per subgraph core), p99 ${result.latency.p99} ms`;
}

// --- 3 and 4. Full history scan and deep paging ---
{
  log(`scenario 3: ingesting a ${HISTORY_STEPS}-step history`);
  const db = emulator.db;
  const user = db.prepare(`SELECT * FROM users WHERE username = 'demo'`).get() as UserRow;
  const project = visibleProject(db, user, 'demo', 'bench') ?? ensureProject(db, user.default_entity_id!, 'bench', '2026-11-01T00:00:00Z');
  const run = findRun(db, project.id, 'million1') ?? createRun(db, project.id, 'million1', user.id, '2026-11-01T00:00:00Z', { state: 'finished' });
  for (let start = 0; start < HISTORY_STEPS; start += 10_000) {
    const lines: string[] = [];
    for (let step = start; step < start + 10_000; step++) {
      lines.push(`{"_step":${step},"_runtime":${step * 0.01},"_timestamp":${1790000000 + step * 0.01},"loss":${1 / (1 + step)},"acc":${step / HISTORY_STEPS},"lr":0.001,"grad_norm":${(step % 97) / 10},"tokens":${step * 512}}`);
    }
    db.transaction(() => appendHistory(db, run.id, lines))();
  }
  emulator.setDelay(DELAY);
  const path = 'demo/bench/million1';

  const clientScan = async (maxStep: number) => {
    const keys = await wandb(ops('history_keys'), { project: 'bench', entity: 'demo', name: 'million1' });
    const last = Math.min(keys.project.run.historyKeys.lastStep + 1, maxStep);
    let rows = 0;
    for (let lo = 0; lo < last; lo += 1000) {
      const page = await wandb(ops('history_page'), { entity: 'demo', project: 'bench', run: 'million1', minStep: lo, maxStep: Math.min(lo + 1000, last), pageSize: 1000 });
      for (const r of page.project.run.history as string[]) JSON.parse(r);
      rows += page.project.run.history.length;
    }
    return rows;
  };
  const ourScan = async (first: number, maxStep: number) => {
    let rows = 0;
    let after: string | null = null;
    for (;;) {
      const data: any = await subgraph(`query H($after: String) { run(path: "${path}") { history(first: ${first}, after: $after, maxStep: ${maxStep}) { edges { node { step values } } pageInfo { hasNextPage endCursor } } } }`, { after });
      rows += data.run.history.edges.length;
      if (!data.run.history.pageInfo.hasNextPage) return rows;
      after = data.run.history.pageInfo.endCursor;
    }
  };
  const timed = async (f: () => Promise<number>) => {
    const t = performance.now();
    const rows = await f();
    return { rows, seconds: ms(t) / 1000 };
  };
  // RSS: a fresh subgraph, a 100k-step scan, then the whole run.
  await stopChild();
  await startChild();
  await ourScan(10_000, 100_000);
  const peak100k = proc().peakMb;
  log('scenario 3: client pattern');
  const client = await timed(() => clientScan(HISTORY_STEPS));
  log('scenario 3: subgraph first=1000');
  const ours1k = await timed(() => ourScan(1000, HISTORY_STEPS));
  log('scenario 3: subgraph first=10000');
  const ours10k = await timed(() => ourScan(10_000, HISTORY_STEPS));
  const peakFull = proc().peakMb;
  const rate = (r: { rows: number; seconds: number }) => r.rows / r.seconds;
  results.push(
    `## 3. Full history scan: ${HISTORY_STEPS.toLocaleString('en')} steps, 5 metrics (upstream delay ${DELAY} ms)`,
    '',
    'Baseline: the official client’s `scan_history` — `RunHistoryKeys`, then `HistoryPage` windows of 1,000 steps, parsing every row. One pass each (a pass is long).',
    '',
    '| reader | rows | time | rows/s | vs client |',
    '|---|---|---|---|---|',
    `| client, HistoryPage windows of 1,000 | ${client.rows} | ${client.seconds.toFixed(1)} s | ${rate(client).toFixed(0)} | 1× |`,
    `| subgraph, history(first: 1000) | ${ours1k.rows} | ${ours1k.seconds.toFixed(1)} s | ${rate(ours1k).toFixed(0)} | **${(rate(ours1k) / rate(client)).toFixed(2)}×** (target ≥ 1×) |`,
    `| subgraph, history(first: 10000) | ${ours10k.rows} | ${ours10k.seconds.toFixed(1)} s | ${rate(ours10k).toFixed(0)} | **${(rate(ours10k) / rate(client)).toFixed(2)}×** |`,
    '',
    `Subgraph peak RSS: ${peak100k.toFixed(0)} MB after a 100,000-step scan, ${peakFull.toFixed(0)} MB after the full scans: **${(peakFull / peak100k).toFixed(2)}×** (target ≤ 1.1×).`,
    '',
  );
  headline['history scan'] = `${(rate(ours1k) / rate(client)).toFixed(2)}× the client at first: 1000, ${(rate(ours10k) / rate(client)).toFixed(2)}× at 10000; peak RSS ${(peakFull / peak100k).toFixed(2)}× from 100k to ${HISTORY_STEPS / 1000}k steps`;

  log('scenario 4: deep paging');
  // Measured on a running run: neither page is read ahead, so both cost what reading them costs.
  db.prepare(`UPDATE runs SET state = 'running' WHERE id = ?`).run(run.id);
  const cursorAt = (step: number) => Buffer.from(`v1:history:${step}`).toString('base64');
  const pageAt = async (after: string | null) => {
    const t = performance.now();
    await subgraph(`query H($after: String) { run(path: "${path}") { history(first: 1000, after: $after) { edges { node { step values } } } } }`, { after });
    return ms(t);
  };
  const deepStep = Math.floor(HISTORY_STEPS * 0.9) - 1;
  const first: number[] = [];
  const deep: number[] = [];
  for (let i = 0; i < RUNS * 4; i++) {
    first.push(await pageAt(null));
    deep.push(await pageAt(cursorAt(deepStep)));
  }
  const ratio = median(deep) / median(first);
  results.push(
    '## 4. Deep paging',
    '',
    `\`history(first: 1000)\` from step 0 vs after a cursor at step ${(deepStep + 1).toLocaleString('en')}, ${RUNS * 4} interleaved requests each, upstream delay ${DELAY} ms, on the same run marked running (so that no page is read ahead).`,
    '',
    '| page | median |',
    '|---|---|',
    `| from step 0 | ${median(first).toFixed(1)} ms |`,
    `| from step ${(deepStep + 1).toLocaleString('en')} | ${median(deep).toFixed(1)} ms |`,
    `| ratio | **${ratio.toFixed(2)}×** (target ≤ 1.5×) |`,
    '',
  );
  headline['deep paging'] = `page at step ${(deepStep + 1).toLocaleString('en')} costs ${ratio.toFixed(2)}× the first`;
}

await stopChild();
await emulator.close();
rmSync(dataDir, { recursive: true, force: true });

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const doc = [
  '# Benchmarks',
  '',
  `Machine: ${machine}. Run on ${new Date().toISOString().slice(0, 10)}.`,
  '',
  `Command: \`npm run bench -- --delay ${DELAY} --runs ${RUNS}${QUICK ? ' --quick' : ''}\` (\`bench/run.ts\`). Each scenario runs the subgraph and the official W&B client's request pattern (the documents in \`../shared/wandb/client-operations/\`, in the order the client sends them) side by side in one run, against the embedded emulator with an injected delay per upstream request. The subgraph runs in its own process.`,
  '',
  '## Headline',
  '',
  '| scenario | result |',
  '|---|---|',
  ...Object.entries(headline).map(([k, v]) => `| ${k} | ${v} |`),
  '',
  ...results,
  // The fleet's figures come from `npm run bench:fleet` (needs redis-server), kept as last written.
  existsSync(new URL('./fleet.md', import.meta.url)) ? `${readFileSync(new URL('./fleet.md', import.meta.url), 'utf8')}\n` : '',
  readFileSync(new URL('./emulator-history.md', import.meta.url), 'utf8'),
].join('\n');
writeFileSync(values.out!, doc);
log(`wrote ${values.out}`);
process.exit(0);
