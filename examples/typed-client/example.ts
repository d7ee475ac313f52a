/**
 * What a frontend's data layer looks like with the generated types: paging a
 * runs table, unmasking its rows, scanning full-resolution history. Every
 * value below is typed from the published SDL; nothing is cast.
 *
 * Run it against a running subgraph (`npm start` serves the demo data on 4001):
 *
 *   npx tsx examples/typed-client/example.ts [url] [entity/project]
 *
 * WANDB_API_KEY is sent as the caller's key when set.
 */
import { pathToFileURL } from 'node:url';
import type { ResultOf, VariablesOf } from '@graphql-typed-document-node/core';
import { request } from './client.js';
import { getFragmentData, type FragmentType } from './gql/index.js';
import { HistoryScan, RunPage, RunRow, RunsTable, StartFileUpload } from './operations.js';

/** A runs-table row as the row component sees it, once unmasked. */
export type RunRowData = ResultOf<typeof RunRow>;

/** Where to send requests and as whom. */
export interface Endpoint {
  url: string;
  apiKey?: string;
}

/** The row component: it alone can read the RunRow fields of a masked reference. */
export function formatRunRow(ref: FragmentType<typeof RunRow>): string {
  const run = getFragmentData(RunRow, ref);
  const summary = JSON.stringify(run.summary);
  return `${run.path.padEnd(40)} ${run.state.padEnd(9)} ${(run.displayName ?? '').padEnd(28)} ${summary}`;
}

/**
 * Every run of a project matching `filters`, page by page (`pageSize` runs per
 * request), unmasked. `totalCount` is the server's count of matching runs.
 */
export async function listRuns(
  endpoint: Endpoint,
  variables: Omit<VariablesOf<typeof RunsTable>, 'first' | 'after'>,
  pageSize = 50,
): Promise<{ totalCount: number; pages: number; rows: (RunRowData & { cursor: string })[] }> {
  const rows: (RunRowData & { cursor: string })[] = [];
  let after: string | null = null;
  let totalCount = 0;
  let pages = 0;
  for (;;) {
    // Annotated because `after` feeds the next request: TS cannot infer a type that depends on itself.
    const { runs }: ResultOf<typeof RunsTable> = await request(endpoint.url, RunsTable, { ...variables, first: pageSize, after }, endpoint.apiKey);
    pages += 1;
    totalCount = runs.totalCount;
    for (const edge of runs.edges) rows.push({ ...getFragmentData(RunRow, edge.node), cursor: edge.cursor });
    if (!runs.pageInfo.hasNextPage || !runs.pageInfo.endCursor) break;
    after = runs.pageInfo.endCursor;
  }
  return { totalCount, pages, rows };
}

/** One history row of a full-resolution chart. */
export type HistoryPoint = NonNullable<ResultOf<typeof HistoryScan>['run']>['history']['edges'][number]['node'];

/** Every history row of a run holding all `keys`, in step order; null when the run does not exist. */
export async function scanHistory(endpoint: Endpoint, path: string, keys: string[], pageSize = 1000): Promise<HistoryPoint[] | null> {
  const points: HistoryPoint[] = [];
  let after: string | null = null;
  for (;;) {
    const { run }: ResultOf<typeof HistoryScan> = await request(endpoint.url, HistoryScan, { path, keys, first: pageSize, after }, endpoint.apiKey);
    if (!run) return null;
    points.push(...run.history.edges.map((e) => e.node));
    if (!run.history.pageInfo.hasNextPage || !run.history.pageInfo.endCursor) return points;
    after = run.history.pageInfo.endCursor;
  }
}

/**
 * Uploads a file into a run: asks the subgraph where to PUT the bytes, then
 * PUTs them there with the headers it gave. Returns the file's name.
 */
export async function uploadFile(endpoint: Endpoint, runPath: string, name: string, bytes: Uint8Array<ArrayBuffer> | string): Promise<string> {
  const { createRunFileUpload: upload } = await request(endpoint.url, StartFileUpload, { runPath, name }, endpoint.apiKey);
  const headers = Object.fromEntries(
    upload.uploadHeaders.map((h) => {
      const colon = h.indexOf(':');
      return [h.slice(0, colon).trim(), h.slice(colon + 1).trim()];
    }),
  );
  const res = await fetch(upload.uploadUrl, { method: 'PUT', headers, body: bytes });
  if (!res.ok) throw new Error(`PUT of ${name} into ${runPath} failed: HTTP ${res.status} ${await res.text()}`);
  return upload.file.name;
}

// Private:

async function main(url: string, projectPath: string): Promise<void> {
  const [entity, project] = projectPath.split('/');
  if (!entity || !project) throw new Error(`expected entity/project, got "${projectPath}"`);
  const endpoint: Endpoint = { url, apiKey: process.env.WANDB_API_KEY };

  const { runs } = await request(url, RunsTable, { entity, project, order: '-summary_metrics.val/acc', first: 5, summaryKeys: ['val/acc'] }, endpoint.apiKey);
  console.log(`${runs.totalCount} runs in ${projectPath}; the best five by val/acc:`);
  for (const edge of runs.edges) console.log(`  ${formatRunRow(edge.node)}`);

  const best = runs.edges[0] && getFragmentData(RunRow, runs.edges[0].node);
  if (!best) return;
  const { run } = await request(url, RunPage, { path: best.path, keys: ['train/loss'], samples: 10 }, endpoint.apiKey);
  console.log(`\n${best.path}: ${run?.historyKeys.length} history keys, last step ${run?.lastStep}, ${run?.files.totalCount} files`);
  console.log(`  sampled train/loss: ${JSON.stringify(run?.sampledHistory)}`);
  const points = await scanHistory(endpoint, best.path, ['val/acc']);
  console.log(`  val/acc at full resolution: ${points?.length} points, last ${JSON.stringify(points?.at(-1))}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv[2] ?? 'http://127.0.0.1:4001/graphql', process.argv[3] ?? 'acme-ml/image-classification');
}
