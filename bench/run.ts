/**
 * `npm run bench [-- --delay 50 --reps 15 --runs 5 --quick]`: the subgraph
 * side by side, in one run, with the best direct W&B document for the same
 * data, with a minimal Apollo subgraph (the ceiling), and with the official
 * W&B client's history scan, on the embedded emulator with an injected
 * upstream delay per request. Writes BENCHMARKS.md.
 *
 * The emulator runs in this process (its delay is switched per scenario);
 * the subgraph runs as a child process, so its CPU time and RSS are its own.
 */
import { execSync, spawn, type ChildProcess } from 'node:child_process';
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
    reps: { type: 'string', default: '15' },
    // Scenarios to run (comma-separated numbers); all by default.
    only: { type: 'string', default: '1,2,3,4' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: 'BENCHMARKS.md' },
  },
});
const DELAY = Number(values.delay);
const RUNS = Number(values.runs);
const REPS = Number(values.reps);
const ONLY = new Set(values.only!.split(','));
const QUICK = values.quick;
const HISTORY_STEPS = QUICK ? 100_000 : 1_000_000;
/** The subgraph's V8 heap cap for the RSS figures (MB), as in a container with twice that memory. */
const HEAP_CAP_MB = 256;

const auth = `Basic ${Buffer.from(`api:${DEMO_API_KEY}`).toString('base64')}`;
const ops = (name: string) => readFileSync(new URL(`../../shared/wandb/client-operations/${name}.graphql`, import.meta.url), 'utf8');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const ms = (t0: number) => performance.now() - t0;
const log = (m: string) => process.stderr.write(`${m}\n`);

// --- the emulator (this process) and the subgraph (a child) ---

// The servers run compiled, as deployed (the image runs dist/src/main.js): the subgraph from
// `npm run build`, the ceiling and the static upstream from tsconfig.bench.json. Under tsx, the
// loader's hooks add about 10% CPU per request to any Apollo server (it requires a module per request).
log('building the subgraph and the bench servers');
execSync('npm run build --silent && npx tsc -p tsconfig.bench.json', { stdio: 'inherit' });

const dataDir = mkdtempSync(join(tmpdir(), 'wandb-bench-'));
const emulator: Emulator = await startEmulator({ dataDir, seed: { historyScale: 0.05 } });
/** The text of the answer to a GraphQL request to `url`, as the demo user. */
const answerText = (url: string, query: string, variables: Record<string, unknown> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: JSON.stringify({ query, variables }) }).then((r) => r.text());
/** The data of a GraphQL answer; throws on errors. */
const post = async (url: string, query: string, variables: Record<string, unknown> = {}) => {
  const body = JSON.parse(await answerText(url, query, variables)) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(`errors from ${url}: ${JSON.stringify(body.errors).slice(0, 300)}`);
  return body.data;
};
const wandb = (query: string, variables: Record<string, unknown> = {}) => post(`${emulator.url}/graphql`, query, variables);

/** Starts a child process and waits for the URL it prints after `label`. */
async function spawnServer(args: string[], env: Record<string, string>, label: string, onOutput?: (text: string) => void): Promise<{ child: ChildProcess; url: string }> {
  // Servers run as deployed: NODE_ENV=production (graphql-js skips its development-only checks).
  const proc = spawn(process.execPath, args, { env: { ...process.env, NODE_ENV: 'production', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (b: Buffer) => {
      const text = b.toString();
      onOutput?.(text);
      out = (out + text).slice(-4096);
      const m = new RegExp(`${label}:\\s+(\\S+)`).exec(out);
      if (m) resolve(m[1]);
    });
    proc.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
  return { child: proc, url };
}
const stop = async (proc: ChildProcess) => {
  proc.kill('SIGTERM');
  await new Promise((r) => proc.once('exit', r));
};

/** Node flags the subgraph runs with, as `npm run start:prod` and the image give them. */
const nodeFlags = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }).scripts['start:prod']
  .split(/\s+/)
  .filter((a) => a.startsWith('--'));

let child!: ChildProcess;
let subgraphUrl = '';
/** Starts the subgraph; `heapMb` caps its V8 heap as a container's memory limit would; `onGc` hears V8's GC trace. */
async function startChild(heapMb?: number, onGc?: (text: string) => void): Promise<void> {
  const flags = [...nodeFlags, ...(heapMb ? [`--max-old-space-size=${heapMb}`] : []), ...(onGc ? ['--trace-gc'] : [])];
  ({ child, url: subgraphUrl } = await spawnServer([...flags, 'dist/src/main.js'], { PORT: '0', WANDB_BASE_URL: emulator.url, WANDB_API_KEY: DEMO_API_KEY, LOG_LEVEL: 'warn' }, 'Subgraph', onGc));
}
async function stopChild(): Promise<void> {
  await stop(child);
}
const subgraph = (query: string, variables: Record<string, unknown> = {}) => post(subgraphUrl, query, variables);
/** CPU seconds (user and system) a process has used. */
const cpuSecondsOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(stat[11]) + Number(stat[12])) / 100;
};
/** The subgraph's CPU seconds, RSS and peak RSS. */
const proc = () => {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)![1]);
  return { cpuSeconds: cpuSecondsOf(child.pid!), rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
};
/**
 * CPU milliseconds process `pid` spends per request, sent one at a time:
 * `count` requests, or as many as take `seconds` (the clock ticks every
 * 10 ms, so a longer run reads finer).
 */
async function cpuMsPerRequest(pid: number, send: () => Promise<unknown>, { count, seconds }: { count?: number; seconds?: number }): Promise<number> {
  const cpu0 = cpuSecondsOf(pid);
  const t0 = performance.now();
  let n = 0;
  while (count !== undefined ? n < count : n < 20 || performance.now() - t0 < seconds! * 1000) {
    await send();
    n++;
  }
  return ((cpuSecondsOf(pid) - cpu0) * 1000) / n;
}

const results: string[] = [];
const headline: Record<string, string> = {};

// --- the long history, ingested first (scenarios "history page", 3 and 4 read it) ---
log(`ingesting a ${HISTORY_STEPS}-step history`);
const db = emulator.db;
const benchUser = db.prepare(`SELECT * FROM users WHERE username = 'demo'`).get() as UserRow;
const benchProject = visibleProject(db, benchUser, 'demo', 'bench') ?? ensureProject(db, benchUser.default_entity_id!, 'bench', '2026-11-01T00:00:00Z');
const longRun = findRun(db, benchProject.id, 'million1') ?? createRun(db, benchProject.id, 'million1', benchUser.id, '2026-11-01T00:00:00Z', { state: 'finished' });
for (let start = 0; start < HISTORY_STEPS; start += 10_000) {
  const lines: string[] = [];
  for (let step = start; step < start + 10_000; step++) {
    lines.push(`{"_step":${step},"_runtime":${step * 0.01},"_timestamp":${1790000000 + step * 0.01},"loss":${1 / (1 + step)},"acc":${step / HISTORY_STEPS},"lr":0.001,"grad_norm":${(step % 97) / 10},"tokens":${step * 512}}`);
  }
  db.transaction(() => appendHistory(db, longRun.id, lines))();
}
const setLongRunState = (state: string) => db.prepare(`UPDATE runs SET state = ? WHERE id = ?`).run(state, longRun.id);

await startChild();

// --- 1. Side by side with the best direct W&B document ---
if (ONLY.has('1')) {
  log('scenario 1: side by side with direct documents');
  emulator.setDelay(DELAY);
  // A running run: its pages are not read ahead, so both sides read what they show.
  setLongRunState('running');
  const spec = JSON.stringify({ keys: ['_step', 'train/loss', 'train/acc'], samples: 500 });
  const refs: { __typename: 'Run'; path: string }[] = [];
  for (const [entity, project] of [['acme-ml', 'image-classification'], ['acme-ml', 'llm-finetune'], ['demo', 'scratch']]) {
    const page = await subgraph(`{ runs(entity: "${entity}", project: "${project}", first: 40) { nodes { path } } }`);
    refs.push(...page.runs.nodes.map((n: { path: string }) => ({ __typename: 'Run' as const, path: n.path })));
  }
  const entityRefs = refs.slice(0, 100);
  const byProject = new Map<string, string[]>();
  for (const { path } of entityRefs) {
    const [e, p, r] = path.split('/');
    byProject.set(`${e}/${p}`, [...(byProject.get(`${e}/${p}`) ?? []), r]);
  }
  const directLookups = `query { ${[...byProject.entries()]
    .map(([ep, runs], i) => {
      const [e, p] = ep.split('/');
      return `p${i}: project(entityName: ${JSON.stringify(e)}, name: ${JSON.stringify(p)}) { ${runs.map((r, j) => `r${j}: run(name: ${JSON.stringify(r)}) { name displayName state }`).join(' ')} }`;
    })
    .join(' ')} }`;
  // The floor: a minimal Apollo subgraph (bench/ceiling.ts) serving the same data from the same emulator.
  const floor = await spawnServer(['dist/bench/ceiling.js'], { UPSTREAM_URL: emulator.url }, 'Ceiling');
  // The hop alone (bench/passThrough.ts): the direct document forwarded as bytes, no GraphQL.
  const hop = await spawnServer(['dist/bench/passThrough.js'], { UPSTREAM_URL: emulator.url }, 'PassThrough');
  const scenarios: { name: string; target: number | null; subgraph: [string, Record<string, unknown>?]; direct: [string, Record<string, unknown>?]; ceiling?: [string, Record<string, unknown>?] }[] = [
    {
      name: 'run(path) with displayName and state',
      target: null,
      subgraph: ['{ run(path: "demo/bench/million1") { displayName state } }'],
      ceiling: ['{ run(path: "demo/bench/million1") { displayName state } }'],
      direct: ['{ project(name: "bench", entityName: "demo") { run(name: "million1") { displayName state } } }'],
    },
    {
      name: '100 runs with summary, sampledHistory, files(first: 3), artifact count',
      target: 1.1,
      subgraph: [
        `{ runs(entity: "acme-ml", project: "image-classification", first: 100) { nodes { runId summary sampledHistory(keys: ["train/loss", "train/acc"]) files(first: 3) { edges { node { name } } } loggedArtifacts { totalCount } } } }`,
      ],
      ceiling: [`{ runs(entity: "acme-ml", project: "image-classification", first: 100) { nodes { runId summary sampledHistory(keys: ["train/loss", "train/acc"]) files(first: 3) { edges { node { name } } } loggedArtifacts { totalCount } } } }`],
      direct: [
        `query D($spec: JSONString!) { project(name: "image-classification", entityName: "acme-ml") { runs(first: 100, order: "+created_at") { edges { node { name summaryMetrics sampledHistory(specs: [$spec]) files(first: 3) { edges { node { name } } } outputArtifacts { totalCount } } } } } }`,
        { spec },
      ],
    },
    {
      name: '50 runs with name, state, config, summary',
      target: 1.05,
      subgraph: [`{ runs(entity: "acme-ml", project: "image-classification", first: 50) { nodes { runId state config summary } } }`],
      ceiling: [`{ runs(entity: "acme-ml", project: "image-classification", first: 50) { nodes { runId state config summary } } }`],
      direct: [`{ project(name: "image-classification", entityName: "acme-ml") { runs(first: 50, order: "+created_at") { edges { node { name state config summaryMetrics } } } } }`],
    },
    {
      name: 'run(path) with history(first: 1000)',
      target: 1.1,
      subgraph: [`{ run(path: "demo/bench/million1") { history(first: 1000) { edges { node { step values } } pageInfo { hasNextPage endCursor } } } }`],
      ceiling: [`{ run(path: "demo/bench/million1") { history(first: 1000) { edges { node { step values } } pageInfo { hasNextPage endCursor } } } }`],
      direct: [`{ project(name: "bench", entityName: "demo") { run(name: "million1") { history(minStep: 0, maxStep: 1000, samples: 1000) } } }`],
    },
    {
      name: '50 runs with history(first: 100) each',
      target: null,
      subgraph: [`{ runs(entity: "acme-ml", project: "image-classification", first: 50) { nodes { runId history(first: 100) { edges { node { step values } } } } } }`],
      direct: [`{ project(name: "image-classification", entityName: "acme-ml") { runs(first: 50, order: "+created_at") { edges { node { name history(minStep: 0, maxStep: 100, samples: 100) } } } } }`],
    },
    {
      name: `_entities of ${entityRefs.length} run references over ${byProject.size} projects`,
      target: 1.1,
      subgraph: ['query E($r: [_Any!]!) { _entities(representations: $r) { ... on Run { path displayName state } } }', { r: entityRefs }],
      ceiling: ['query E($r: [_Any!]!) { _entities(representations: $r) { ... on Run { path displayName state } } }', { r: entityRefs }],
      direct: [directLookups],
    },
  ];
  const rows: string[] = [];
  for (const sc of scenarios) {
    const direct: number[] = [];
    const ours: number[] = [];
    const least: number[] = [];
    const bare: number[] = [];
    let directRequests = 0;
    let ourRequests = 0;
    // Warm all (document caches, JIT), then interleave.
    for (let i = 0; i < 3; i++) {
      await post(`${emulator.url}/graphql`, sc.direct[0], sc.direct[1]);
      await subgraph(sc.subgraph[0], sc.subgraph[1]);
      if (sc.ceiling) await post(floor.url, sc.ceiling[0], sc.ceiling[1]);
      await post(hop.url, sc.direct[0], sc.direct[1]);
    }
    const sides: (() => Promise<void>)[] = [
      async () => {
        emulator.resetRequests();
        const t = performance.now();
        await post(`${emulator.url}/graphql`, sc.direct[0], sc.direct[1]);
        direct.push(ms(t));
        directRequests = emulator.requestCount();
      },
      async () => {
        emulator.resetRequests();
        const t = performance.now();
        await subgraph(sc.subgraph[0], sc.subgraph[1]);
        ours.push(ms(t));
        ourRequests = emulator.requestCount();
      },
      ...(sc.ceiling
        ? [
            async () => {
              const t = performance.now();
              await post(floor.url, sc.ceiling![0], sc.ceiling![1]);
              least.push(ms(t));
            },
          ]
        : []),
      async () => {
        const t = performance.now();
        await post(hop.url, sc.direct[0], sc.direct[1]);
        bare.push(ms(t));
      },
    ];
    // Each repetition runs every side once, in an order that turns, so that none always follows another.
    for (let i = 0; i < REPS; i++) {
      for (let k = 0; k < sides.length; k++) await sides[(i + k) % sides.length]();
    }
    const ratio = median(ours) / median(direct);
    // What the client pays to parse each answer (JSON.parse of the body, warm, median of 20): history
    // values come from the subgraph as objects, as the contract's JSON scalar gives them, and from W&B as strings.
    const parseMs = async (url: string, [query, variables]: [string, Record<string, unknown>?]) => {
      const text = await answerText(url, query, variables);
      const times: number[] = [];
      for (let i = 0; i < 25; i++) {
        const t = performance.now();
        JSON.parse(text);
        if (i >= 5) times.push(ms(t));
      }
      return median(times);
    };
    const parseCell = `${(await parseMs(subgraphUrl, sc.subgraph)).toFixed(2)} / ${(await parseMs(`${emulator.url}/graphql`, sc.direct)).toFixed(2)} ms`;
    // CPU per request of the subgraph and the ceiling, at 0 ms delay (the delay is idle time).
    emulator.setDelay(0);
    const seconds = QUICK ? 1 : 2;
    const ourCpu = await cpuMsPerRequest(child.pid!, () => subgraph(sc.subgraph[0], sc.subgraph[1]), { seconds });
    const floorCpu = sc.ceiling ? await cpuMsPerRequest(floor.child.pid!, () => post(floor.url, sc.ceiling![0], sc.ceiling![1]), { seconds }) : null;
    emulator.setDelay(DELAY);
    const cpuCell = `${ourCpu.toFixed(2)} / ${floorCpu === null ? '–' : `${floorCpu.toFixed(2)} ms`}`;
    const floorCell = least.length ? `${median(least).toFixed(1)} ms, ${(median(least) / median(direct)).toFixed(2)}×` : '–';
    const targetCell = sc.target === null ? '–' : `≤ ${sc.target.toFixed(2)}× ${ratio <= sc.target ? 'met' : '**missed**'}`;
    rows.push(
      `| ${sc.name} | ${median(direct).toFixed(1)} ms (${directRequests}) | ${median(ours).toFixed(1)} ms (${ourRequests}) | **${ratio.toFixed(2)}×** | ${targetCell} | ${floorCell} | ${median(bare).toFixed(1)} ms, ${(median(bare) / median(direct)).toFixed(2)}× | ${parseCell} | ${cpuCell} |`,
    );
    headline[sc.name] = `${ratio.toFixed(2)}× the direct document (${median(ours).toFixed(0)} ms vs ${median(direct).toFixed(0)} ms; ${ourRequests} upstream request${ourRequests === 1 ? '' : 's'})`;
  }
  await stop(floor.child);
  await stop(hop.child);
  setLongRunState('finished');
  results.push(
    `## 1. Side by side with the direct W&B document (upstream delay ${DELAY} ms)`,
    '',
    `Each query against the best single W&B document a developer would write for the same data, sent to the same emulator (same delay), ${REPS} interleaved repetitions after 3 warm-ups (each repetition runs the sides in a turning order); medians, upstream requests in brackets. The direct client is this benchmark's \`fetch\`, which parses the JSON answer as the subgraph's client does. The history run is marked running for this scenario, so no page is read ahead. The ceiling column is the floor of an Apollo subgraph: the minimal one of scenario 2 (\`bench/ceiling.ts\`), whose resolver sends the same direct document through one keep-alive hop and maps its answer (one DataLoader for _entities; no limits, checks or metrics), timed in the same interleaving. The column after it is the hop alone: a server that forwards the direct document's bytes and answers with W&B's (\`bench/passThrough.ts\`, no GraphQL), the least any server between a client and W&B adds. The first row, a lookup of two fields, shows the fixed cost of a request. The next column is what the client spends in JSON.parse on each side's answer (warm, median of 20), which the timings include: the subgraph gives history values as objects (the contract's JSON scalar), W&B gives them as strings that a client would still have to parse. The 50-run history row has no target; it shows that cost at 5,000 rows. The last column is the CPU time (user and system) each server's process spends per request, sent one at a time for ${QUICK ? 1 : 2} s at 0 ms delay after the timings.`,
    '',
    '| query | direct W&B document | subgraph | ratio | target | minimal subgraph (ceiling) | the hop alone | client parse, subgraph / direct | CPU per request, subgraph / ceiling |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  );

  // --- 1b. How a run is looked up: emulator cost per lookup of each form ---
  log('scenario 1b: lookup forms');
  emulator.setDelay(0);
  const byIn = `query { ${[...byProject.entries()]
    .map(([ep, runs], i) => {
      const [e, p] = ep.split('/');
      return `p${i}: project(entityName: ${JSON.stringify(e)}, name: ${JSON.stringify(p)}) { runs(filters: ${JSON.stringify(JSON.stringify({ name: { $in: runs } }))}, first: ${runs.length}) { edges { node { name displayName state } } } }`;
    })
    .join(' ')} }`;
  const single = (path: string, form: 'in' | 'run') => {
    const [e, p, r] = path.split('/');
    return form === 'run'
      ? `{ project(entityName: ${JSON.stringify(e)}, name: ${JSON.stringify(p)}) { run(name: ${JSON.stringify(r)}) { name displayName state } } }`
      : `{ project(entityName: ${JSON.stringify(e)}, name: ${JSON.stringify(p)}) { runs(filters: ${JSON.stringify(JSON.stringify({ name: { $in: [r] } }))}, first: 1) { edges { node { name displayName state } } } } }`;
  };
  const costOf = async (doc: string, lookups: number, reps: number) => {
    for (let i = 0; i < 5; i++) await post(`${emulator.url}/graphql`, doc);
    const raw = await answerText(`${emulator.url}/graphql`, doc);
    const c0 = process.cpuUsage();
    for (let i = 0; i < reps; i++) await post(`${emulator.url}/graphql`, doc);
    const c = process.cpuUsage(c0);
    return { cpuUs: (c.user + c.system) / reps / lookups, requestBytes: Buffer.byteLength(JSON.stringify({ query: doc })), answerBytes: Buffer.byteLength(raw) };
  };
  const forms = [
    { name: 'one run: `runs(filters: {name: {$in: [id]}}, first: 1)`', ...(await costOf(single(entityRefs[0].path, 'in'), 1, 400)) },
    { name: 'one run: `project { run(name) }`', ...(await costOf(single(entityRefs[0].path, 'run'), 1, 400)) },
    { name: `${entityRefs.length} runs: one \`runs(filters: {name: {$in}})\` per project`, ...(await costOf(byIn, entityRefs.length, 60)) },
    { name: `${entityRefs.length} runs: aliased \`run(name)\` grouped by project`, ...(await costOf(directLookups, entityRefs.length, 60)) },
  ];
  results.push(
    '## 1b. Looking runs up by path: which W&B form costs less',
    '',
    'Each form sent to the emulator (0 ms delay) with the same selection (`name displayName state`); CPU of the benchmark process (the emulator runs in it; the client side is the same for both forms) per run looked up, and bytes each way. The subgraph uses the `run(name)` form for both cases.',
    '',
    '| form | CPU per lookup | request bytes | answer bytes |',
    '|---|---|---|---|',
    ...forms.map((f) => `| ${f.name} | ${(f.cpuUs / 1000).toFixed(3)} ms | ${f.requestBytes} | ${f.answerBytes} |`),
    '',
  );
  emulator.setDelay(DELAY);
}

// --- 2. Throughput against a static upstream answer, with the ceiling ---
if (ONLY.has('2')) {
  log('scenario 2: throughput vs the ceiling');
  const page = await subgraph('{ runs(entity: "acme-ml", project: "image-classification", first: 1) { nodes { path } } }');
  const path = page.runs.nodes[0].path;
  const query = `{ run(path: "${path}") { path displayName state createdAt } }`;
  emulator.setDelay(0);
  emulator.resetRequests();
  await subgraph(query);
  const sent = emulator.requests[0];
  const answer = await answerText(`${emulator.url}/graphql`, sent.query, sent.variables);
  const bodyFile = join(dataDir, 'static-answer.json');
  writeFileSync(bodyFile, answer);
  const staticUp = await spawnServer(['dist/bench/staticUpstream.js'], { STATIC_BODY_FILE: bodyFile }, 'Static');
  const ceiling = await spawnServer(['dist/bench/ceiling.js'], { UPSTREAM_URL: staticUp.url }, 'Ceiling');
  const ours = await spawnServer([...nodeFlags, 'dist/src/main.js'], { PORT: '0', WANDB_BASE_URL: staticUp.url, WANDB_API_KEY: DEMO_API_KEY, LOG_LEVEL: 'warn' }, 'Subgraph');
  for (const url of [ceiling.url, ours.url]) await post(url, query);
  // Many short interleaved rounds: each pair of neighbouring rounds sees the same load from the
  // machine's other work, so the ratio is taken per pair (median), as well as of the medians.
  const seconds = QUICK ? 3 : 4;
  const rounds = QUICK ? 3 : 9;
  const round = async (url: string) => {
    const r = await autocannon({ url, method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: JSON.stringify({ query }), connections: 10, duration: seconds });
    return { rps: r.requests.average, errors: r.errors + r.non2xx + r.timeouts, p99: r.latency.p99 };
  };
  // Warm-up rounds, then interleaved rounds, the order alternating.
  await round(ceiling.url);
  await round(ours.url);
  const c: { rps: number; errors: number; p99: number }[] = [];
  const s: { rps: number; errors: number; p99: number }[] = [];
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      c.push(await round(ceiling.url));
      s.push(await round(ours.url));
    } else {
      s.push(await round(ours.url));
      c.push(await round(ceiling.url));
    }
  }
  // CPU per request of each server, one request at a time.
  const n = QUICK ? 1000 : 3000;
  const cpuMs = await cpuMsPerRequest(ours.child.pid!, () => post(ours.url, query), { count: n });
  const ceilingCpuMs = await cpuMsPerRequest(ceiling.child.pid!, () => post(ceiling.url, query), { count: n });
  for (const p of [ours.child, ceiling.child, staticUp.child]) await stop(p);
  const med = (xs: { rps: number }[]) => median(xs.map((x) => x.rps));
  const ratio = median(s.map((x, i) => x.rps / c[i].rps));
  results.push(
    '## 2. Throughput of `run(path)` against the ceiling',
    '',
    `\`run(path) { path displayName state createdAt }\` against a static upstream answer (a separate process that answers every request with the subgraph's own lookup answer, recorded from the emulator). The ceiling is a minimal Apollo subgraph (\`bench/ceiling.ts\`: @apollo/server, one federated type, one resolver making one keep-alive request to the same static answer). autocannon (in the benchmark's process), 10 connections, ${rounds} interleaved rounds of ${seconds} s each after a warm-up round each; the ratio is the median of the ratios of neighbouring rounds. All processes share the machine.`,
    '',
    '| server | requests/s, median (rounds) | p99 | errors |',
    '|---|---|---|---|',
    `| ceiling | ${med(c).toFixed(0)} (${c.map((x) => x.rps.toFixed(0)).join(', ')}) | ${median(c.map((x) => x.p99))} ms | ${c.reduce((a, x) => a + x.errors, 0)} |`,
    `| subgraph | ${med(s).toFixed(0)} (${s.map((x) => x.rps.toFixed(0)).join(', ')}) | ${median(s.map((x) => x.p99))} ms | ${s.reduce((a, x) => a + x.errors, 0)} |`,
    `| ratio | **${ratio.toFixed(2)}×** the ceiling (target ≥ 0.9×); ratio of the medians ${(med(s) / med(c)).toFixed(2)}× | | |`,
    '',
    `CPU per request, one request at a time (${n} requests each): subgraph ${cpuMs.toFixed(3)} ms, ceiling ${ceilingCpuMs.toFixed(3)} ms.`,
    '',
  );
  headline['run(path) throughput'] = `${med(s).toFixed(0)} req/s, ${ratio.toFixed(2)}× the ceiling server (${med(c).toFixed(0)} req/s); ${cpuMs.toFixed(2)} ms CPU per request (ceiling ${ceilingCpuMs.toFixed(2)} ms)`;
  emulator.setDelay(DELAY);
}

// --- 3 and 4. Full history scan and deep paging ---
if (ONLY.has('3')) {
  const run = longRun;
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
  // RSS, heap uncapped: a fresh subgraph, a 100k-step scan, then the whole run (pages of 10,000);
  // V8's GC trace tells the heap still in use after each full collection (what the scan keeps).
  let liveMb = 0;
  const fullGc = /Mark-Compact[^\n]*?[\d.]+ \([\d.]+\) -> ([\d.]+) \(/g;
  await stopChild();
  let carry = '';
  await startChild(undefined, (text) => {
    const lines = (carry + text).split('\n');
    carry = lines.pop()!;
    for (const m of lines.join('\n').matchAll(fullGc)) liveMb = Math.max(liveMb, Number(m[1]));
  });
  await ourScan(10_000, 100_000);
  const uncapped100k = proc().peakMb;
  const live100k = liveMb;
  await ourScan(10_000, HISTORY_STEPS);
  const uncappedFull = proc().peakMb;
  const liveFull = liveMb;
  // Then the same with the heap capped as in a container (the scans below run on this one).
  await stopChild();
  await startChild(HEAP_CAP_MB);
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
    `| subgraph, history(first: 1000) | ${ours1k.rows} | ${ours1k.seconds.toFixed(1)} s | ${rate(ours1k).toFixed(0)} | **${(rate(ours1k) / rate(client)).toFixed(2)}×** (target ≥ 1.5×) |`,
    `| subgraph, history(first: 10000) | ${ours10k.rows} | ${ours10k.seconds.toFixed(1)} s | ${rate(ours10k).toFixed(0)} | **${(rate(ours10k) / rate(client)).toFixed(2)}×** |`,
    '',
    `Subgraph peak RSS, its V8 heap capped at ${HEAP_CAP_MB} MB (\`--max-old-space-size\`, as a container's memory limit caps it; the scans above ran on this process): ${peak100k.toFixed(0)} MB after a 100,000-step scan, ${peakFull.toFixed(0)} MB after the full scans: **${(peakFull / peak100k).toFixed(2)}×** (target ≤ 1.1×).`,
    '',
    `Heap uncapped (Node's default limit, a quarter of this machine's memory, which V8 grows towards before collecting): ${uncapped100k.toFixed(0)} MB after a 100,000-step scan, ${uncappedFull.toFixed(0)} MB after a ${HISTORY_STEPS.toLocaleString('en')}-step scan in pages of 10,000: ${(uncappedFull / uncapped100k).toFixed(2)}×. The heap in use after a full collection (the largest V8's GC trace reported, \`--trace-gc\`): ${live100k > 0 ? `${live100k.toFixed(1)} MB during the 100,000-step scan, ${liveFull.toFixed(1)} MB by the end of the ${HISTORY_STEPS.toLocaleString('en')}-step one: **${(liveFull / live100k).toFixed(2)}×**` : 'none reported during the 100,000-step scan (no full collection)'}.`,
    '',
  );
  headline['history scan'] = `${(rate(ours1k) / rate(client)).toFixed(2)}× the client at first: 1000, ${(rate(ours10k) / rate(client)).toFixed(2)}× at 10000; peak RSS ${(peakFull / peak100k).toFixed(2)}× from 100k to ${HISTORY_STEPS / 1000}k steps with a ${HEAP_CAP_MB} MB heap (${(uncappedFull / uncapped100k).toFixed(2)}× uncapped; heap in use after full collections ${live100k > 0 ? `${(liveFull / live100k).toFixed(2)}×` : 'n/a'})`;

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
  `Command: \`npm run bench -- --delay ${DELAY} --reps ${REPS} --runs ${RUNS}${QUICK ? ' --quick' : ''}\` (\`bench/run.ts\`), Node ${process.version}. Every scenario runs the subgraph and its baseline side by side in one run, against the embedded emulator with an injected delay per upstream request: the best direct W&B document for the same data (scenario 1), a minimal Apollo subgraph over the same static upstream answer (the ceiling, scenario 2), the official W&B client's \`scan_history\` (the documents in \`../shared/wandb/client-operations/\`, scenario 3). The subgraph and the other servers run compiled (\`npm run build\`, as the image runs them), each in its own process, with NODE_ENV=production. The machine is shared with other work, so figures vary between runs by 10-30 %; ratios come from interleaved runs.`,
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
