/**
 * `npm run bench:fleet [-- --delay 50 --steps 100000]`: a fleet of 3
 * subgraph replicas (child processes) sharing one redis-server, against
 * the embedded emulator (in this process) with an injected upstream delay:
 * live polls, a history scan spread over the replicas, APQ across
 * replicas, Redis killed under load, and one traced request. Writes
 * bench/fleet.md and its section of BENCHMARKS.md.
 *
 * Needs Debian's redis-server (apt-get install -y redis-server).
 */
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startEmulator } from '../emulator/src/server.js';
import { DEMO_API_KEY } from '../emulator/src/seed.js';
import { findRun, createRun } from '../emulator/src/store/runs.js';
import { appendHistory } from '../emulator/src/store/history.js';
import { ensureProject, userByApiKey } from '../emulator/src/store/accounts.js';
import { hasRedis, startRedis } from '../test/helpers/redis.js';
import { startOtlpCollector } from '../test/helpers/otlpCollector.js';
import { spawnSubgraph } from '../test/helpers/subgraphProcess.js';

const { values } = parseArgs({
  options: { delay: { type: 'string', default: '50' }, steps: { type: 'string', default: '100000' }, interval: { type: 'string', default: '500' }, only: { type: 'string' }, verbose: { type: 'boolean', default: false } },
});
/** Runs one scenario only (polls, scan, apq, redis, traces); its section is written to stdout, files are left alone. */
const ONLY = values.only;
const run = (name: string) => ONLY === undefined || ONLY === name;
const DELAY = Number(values.delay);
const STEPS = Number(values.steps);
const INTERVAL = Number(values.interval);
const log = (m: string) => process.stderr.write(`${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const auth = `Basic ${Buffer.from(`api:${DEMO_API_KEY}`).toString('base64')}`;
if (!hasRedis) {
  log('redis-server is not installed (apt-get install -y redis-server)');
  process.exit(1);
}

const dataDir = mkdtempSync(join(tmpdir(), 'wandb-fleet-'));
const emulator = await startEmulator({ dataDir, seed: { historyScale: 0.01 } });
const redis = await startRedis();
const children: ChildProcess[] = [];

/** Starts a replica (`npm start` with these variables) and returns its GraphQL URL. */
async function replica(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const started = await spawnSubgraph({ WANDB_BASE_URL: emulator.url, LOG_LEVEL: 'warn', LIVE_POLL_INTERVAL_MS: String(INTERVAL), ...env });
  children.push(started.child);
  return started;
}
async function stop(...rs: { child: ChildProcess }[]): Promise<void> {
  await Promise.all(rs.map((r) => (r.child.exitCode !== null ? undefined : new Promise((resolve) => (r.child.once('exit', resolve), r.child.kill('SIGTERM'))))));
}
async function post(url: string, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<{ status: number; data?: any; errors?: any[] }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth, ...headers }, body: JSON.stringify(body) });
  return { status: res.status, ...((await res.json()) as object) };
}
const fleetOf = (n: number, env: Record<string, string>) => Promise.all(Array.from({ length: n }, () => replica(env)));
const withRedis = { REDIS_URL: redis.url };

const sections: string[] = [];
const headline: string[] = [];

// --- Polls: 30 subscribers of one running run over 3 replicas ---
if (run('polls')) {
  log('fleet: live polls');
  const w = async (query: string) =>
    fetch(`${emulator.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: JSON.stringify({ query }) });
  const stream = (name: string, i: number) =>
    fetch(`${emulator.url}/files/demo/fleetbench/${name}/file_stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth },
      body: JSON.stringify({ files: { 'wandb-history.jsonl': { offset: i, content: [JSON.stringify({ _step: i, loss: 1 / (i + 1) })] } } }),
    });
  const measure = async (env: Record<string, string>, name: string) => {
    const rs = await fleetOf(3, env);
    await w(`mutation { upsertBucket(input: {entityName: "demo", modelName: "fleetbench", name: "${name}", state: "running"}) { inserted } }`);
    const received: number[] = Array.from({ length: 30 }, () => 0);
    const clients = rs.map((r) => createClient({ url: r.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: auth }, retryAttempts: 0 }));
    for (let s = 0; s < 30; s++) {
      clients[s % 3].subscribe({ query: `subscription { runUpdated(path: "demo/fleetbench/${name}") { lastStep } }` }, { next: () => received[s]++, error: () => {}, complete: () => {} });
    }
    while (received.some((n) => n === 0)) await sleep(20);
    await sleep(2 * INTERVAL);
    emulator.resetRequests();
    const started = Date.now();
    const changes = 20;
    for (let i = 0; i < changes; i++) {
      await stream(name, i);
      await sleep(INTERVAL);
    }
    const elapsed = Date.now() - started;
    // A live poll is a run lookup (the document the run watchers send).
    const polls = emulator.requests.filter((r) => r.query.startsWith('query RunLookup')).length;
    await sleep(2 * INTERVAL);
    // Changes each subscriber got after its first event: the poller's view, the same on every replica.
    const delivered = `${Math.min(...received) - 1}–${Math.max(...received) - 1}`;
    for (const c of clients) await c.dispose();
    await stop(...rs);
    return { polls, perInterval: polls / (elapsed / INTERVAL), delivered, changes };
  };
  const shared = await measure(withRedis, 'poll0001');
  const alone = await measure({}, 'poll0002');
  sections.push(
    `### Live polls: 30 subscribers of one running run over 3 replicas (poll interval ${INTERVAL} ms, the run changes every interval)`,
    '',
    '| fleet | W&B polls | per interval | changes a subscriber got (fewest–most of 30; a poll sees the changes since the last one as one) |',
    '|---|---|---|---|',
    `| 3 replicas, REDIS_URL set | ${shared.polls} | **${shared.perInterval.toFixed(2)}** | ${shared.delivered} |`,
    `| 3 replicas, no Redis | ${alone.polls} | ${alone.perInterval.toFixed(2)} | ${alone.delivered} |`,
    '',
  );
  headline.push(`| live polls, 30 subscribers on 3 replicas | ${shared.perInterval.toFixed(2)} W&B polls per interval with Redis, ${alone.perInterval.toFixed(2)} without |`);
}

// --- Scans: a history scan, pages round-robin over the replicas ---
if (run('scan')) {
  log(`fleet: ${STEPS}-step scan`);
  const db = emulator.db;
  const user = userByApiKey(db, DEMO_API_KEY)!;
  const project = ensureProject(db, user.default_entity_id!, 'fleetbench', '2026-11-01T00:00:00Z');
  // A run per measured scan, so no scan finds what an earlier one read ahead; a short one to warm each fleet up.
  const ingest = (name: string, steps: number) => {
    const scanRun = findRun(db, project.id, name) ?? createRun(db, project.id, name, user.id, '2026-11-01T00:00:00Z', { state: 'finished' });
    for (let start = 0; start < steps; start += 10_000) {
      const lines: string[] = [];
      for (let step = start; step < Math.min(start + 10_000, steps); step++) {
        lines.push(`{"_step":${step},"_runtime":${step * 0.01},"_timestamp":${1790000000 + step * 0.01},"loss":${1 / (1 + step)},"acc":${step / steps},"lr":0.001,"grad_norm":${(step % 97) / 10},"tokens":${step * 512}}`);
      }
      db.transaction(() => appendHistory(db, scanRun.id, lines))();
    }
  };
  const ROUNDS = 3;
  const names = Array.from({ length: 3 * ROUNDS }, (_, i) => `scan${String(i + 1).padStart(4, '0')}`);
  for (const name of names) ingest(name, STEPS);
  ingest('warmup01', 10_000);
  emulator.setDelay(DELAY);
  const scan = async (urls: string[], name: string) => {
    const t = performance.now();
    let rows = 0;
    let after: string | null = null;
    emulator.resetRequests();
    const pages: number[] = [];
    for (let page = 0; ; page++) {
      const tp = performance.now();
      const res: any = await post(urls[page % urls.length], { query: `query H($after: String) { run(path: "demo/fleetbench/${name}") { history(first: 1000, after: $after) { edges { node { step values } } pageInfo { hasNextPage endCursor } } } }`, variables: { after } });
      if (res.errors) throw new Error(JSON.stringify(res.errors).slice(0, 300));
      rows += res.data.run.history.edges.length;
      pages.push(performance.now() - tp);
      if (!res.data.run.history.pageInfo.hasNextPage) break;
      after = res.data.run.history.pageInfo.endCursor;
    }
    const seconds = (performance.now() - t) / 1000;
    if (values.verbose) log(`  ${urls.length} replica(s): ${seconds.toFixed(2)} s; page ms: ${pages.map((p) => p.toFixed(0)).join(' ')}`);
    return { rows, seconds, rate: rows / seconds, requests: emulator.requestCount() };
  };
  // The three fleets run side by side; their scans take turns, round after round, so a change in the
  // machine's load weighs on all three alike. Median of the rounds.
  const one = await fleetOf(1, {});
  const three = await fleetOf(3, withRedis);
  const islands = await fleetOf(3, {});
  const configs = [one, three, islands].map((rs) => ({ urls: rs.map((r) => r.url), results: [] as Awaited<ReturnType<typeof scan>>[] }));
  for (const c of configs) await scan(c.urls, 'warmup01');
  for (let round = 0; round < ROUNDS; round++) for (const c of configs) c.results.push(await scan(c.urls, names.shift()!));
  await stop(...one, ...three, ...islands);
  const medianOf = (rs: Awaited<ReturnType<typeof scan>>[]) => [...rs].sort((x, y) => x.rate - y.rate)[Math.floor(rs.length / 2)];
  const [single, shared, alone] = configs.map((c) => medianOf(c.results));
  emulator.setDelay(0);
  const row = (name: string, r: typeof single) => `| ${name} | ${r.rows.toLocaleString('en')} | ${r.seconds.toFixed(2)} s | ${Math.round(r.rate).toLocaleString('en')} | ${r.requests} | ${(r.rate / single.rate).toFixed(2)}× |`;
  sections.push(
    `### History scan: ${STEPS.toLocaleString('en')} steps, pages of 1,000, round-robin over the replicas (upstream delay ${DELAY} ms; median of 3 rounds, the fleets taking turns)`,
    '',
    '| fleet | rows | time | rows/s | W&B requests | vs 1 replica |',
    '|---|---|---|---|---|---|',
    row('1 replica', single),
    row('3 replicas, REDIS_URL set', shared),
    row('3 replicas, no Redis', alone),
    '',
  );
  headline.push(`| ${STEPS / 1000}k-step scan over 3 replicas | ${(shared.rate / single.rate).toFixed(2)}× the single-replica rows/s with Redis (target ≥ 0.9×), ${(alone.rate / single.rate).toFixed(2)}× without |`);
}

// --- APQ across replicas ---
if (run('apq')) {
  log('fleet: APQ');
  const query = `query Apq { runs(entity: "acme-ml", project: "image-classification", first: 2) { nodes { path } } }`;
  const extensions = { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') } };
  const measure = async (env: Record<string, string>) => {
    const rs = await fleetOf(3, env);
    await post(rs[0].url, { query, extensions });
    const misses = (await Promise.all(rs.slice(1).map((r) => post(r.url, { extensions })))).filter((r) => r.errors?.[0]?.extensions?.code === 'PERSISTED_QUERY_NOT_FOUND').length;
    await stop(...rs);
    return misses;
  };
  const shared = await measure(withRedis);
  const alone = await measure({});
  sections.push(
    '### APQ: a hash registered on replica 1, then sent alone to replicas 2 and 3',
    '',
    `With REDIS_URL: ${shared} of 2 asked the client to resend the query. Without: ${alone} of 2.`,
    '',
  );
  headline.push(`| APQ across replicas | ${shared} resends of 2 with Redis, ${alone} without |`);
}

// --- Redis killed under load ---
if (run('redis')) {
  log('fleet: Redis killed under load');
  const rs = await fleetOf(3, withRedis);
  const urls = rs.map((r) => r.url);
  const query = `query Page { runs(entity: "acme-ml", project: "image-classification", first: 5) { totalCount nodes { path state summary(keys: ["val/acc"]) } } }`;
  let stopLoad = false;
  let sent = 0;
  let failed = 0;
  const worker = async (n: number) => {
    for (let i = n; !stopLoad; i++) {
      const res = await post(urls[i % 3], { query });
      sent++;
      if (res.status !== 200 || res.errors) failed++;
    }
  };
  const load = Promise.all(Array.from({ length: 8 }, (_, n) => worker(n)));
  await sleep(2000);
  const beforeKill = sent;
  await redis.kill();
  await sleep(2000);
  const ready = await Promise.all(urls.map(async (u) => (await fetch(u.replace(/\/graphql$/, '/ready'))).status));
  const duringOutage = sent - beforeKill;
  await redis.restart();
  const restarted = Date.now();
  let recovered = -1;
  while (recovered < 0 && Date.now() - restarted < 10_000) {
    const states = await Promise.all(urls.map(async (u) => ((await (await fetch(u.replace(/\/graphql$/, '/ready'))).json()) as { redis?: string }).redis));
    if (states.every((s) => s === 'ok')) recovered = Date.now() - restarted;
    else await sleep(25);
  }
  await sleep(1000);
  stopLoad = true;
  await load;
  await stop(...rs);
  sections.push(
    '### Redis killed under load (8 clients round-robin over 3 replicas; killed after 2 s, restarted 2 s later)',
    '',
    `${sent.toLocaleString('en')} queries, **${failed} failed**; ${duringOutage.toLocaleString('en')} answered while Redis was down, when /ready answered ${[...new Set(ready)].join(', ')} ("degraded"). All replicas shared again ${recovered} ms after Redis restarted.`,
    '',
  );
  headline.push(`| Redis killed under load | ${failed} of ${sent.toLocaleString('en')} queries failed; shared again ${recovered} ms after restart |`);
}

// --- One traced request ---
if (run('traces')) {
  log('fleet: traces');
  const collector = await startOtlpCollector();
  const [r] = await fleetOf(1, { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: '100', OTEL_SERVICE_NAME: 'wandb-runs-subgraph' });
  const traceId = randomBytes(16).toString('hex');
  const parent = randomBytes(8).toString('hex');
  await post(r.url, { query: `query Traced { runs(entity: "acme-ml", project: "image-classification", first: 3) { nodes { path summary(keys: ["val/acc"]) sampledHistory(keys: ["train/loss"], samples: 10) } } }` }, { traceparent: `00-${traceId}-${parent}-01` });
  for (let i = 0; i < 100 && !collector.spans.some((s) => s.traceId === traceId && s.kind === 2); i++) await sleep(50);
  await sleep(300);
  await stop(r);
  await collector.close();
  const spans = collector.spans.filter((s) => s.traceId === traceId);
  const children = (id: string, depth: number): string[] =>
    spans.filter((s) => s.parentSpanId === id).flatMap((s) => [`${'  '.repeat(depth)}${s.name} (${['', 'internal', 'server', 'client'][s.kind] ?? s.kind})`, ...children(s.spanId, depth + 1)]);
  sections.push(
    '### Traces: one request arriving with a traceparent',
    '',
    `${spans.length} spans, all in the caller's trace, exported over OTLP/HTTP:`,
    '',
    '```',
    `(caller span ${parent})`,
    ...children(parent, 1),
    '```',
    '',
  );
  headline.push(`| traces | ${spans.length} spans in the caller's trace: operation, root field, ${spans.filter((s) => s.kind === 3).length} W&B request(s) |`);
}

for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
await emulator.close();
await redis.close();
rmSync(dataDir, { recursive: true, force: true });

const md = [
  '## Fleet: 3 replicas sharing Redis',
  '',
  `Command: \`npm run bench:fleet -- --delay ${DELAY} --steps ${STEPS} --interval ${INTERVAL}\` (\`bench/fleet.ts\`; needs \`redis-server\`). ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}. Each replica is \`npm start\` in its own process; the emulator runs in the bench process.`,
  '',
  '| scenario | result |',
  '|---|---|',
  ...headline,
  '',
  ...sections,
].join('\n');
if (ONLY !== undefined) {
  process.stdout.write(`${md}\n`);
  process.exit(0);
}
writeFileSync(new URL('./fleet.md', import.meta.url), md);
const benchmarks = new URL('../BENCHMARKS.md', import.meta.url);
const doc = readFileSync(benchmarks, 'utf8');
const start = doc.indexOf('## Fleet: ');
const end = doc.indexOf('\n## Emulator', Math.max(start, 0));
const updated = start >= 0 ? doc.slice(0, start) + md + (end >= 0 ? doc.slice(end) : '') : end >= 0 ? `${doc.slice(0, end)}\n${md}${doc.slice(end)}` : `${doc}\n${md}`;
writeFileSync(benchmarks, updated);
log('wrote bench/fleet.md and its section of BENCHMARKS.md');
process.stdout.write(`${md}\n`);
process.exit(0);
