/**
 * `npm run test:load`: a bounded load test. The emulator and the subgraph
 * run in a child process; autocannon sends a steady mix of queries over
 * loopback for a warm-up and then DURATION seconds (default 60). It fails
 * unless there were zero errors (transport, HTTP and GraphQL), the heap in
 * use after full collections did not grow by more than 20% from the first
 * half of the run to the second (a leak shows there), and the child's RSS
 * at the end is within 50% of its RSS after the warm-up.
 *
 * The child runs with the node flags of `npm run start:prod`, and
 * --trace-gc (the heap in use after each full collection is read from it).
 * Its V8 heap is capped at HEAP_MB (default 256 MB; 0 for Node's default),
 * as a container's memory limit caps it: uncapped, V8 lets the heap grow
 * towards its default limit (a quarter of the machine's memory) before
 * collecting. RSS is bounded loosely: it also holds what lies outside the
 * V8 heap (the emulator's SQLite in this process, buffers, the allocator),
 * which grew 12-30% in 60 s while the heap in use stayed flat.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { DEMO_API_KEY } from '../../../emulator/src/seed.js';

const duration = Number(process.env.DURATION ?? 60);
const warmup = Number(process.env.WARMUP ?? 10);
const rate = Number(process.env.RATE ?? 200);

const heapMb = process.env.HEAP_MB ?? '256';
// The node flags `npm run start:prod` (and the image) run the subgraph with.
const startFlags = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts['start:prod'].split(/\s+/).filter((a) => a.startsWith('--'));
const child = spawn(process.execPath, [...startFlags, '--trace-gc', ...(heapMb !== '0' ? [`--max-old-space-size=${heapMb}`] : []), '--import', 'tsx', 'test/reliability/load/stackMain.ts'], { stdio: ['ignore', 'pipe', 'inherit'] });
/** The heap in use after each full collection (MB), with when it was reported. */
const fullCollections: { at: number; mb: number }[] = [];
const url = await new Promise<string>((resolve, reject) => {
  let partial = '';
  child.stdout!.on('data', (b: Buffer) => {
    const lines = (partial + b.toString()).split('\n');
    partial = lines.pop()!.slice(-4096);
    for (const line of lines) {
      const ready = /READY (\S+)/.exec(line);
      if (ready) resolve(ready[1]);
      const gc = /Mark-Compact [\d.]+ \([\d.]+\) -> ([\d.]+) \(/.exec(line);
      if (gc) fullCollections.push({ at: performance.now(), mb: Number(gc[1]) });
    }
  });
  child.once('exit', (code) => reject(new Error(`stack exited with ${code}`)));
});
const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024;

const headers = { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`api:${DEMO_API_KEY}`).toString('base64')}` };
const page = (await (await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query: '{ runs(entity: "acme-ml", project: "image-classification", first: 20) { nodes { path } } }' }) })).json()) as {
  data: { runs: { nodes: { path: string }[] } };
};
const paths = page.data.runs.nodes.map((n) => n.path);
const bodies = [
  ...paths.map((p) => ({ query: `{ run(path: "${p}") { path displayName state summary(keys: ["train/loss"]) } }` })),
  { query: '{ runs(entity: "acme-ml", project: "image-classification", first: 20) { totalCount nodes { path state config(keys: ["lr"]) } } }' },
  { query: `{ run(path: "${paths[0]}") { history(first: 200, keys: ["train/loss"]) { edges { node { step values } } } } }` },
  { query: `{ run(path: "${paths[1]}") { sampledHistory(keys: ["train/loss"], samples: 100) files(first: 5) { totalCount } } }` },
].map((b) => JSON.stringify(b));

let graphqlErrors = 0;
/** The first failed answer, for the report. */
let firstError: string | undefined;
let i = 0;
const run = (seconds: number) =>
  autocannon({
    url,
    method: 'POST',
    headers,
    connections: 16,
    overallRate: rate,
    duration: seconds,
    requests: [
      {
        setupRequest: (req) => ({ ...req, body: bodies[i++ % bodies.length] }),
        onResponse: (status, body) => {
          if (status !== 200 || body.includes('"errors"')) {
            graphqlErrors++;
            firstError ??= `${status} ${body.slice(0, 500)}`;
          }
        },
      },
    ],
  });

try {
  await run(warmup);
  const afterWarmup = rssMb();
  graphqlErrors = 0;
  firstError = undefined;
  const start = performance.now();
  const result = await run(duration);
  const end = rssMb();
  const growth = (end - afterWarmup) / afterWarmup;
  // The largest heap in use after a full collection in each half of the run.
  const middle = start + ((performance.now() - start) / 2);
  const largest = (from: number, to: number) => Math.max(0, ...fullCollections.filter((c) => c.at >= from && c.at < to).map((c) => c.mb));
  const heapFirst = largest(start, middle);
  const heapSecond = largest(middle, Infinity);
  const heapGrowth = heapFirst > 0 && heapSecond > 0 ? (heapSecond - heapFirst) / heapFirst : null;
  const report = {
    durationSeconds: duration,
    targetRate: rate,
    requests: result.requests.total,
    requestsPerSecond: result.requests.average,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    graphqlErrors,
    ...(firstError ? { firstError } : {}),
    heapCapMb: heapMb === '0' ? null : Number(heapMb),
    rssMb: { afterWarmup: Math.round(afterWarmup), end: Math.round(end), growth: `${(growth * 100).toFixed(1)}%` },
    heapInUseAfterFullCollectionsMb: {
      firstHalf: heapFirst || null,
      secondHalf: heapSecond || null,
      growth: heapGrowth === null ? 'no full collection in a half' : `${(heapGrowth * 100).toFixed(1)}%`,
    },
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  const ok = result.errors === 0 && result.timeouts === 0 && result.non2xx === 0 && graphqlErrors === 0 && heapGrowth !== null && heapGrowth <= 0.2 && growth <= 0.5;
  process.stdout.write(ok ? 'load test passed\n' : 'load test FAILED\n');
  process.exitCode = ok ? 0 : 1;
} finally {
  child.kill('SIGTERM');
}
