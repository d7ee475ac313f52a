/**
 * `npm run bench:paging [-- --delay 50 --pairs 60]`: the latency of a runs
 * page through the subgraph (paged by key, see src/wandb/runsPaging.ts)
 * against the direct W&B document for the same page (W&B's own cursor),
 * interleaved, on the emulator paging by offset as W&B does, with an
 * upstream delay per request. Writes bench/runs-paging.md.
 *
 * The emulator runs in this process; the subgraph runs as a child process.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { spawnSubgraph } from '../test/helpers/subgraphProcess.js';
import { parseArgs } from 'node:util';
import { startEmulator } from '../emulator/src/server.js';
import { DEMO_API_KEY } from '../emulator/src/seed.js';

const { values } = parseArgs({ options: { delay: { type: 'string', default: '50' }, pairs: { type: 'string', default: '60' }, out: { type: 'string', default: 'bench/runs-paging.md' } } });
const DELAY = Number(values.delay);
const PAIRS = Number(values.pairs);
const auth = `Basic ${Buffer.from(`api:${DEMO_API_KEY}`).toString('base64')}`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const log = (m: string) => process.stderr.write(`${m}\n`);

const emulator = await startEmulator({ seed: { historyScale: 0.01 } });
const post = async (url: string, query: string, variables: Record<string, unknown>) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(`errors from ${url}: ${JSON.stringify(body.errors).slice(0, 300)}`);
  return body.data;
};

const { url: subgraphUrl, child } = await spawnSubgraph({ WANDB_BASE_URL: emulator.url, WANDB_API_KEY: DEMO_API_KEY, LOG_LEVEL: 'warn' });

const PAGE = `query Page($order: String, $first: Int, $after: String) {
  runs(entity: "acme-ml", project: "image-classification", order: $order, first: $first, after: $after) {
    totalCount edges { cursor node { id path displayName state createdAt } } pageInfo { hasNextPage endCursor } } }`;

/**
 * The direct document for the same page: what the subgraph sends, with W&B's
 * own cursor (the `after` argument and edge cursors) as the official client pages.
 */
function directDocument(sent: string): string {
  return sent
    .replace('$first: Int', '$first: Int, $after: String')
    .replace('first: $first)', 'first: $first, after: $after)')
    .replace(/edges\s*{/, 'edges { cursor');
}

const rows: string[] = [];
for (const [label, order, first, page] of [
  ['page 1, `+created_at`', '+created_at', 50, 1],
  ['page 2, `+created_at` (distinct creation times)', '+created_at', 50, 2],
  ['page 2, `-created_at`', '-created_at', 50, 2],
  ['page 1, `+config.optimizer.value` (3 values: the first group is longer than a page)', '+config.optimizer.value', 20, 1],
  ['page 2, `+config.optimizer.value` (starts inside a tie group)', '+config.optimizer.value', 20, 2],
  ['page 2, `-summary_metrics.val/acc`', '-summary_metrics.val/acc', 20, 2],
] as const) {
  log(`scenario: ${label}`);
  emulator.setDelay(0);
  const page1 = await post(subgraphUrl, PAGE, { order, first });
  // The direct document and W&B's cursor after page 1.
  emulator.resetRequests();
  await post(subgraphUrl, PAGE, { order, first });
  const sent = emulator.requests[emulator.requests.length - 1];
  const direct = directDocument(sent.query);
  const rawPage1 = await post(`${emulator.url}/graphql`, direct, { ...sent.variables, first, after: null });
  const rawCursor = rawPage1.project.runs.edges[rawPage1.project.runs.edges.length - 1].cursor;
  const directVars = { ...sent.variables, first, after: page === 1 ? null : rawCursor };
  const ours = { order, first, after: page === 1 ? null : page1.runs.pageInfo.endCursor };
  emulator.resetRequests();
  const check = await post(subgraphUrl, PAGE, ours);
  const reads = emulator.requestCount();
  const rawCheck = await post(`${emulator.url}/graphql`, direct, directVars);
  const same = JSON.stringify(check.runs.edges.map((e: any) => e.node.id)) === JSON.stringify(rawCheck.project.runs.edges.map((e: any) => e.node.id));
  emulator.setDelay(DELAY);
  const d: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < 5; i++) {
    await post(`${emulator.url}/graphql`, direct, directVars);
    await post(subgraphUrl, PAGE, ours);
  }
  // Interleaved, so both see the same machine noise.
  for (let i = 0; i < PAIRS; i++) {
    let t = performance.now();
    await post(`${emulator.url}/graphql`, direct, directVars);
    d.push(performance.now() - t);
    t = performance.now();
    await post(subgraphUrl, PAGE, ours);
    s.push(performance.now() - t);
  }
  rows.push(`| ${label} | ${first} | ${reads} | ${same ? 'yes' : 'no'} | ${median(d).toFixed(1)} ms | ${median(s).toFixed(1)} ms | **${(median(s) / median(d)).toFixed(2)}×** |`);
}

child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
await emulator.close();

const text = [
  '## Runs paging: the subgraph vs the direct W&B document',
  '',
  `Command: \`npm run bench:paging\` (\`bench/runs-paging.ts\`), ${cpus().length} vCPU, Node ${process.versions.node}. The emulator pages by offset, as W&B does, with ${DELAY} ms added to every request; the subgraph runs as a child process. For each order, page 1 or 2 of \`acme-ml/image-classification\` (103 seeded runs): through the subgraph after its cursor (asked for with a filter on the order), and directly with the same upstream document and W&B's own cursor. ${PAIRS} interleaved pairs; medians.`,
  '',
  '| page | first | subgraph upstream requests | same runs as the direct page | direct | subgraph | ratio |',
  '|---|---|---|---|---|---|---|',
  ...rows,
  '',
  'A page costs one upstream request when no group of runs sharing the sort value straddles its end. A group longer than the page is read again from its start by creation time (one more request, in sequence); a page that starts inside a group sends the reads of the group\'s rest and of what follows at once (one round trip). With no runs created or deleted, both pages hold the same runs unless the orders break ties differently (the subgraph by creation time then run id, the emulator by creation).',
  '',
].join('\n');
writeFileSync(values.out, text);
process.stdout.write(text);
