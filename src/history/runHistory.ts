/**
 * A run's history as its fields read it: the history keys and last step
 * (Run.historyKeys, Run.lastStep, and what paging needs), and one page of
 * rows (Run.history), whose next pages are read ahead when the run has
 * ended, the caller asked for it by path and its query reads a cursor or
 * page info.
 */
import type { Context } from '../context.js';
import type { RunParent } from '../loaders/runLoader.js';
import type { RunField } from '../wandb/documents.js';
import type { RunHistoryArgs } from '../generated/subgraph.js';
import { callOn, refOf } from '../loaders/calls.js';
import { runPath } from '../wandb/paths.js';
import { historyExtras } from '../graphql/runCalls.js';
import type { HistorySelection } from '../graphql/selection.js';
import { hasEnded } from '../graphql/cacheHints.js';
import { checkedHistoryKeys, densityOf, planHistoryPage, readHistoryPage, type HistoryKeysJson } from './history.js';
import type { HistoryPage } from './historyEdges.js';
import { readAheadPages } from './readAhead.js';

/** The run's history keys and last step (read with the run, or asked for now). */
export async function historyKeysOf(ctx: Context, r: RunParent): Promise<HistoryKeysJson> {
  return checkedHistoryKeys(r.historyKeys !== undefined ? r.historyKeys : await callOn(ctx.loaders, r, { kind: 'historyKeys' }));
}

/** Run.historyKeys: the keys W&B reports, by name, each with the types logged under it. */
export async function historyKeyList(ctx: Context, r: RunParent): Promise<{ key: string; types: string[] }[]> {
  const keys = (await historyKeysOf(ctx, r)).keys ?? {};
  return Object.keys(keys)
    .sort()
    .map((key) => ({ key, types: (keys[key].typeCounts ?? []).map((t) => t.type) }));
}

/** Run.lastStep: the last step logged, or null when there is no history. */
export async function lastStepLogged(ctx: Context, r: RunParent): Promise<number | null> {
  const last = (await historyKeysOf(ctx, r)).lastStep;
  return typeof last === 'number' && last >= 0 ? last : null;
}

/**
 * One page of the run's history; `selected` says whether the query gave
 * `first`, whether its rows select timestamp and runtime, and whether it
 * reads a cursor or page info: the next pages are read ahead only for a
 * query that can ask for them.
 */
export async function runHistoryPage(ctx: Context, r: RunParent, args: RunHistoryArgs & { first: number }, selected: HistorySelection): Promise<HistoryPage & { hasNextPage: boolean; hasPreviousPage: boolean }> {
  const plan = planHistoryPage({ ...args, firstGiven: selected.firstGiven });
  const hk = await historyKeysOf(ctx, r);
  const lastStep = typeof hk.lastStep === 'number' ? hk.lastStep : -1;
  const extras = historyExtras(plan.keys, selected);
  const density = plan.keys ? densityOf(hk, plan.keys, lastStep) : 1;
  const load = (f: RunField) => callOn(ctx.loaders, r, f);
  const context = { lastStep, minStep: args.minStep ?? null, maxStep: args.maxStep ?? null, density, extras, prefetched: r.prefetched };
  const { rows, hasNextPage, hasPreviousPage } = await readHistoryPage(load, plan, context);
  if (hasNextPage && selected.paging && !plan.backward && r.readAhead && hasEnded(r)) {
    const next = { keys: plan.keys, start: rows[rows.length - 1].step + 1, first: plan.size, maxStep: args.maxStep ?? null, lastStep };
    readAheadPages({ cache: ctx.readAhead, principal: ctx.principal }, runPath(refOf(r)), load, next);
  }
  return { rows, keys: plan.keys, hasNextPage, hasPreviousPage, raw: ctx.rawJson };
}
