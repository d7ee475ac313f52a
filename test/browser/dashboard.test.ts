/**
 * The dashboard in a real browser (Debian's Chromium driven by
 * playwright-core): the built app served by the subgraph, the subgraph in
 * front of the emulator with the demo data, all on loopback. Screenshots go
 * to test-artifacts/dashboard/, with the GraphQL and W&B request counts of
 * each view's first load (requests.json).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DEMO_API_KEY } from '../../emulator/src/seed.js';
import { prepareDashboard } from '../../src/http/dashboard.js';
import { startStack, subgraphClient, type Stack } from '../helpers/stack.js';
import { wandbClient } from '../../emulator/test/helpers/emulator.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const ARTIFACTS = new URL('../../test-artifacts/dashboard/', import.meta.url).pathname;
const PROJECT = 'acme-ml/image-classification';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`dashboard browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

/** Retries an assertion until it passes or `timeoutMs` passes (then throws its last failure). */
async function eventually(assertion: () => Promise<void>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

interface FirstLoad {
  page: Page;
  /** Operation names of the GraphQL requests the page sent over HTTP. */
  graphql: string[];
  /** GraphQL requests the emulator (W&B) received meanwhile. */
  upstream: number;
  /** The same count as each GraphQL response reached the page (before a subscription's polls). */
  upstreamAtResponses: number[];
}

(haveChromium ? describe : describe.skip)('dashboard in Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let base: string;
  const counts: Record<string, { graphql: string[]; upstream: number; upstreamAtResponses: number[] }> = {};
  const api = () => subgraphClient(stack);

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const build = await prepareDashboard();
    if (!build.dir) throw new Error(`dashboard not built: ${'reason' in build ? build.reason : ''}`);
    stack = await startStack({
      emulator: { seed: { historyScale: 0.1 } },
      // The browser sends no key: the demo's service key answers, as with npm start.
      serviceKey: DEMO_API_KEY,
      subgraph: { dashboardDir: build.dir, live: { intervalMs: 150, maxIntervalMs: 300 } },
    });
    base = new URL('/dashboard/', stack.subgraph.url).href;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  }, 60_000);

  afterAll(async () => {
    writeFileSync(`${ARTIFACTS}requests.json`, `${JSON.stringify(counts, null, 2)}\n`);
    await context?.close();
    await browser?.close();
    await stack?.close();
  });

  /** Opens `hash` in a new page (a new Apollo cache) and counts requests until `ready` and network idle. */
  async function firstLoad(name: string, hash: string, ready: (page: Page) => Promise<unknown>): Promise<FirstLoad> {
    const page = await context.newPage();
    const graphql: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname !== '/graphql') return;
      const body = request.postDataJSON() as { operationName?: string } | null;
      graphql.push(body?.operationName ?? request.method());
    });
    const upstreamAtResponses: number[] = [];
    page.on('response', (response) => {
      if (new URL(response.url()).pathname === '/graphql') upstreamAtResponses.push(stack.emulator.requestCount());
    });
    stack.emulator.resetRequests();
    await page.goto(`${base}${hash}`);
    await ready(page);
    await page.waitForLoadState('networkidle');
    const upstream = stack.emulator.requestCount();
    counts[name] = { graphql: [...graphql], upstream, upstreamAtResponses: [...upstreamAtResponses] };
    return { page, graphql, upstream, upstreamAtResponses };
  }

  const rowIds = (page: Page) => page.locator('[data-testid=run-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run-id')));
  const points = async (page: Page, testId: string) => Number(await page.getByTestId(testId).getAttribute('data-points'));
  const shot = (page: Page, name: string) => page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });

  it('loads the runs table with the demo data in one GraphQL request and one W&B request', async () => {
    const expected = await api()(`{ runs(entity: "acme-ml", project: "image-classification", first: 20, order: "-created_at") { totalCount nodes { runId } } }`);
    const { page, graphql, upstream } = await firstLoad('runs table', `#/p/${PROJECT}`, (p) => p.getByTestId('run-row').first().waitFor());
    expect(graphql).toEqual(['ProjectRuns']);
    expect(upstream).toBeLessThanOrEqual(1);
    expect(await rowIds(page)).toEqual(expected.data.runs.nodes.map((n: any) => n.runId));
    await expect(page.getByTestId('runs-count').textContent()).resolves.toBe(`Runs 1–20 of ${expected.data.runs.totalCount}`);
    await shot(page, 'runs-table');
    await page.close();
  });

  it('pages by cursor, sorts by a config column and filters by state and a metric threshold', async () => {
    const page = await context.newPage();
    const sent: string[] = [];
    page.on('request', (r) => new URL(r.url()).pathname === '/graphql' && sent.push((r.postDataJSON() as { operationName: string }).operationName));
    await page.goto(`${base}#/p/${PROJECT}`);
    await page.getByTestId('run-row').first().waitFor();
    const first = await rowIds(page);
    const page2 = await api()(`query($after: String) { runs(entity: "acme-ml", project: "image-classification", first: 20, after: $after, order: "-created_at") { nodes { runId } } }`, {
      after: (await api()(`{ runs(entity: "acme-ml", project: "image-classification", first: 20, order: "-created_at") { pageInfo { endCursor } } }`)).data.runs.pageInfo.endCursor,
    });

    await page.getByTestId('next').click();
    await eventually(async () => expect(await page.getByTestId('runs-count').textContent()).toMatch(/^Runs 21–40 of \d+$/));
    expect(await rowIds(page)).toEqual(page2.data.runs.nodes.map((n: any) => n.runId));
    await page.getByTestId('prev').click();
    expect(await rowIds(page)).toEqual(first);
    expect(sent).toEqual(['ProjectRuns', 'ProjectRuns']); // Previous is read from the cache.

    // Sorting by a config column: the API's order for the same order string.
    await page.getByTestId('col-config-lr').click();
    const byLr = await api()(`{ runs(entity: "acme-ml", project: "image-classification", first: 20, order: "-config.lr.value") { nodes { runId } } }`);
    await eventually(async () => expect(await rowIds(page)).toEqual(byLr.data.runs.nodes.map((n: any) => n.runId)));

    await page.getByTestId('filter-state').selectOption('RUNNING');
    const running = await api()(`{ runs(entity: "acme-ml", project: "image-classification", first: 20, filters: {state: "running"}) { totalCount } }`);
    await eventually(async () => expect(await page.getByTestId('runs-count').textContent()).toBe(`Runs 1–${running.data.runs.totalCount} of ${running.data.runs.totalCount}`));
    expect(await page.locator('[data-testid=run-row] .state').allTextContents()).toEqual(new Array(running.data.runs.totalCount).fill('running'));

    await page.getByTestId('filter-state').selectOption('');
    await page.getByTestId('filter-metric').selectOption('val/acc');
    await page.getByTestId('filter-threshold').fill('0.85');
    await page.getByTestId('filter-threshold').press('Enter');
    const good = await api()(`query($filters: JSON) { runs(entity: "acme-ml", project: "image-classification", first: 20, filters: $filters, order: "-config.lr.value") { totalCount nodes { runId } } }`, {
      filters: { 'summary_metrics.val/acc': { $gte: 0.85 } },
    });
    expect(good.data.runs.totalCount).toBeGreaterThan(0);
    expect(good.data.runs.totalCount).toBeLessThan(103);
    await eventually(async () => expect(await rowIds(page)).toEqual(good.data.runs.nodes.map((n: any) => n.runId)));
    await expect(page.getByTestId('runs-count').textContent()).resolves.toMatch(new RegExp(` of ${good.data.runs.totalCount}$`));
    await shot(page, 'runs-filtered');
    await page.close();
  });

  it('draws a run page with one point per history row, in one GraphQL request', async () => {
    const path = `${PROJECT}/tanj6ed1`;
    const truth = await api()(`query($path: String!) { run(path: $path) { lastStep history(first: 1000) { edges { node { values } } } } }`, { path });
    const rows = truth.data.run.history.edges.map((e: any) => e.node.values);
    const withKey = (key: string) => rows.filter((r: any) => typeof r[key] === 'number').length;
    expect(withKey('val/acc')).toBeLessThan(withKey('train/loss'));

    const { page, graphql, upstream } = await firstLoad('run page', `#/r/${path}`, (p) => p.getByTestId('history-chart-train/loss').waitFor());
    expect(graphql).toEqual(['RunPage']);
    expect(upstream).toBeLessThanOrEqual(1);
    expect(await points(page, 'history-chart-train/loss')).toBe(withKey('train/loss'));
    expect(await points(page, 'history-chart-val/acc')).toBe(withKey('val/acc'));
    await expect(page.locator('[data-testid="history-chart-train/loss"] canvas').count()).resolves.toBe(1);
    await expect(page.getByTestId('files').locator('a').count()).resolves.toBeGreaterThan(0);
    const href = await page.getByTestId('files').locator('a').first().getAttribute('href');
    expect((await fetch(href!)).status).toBe(200);
    await expect(page.getByTestId('logged-artifacts').locator('tr').count()).resolves.toBeGreaterThan(0);
    await shot(page, 'run-page');
    await page.close();
  });

  it('reads the next history page when asked, and the chart grows by its rows', async () => {
    const runs = await api()(`{ runs(entity: "acme-ml", project: "image-classification", first: 200, filters: {state: "finished"}) { nodes { path lastStep } } }`);
    const long = runs.data.runs.nodes.find((n: any) => n.lastStep > 1100 && n.lastStep < 5000);
    expect(long).toBeDefined();
    const truth = await api()(`query($path: String!) { run(path: $path) { history(first: 2000) { edges { node { values } } } } }`, { path: long.path });
    const losses = truth.data.run.history.edges.filter((e: any) => typeof e.node.values['train/loss'] === 'number').length;
    const firstPage = truth.data.run.history.edges.slice(0, 1000).filter((e: any) => typeof e.node.values['train/loss'] === 'number').length;

    const page = await context.newPage();
    await page.goto(`${base}#/r/${long.path}`);
    await page.getByTestId('history-chart-train/loss').waitFor();
    expect(await points(page, 'history-chart-train/loss')).toBe(firstPage);
    await page.getByTestId('load-more').click();
    await eventually(async () => expect(await points(page, 'history-chart-train/loss')).toBe(losses));
    await shot(page, 'run-page-two-pages');
    await page.close();
  });

  it('overlays the sampled history of the selected runs, read in one request', async () => {
    const chosen = await api()(`{ runs(entity: "acme-ml", project: "image-classification", first: 3, filters: {state: "finished"}, order: "-created_at") { nodes { runId sampledHistory(keys: ["val/acc"], samples: 500) } } }`);
    const ids: string[] = chosen.data.runs.nodes.map((n: any) => n.runId);
    const expectedPoints = chosen.data.runs.nodes.reduce((n: number, r: any) => n + r.sampledHistory.length, 0);

    // From the table: show finished runs, select the first three and follow the Compare link.
    const table = await context.newPage();
    await table.goto(`${base}#/p/${PROJECT}`);
    await table.getByTestId('filter-state').selectOption('FINISHED');
    await eventually(async () => expect(await rowIds(table).then((r) => r.slice(0, 3))).toEqual(ids));
    for (const id of ids) await table.getByRole('checkbox', { name: `select ${id}` }).check();
    const link = await table.getByTestId('compare').getAttribute('href');
    await table.close();

    const { page, graphql, upstream } = await firstLoad('compare', link!, (p) => p.getByTestId('compare-chart').waitFor());
    expect(graphql).toEqual(['CompareRuns']);
    expect(upstream).toBeLessThanOrEqual(1);
    expect(Number(await page.getByTestId('compare-chart').getAttribute('data-series'))).toBe(3);
    expect(await points(page, 'compare-chart')).toBe(expectedPoints);
    await shot(page, 'compare');
    await page.close();
  });

  it("grows a live run's chart while rows arrive through the filestream, and shows its end", async () => {
    const w = wandbClient(stack.emulator, DEMO_API_KEY);
    const runId = `live${Date.now().toString(36)}`;
    await w.gql(`mutation { upsertBucket(input: {entityName: "demo", modelName: "scratch", name: "${runId}", displayName: "live-in-browser", state: "running"}) { inserted } }`);
    const rows = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => JSON.stringify({ _step: from + i, loss: 2 / (1 + from + i), acc: 1 - 1 / (2 + from + i) }));
    const stream = (offset: number, content: string[], extra: object = {}) => w.filestream(`demo/scratch/${runId}`, { files: { 'wandb-history.jsonl': { offset, content } }, ...extra });
    expect((await stream(0, rows(0, 10))).status).toBe(200);

    const { page, graphql, upstreamAtResponses } = await firstLoad('live run page', `#/r/demo/scratch/${runId}`, async (p) => {
      await p.getByTestId('history-chart-loss').waitFor();
      await p.getByTestId('live-badge').waitFor();
    });
    expect(graphql[0]).toBe('RunPage');
    // The page itself costs one W&B request; the subscription's polls come after.
    expect(upstreamAtResponses[0]).toBeLessThanOrEqual(1);
    expect(await points(page, 'history-chart-loss')).toBe(10);

    for (let i = 1; i <= 3; i++) {
      await stream(i * 10, rows(i * 10, (i + 1) * 10));
      await eventually(async () => expect(await points(page, 'history-chart-loss')).toBe((i + 1) * 10), 10_000);
    }
    await expect(page.getByTestId('last-step').textContent()).resolves.toBe('39');
    await shot(page, 'live-run');
    await w.filestream(`demo/scratch/${runId}`, { complete: true, exitcode: 0 });
    await eventually(async () => expect(await page.getByTestId('run-state').textContent()).toBe('finished'), 10_000);
    await expect(page.getByTestId('live-badge').count()).resolves.toBe(0);
    await page.close();
  });

  it('charts the tail of a live run longer than one page, carried by the subscription (history(last:)) as it grows', async () => {
    const w = wandbClient(stack.emulator, DEMO_API_KEY);
    const runId = `tail${Date.now().toString(36)}`;
    await w.gql(`mutation { upsertBucket(input: {entityName: "demo", modelName: "scratch", name: "${runId}", displayName: "long-live-run", state: "running"}) { inserted } }`);
    const rows = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => JSON.stringify({ _step: from + i, loss: 1 / (1 + from + i) }));
    expect((await w.filestream(`demo/scratch/${runId}`, { files: { 'wandb-history.jsonl': { offset: 0, content: rows(0, 1500) } } })).status).toBe(200);

    const { page, graphql } = await firstLoad('live run page, longer than a page', `#/r/demo/scratch/${runId}`, async (p) => {
      await p.getByTestId('live-badge').waitFor();
      await eventually(async () => expect(await p.getByTestId('history-loaded').textContent()).toMatch(/^latest 1000 rows \(steps 500–1499 of 1499\)/));
    });
    expect(graphql).toEqual(['RunPage']); // the tail comes over the WebSocket
    expect(await points(page, 'history-chart-loss')).toBe(1000);
    await w.filestream(`demo/scratch/${runId}`, { files: { 'wandb-history.jsonl': { offset: 1500, content: rows(1500, 1600) } } });
    await eventually(async () => expect(await page.getByTestId('history-loaded').textContent()).toMatch(/^latest 1000 rows \(steps 600–1599 of 1599\)/), 10_000);
    expect(await points(page, 'history-chart-loss')).toBe(1000);
    await shot(page, 'live-run-tail');
    await w.filestream(`demo/scratch/${runId}`, { complete: true, exitcode: 0 });
    await page.close();
  });

  it('saves notes and tags through updateRun, shows them from the cache, and they persist', async () => {
    const path = `${PROJECT}/0re1k66g`;
    const page = await context.newPage();
    const sent: string[] = [];
    page.on('request', (r) => new URL(r.url()).pathname === '/graphql' && sent.push((r.postDataJSON() as { operationName: string }).operationName));
    await page.goto(`${base}#/r/${path}`);
    await page.getByTestId('notes').waitFor();
    const notes = `Checked in the browser at ${new Date().toISOString()}`;
    await page.getByTestId('notes').fill(notes);
    await page.getByTestId('tags').fill('browser-edit, reviewed');
    await page.getByTestId('save').click();
    await page.getByTestId('saved').waitFor();
    await eventually(async () => expect(await page.getByTestId('tags-now').locator('.tag').allTextContents()).toEqual(['browser-edit', 'reviewed']));
    expect(sent).toEqual(['RunPage', 'UpdateRunNotesTags']);
    await shot(page, 'edit-notes-tags');
    await page.close();

    const reread = await api()(`query($path: String!) { run(path: $path) { notes tags } }`, { path });
    expect(reread.data.run).toEqual({ notes, tags: ['browser-edit', 'reviewed'] });
    // A fresh page shows them too.
    const again = await context.newPage();
    await again.goto(`${base}#/r/${path}`);
    await eventually(async () => expect(await again.getByTestId('notes').inputValue()).toBe(notes));
    await again.close();
  });
});
