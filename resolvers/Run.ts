import type { RunResolvers, RunSampledHistoryArgs } from '../src/generated/subgraph.js';
import type { Context } from '../src/context.js';
import type { RunParent } from '../src/loaders/runLoader.js';
import type { RunField } from '../src/wandb/documents.js';
import { canonicalRunId, encodeRunId } from '../src/wandb/ids.js';
import { referencedRun, runPath } from '../src/wandb/paths.js';
import { artifactsCallSelected, fileCallSelected, filesCallsSelected, historySelected, runPlanSelected, selectionMemo } from '../src/graphql/selection.js';
import { sampledHistoryCall, sweepCall } from '../src/graphql/runCalls.js';
import { sampledRows } from '../src/history/history.js';
import { historyKeyList, lastStepLogged, runHistoryPage } from '../src/history/runHistory.js';
import { callOn, fetchedWith, refOf, withCalls, withValue } from '../src/loaders/calls.js';
import type { RawJsonSink } from '../src/graphql/rawJson.js';
import { failsAlone, untrusted } from '../src/wandb/trust.js';
import { runObject, configObject, isoDate, runUrl, runHtml, runState } from '../src/graphql/runValues.js';
import { filesConnection, type FilesPage } from './RunFileConnection.js';
import { artifactsConnection } from './ArtifactConnection.js';
import type { SweepFieldsFragment } from '../src/generated/upstream.js';

export const Run: RunResolvers = {
  __resolveReference: (reference, ctx, info) => {
    const ref = referencedRun(reference);
    if (!ref) return null;
    const plan = runPlanSelected(info);
    return ctx.loaders.runLoader.load({ ref, details: plan.details, prefetch: plan.fields, scalars: plan.scalars });
  },
  id: (r) => (r.id ? canonicalRunId(r.id) : encodeRunId(refOf(r))),
  path: (r) => runPath(refOf(r)),
  entity: (r) => r.entity,
  project: (r) => r.project,
  runId: (r) => r.name,
  // W&B keeps a cleared text field as "": none, as the contract says.
  displayName: (r) => r.displayName || null,
  // A state the schema does not know fails this field of this run only: UNKNOWN keeps the
  // non-null field (and so the page) whole, and the error says why, at this field's path.
  state: (r, _, ctx, info) =>
    runState(r.state) ??
    failsAlone(ctx, info, 'UNKNOWN', () => {
      throw untrusted('W&B reported a run state this subgraph does not know');
    }),
  url: (r, _, ctx) => runUrl(ctx.appUrl, r),
  createdAt: (r) => isoDate(r.createdAt)!,
  heartbeatAt: (r) => isoDate(r.heartbeatAt),
  notes: (r) => r.notes || null,
  tags: (r) => r.tags ?? [],
  group: (r) => r.group || null,
  jobType: (r) => r.jobType || null,
  commit: (r) => r.commit,
  username: (r) => r.user?.username ?? null,
  sweep: (r, _, ctx) => {
    if (!r.sweepName) return null;
    const read = fetchedWith(r, sweepCall);
    return read ? (read.value as SweepFieldsFragment | null) : ctx.loaders.sweepLoader.load({ entity: r.entity, project: r.project, name: r.sweepName });
  },
  // A value that fails a check fails its own field only ({} and an error at its path).
  // Read with the run (a page's runs usually are), a value resolves without a promise.
  config: (r, { keys }, ctx, info) =>
    withValue(ctx.loaders, r, r.config, { kind: 'config', keys: keys ?? null }, (text) => failsAlone(ctx, info, {}, () => configObject(text as string | null, keys, ctx.rawJson))),
  summary: (r, { keys }, ctx, info) =>
    withValue(ctx.loaders, r, r.summaryMetrics, { kind: 'summary', keys: keys ?? null }, (text) =>
      failsAlone<unknown>(ctx, info, {}, () => runObject(text as string | null, 'summary', keys, ctx.rawJson)),
    ),
  systemMetrics: (r, _, ctx, info) =>
    withValue(ctx.loaders, r, r.systemMetrics, { kind: 'systemMetrics' }, (text) =>
      failsAlone<unknown>(ctx, info, {}, () => runObject(text as string | null, 'system metrics', null, ctx.rawJson)),
    ),
  historyKeys: (r, _, ctx) => historyKeyList(ctx, r),
  lastStep: (r, _, ctx) => lastStepLogged(ctx, r),
  sampledHistory: (r, args, ctx, info) => sampledHistory(r, sampledMemo(info, () => sampledHistoryCall(args)), args, ctx, ctx.rawJson),
  history: (r, args, ctx, info) => runHistoryPage(ctx, r, args, historyMemo(info, () => historySelected(info))),
  file: async (r, { name }, ctx, info) => ((await callOn(ctx.loaders, r, fileMemo(info, () => fileCallSelected(info, name)))) as FilesPage | null)?.edges[0]?.node ?? null,
  files: (r, args, ctx, info) => filesConnection(ctx, r, filesMemo(info, () => filesCallsSelected(info, args)), args.after != null),
  loggedArtifacts: (r, args, ctx, info) => artifactsConnection(ctx, r, loggedMemo(info, () => artifactsCallSelected(info, 'loggedArtifacts', args))),
  usedArtifacts: (r, args, ctx, info) => artifactsConnection(ctx, r, usedMemo(info, () => artifactsCallSelected(info, 'usedArtifacts', args))),
  html: (r, { height, hidden }, ctx) => runHtml(ctx.appUrl, r, height, hidden),
};

/**
 * Run.sampledHistory (and each run of RunConnection.histories, which adds
 * to rows: parsed, not `raw`) by the call `field` its arguments make;
 * synchronous when the rows were read with the run.
 */
export function sampledHistory(r: RunParent, field: RunField, args: RunSampledHistoryArgs, ctx: Context, raw?: RawJsonSink): unknown[] | Promise<unknown[]> {
  return withCalls(ctx.loaders, r, [field], ([value]) => sampledRows(field, value, args, raw));
}

// Private:

// The calls each run's resolver makes of the same selection, made once per selection and variables.
const sampledMemo = selectionMemo<RunField>();
const historyMemo = selectionMemo<ReturnType<typeof historySelected>>();
const fileMemo = selectionMemo<RunField>();
const filesMemo = selectionMemo<ReturnType<typeof filesCallsSelected>>();
const loggedMemo = selectionMemo<ReturnType<typeof artifactsCallSelected>>();
const usedMemo = selectionMemo<ReturnType<typeof artifactsCallSelected>>();
