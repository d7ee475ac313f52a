import type { RunResolvers, RunSampledHistoryArgs, RunState } from '../src/generated/subgraph.js';
import type { Context } from '../src/context.js';
import type { RunParent } from '../src/loaders/runLoader.js';
import type { RunField } from '../src/wandb/documents.js';
import { canonicalRunId, encodeRunId } from '../src/wandb/ids.js';
import { inRange, referencedRun, runPath } from '../src/wandb/paths.js';
import { artifactsCallSelected, fileCallSelected, filesCallsSelected, historySelected, runPlanSelected, selectionMemo } from '../src/graphql/selection.js';
import { sampledHistoryCall, sweepCall } from '../src/graphql/runCalls.js';
import { sampledRows } from '../src/history/history.js';
import { historyKeysOf, runHistoryPage } from '../src/history/runHistory.js';
import { callOn, fetchedWith, refOf, withCalls, withValue } from '../src/loaders/calls.js';
import type { RawJsonSink } from '../src/graphql/rawJson.js';
import { failsAlone, untrusted } from '../src/wandb/trust.js';
import { runObject, configObject, isoDate, runUrl, escapeHtml } from '../src/graphql/runValues.js';
import type { RunFileConnectionParent } from './RunFileConnection.js';
import type { ArtifactConnectionParent } from './ArtifactConnection.js';
import type { FileFieldsFragment, SweepFieldsFragment } from '../src/generated/upstream.js';

const states: Record<string, RunState> = {
  pending: 'PENDING',
  running: 'RUNNING',
  finished: 'FINISHED',
  crashed: 'CRASHED',
  failed: 'FAILED',
  killed: 'KILLED',
  preempting: 'PREEMPTING',
  preempted: 'PREEMPTED',
};

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
  state: (r, _, ctx, info) => {
    const state = states[typeof r.state === 'string' ? r.state.toLowerCase() : ''];
    if (state) return state;
    // A state the schema does not know fails this field of this run only: UNKNOWN keeps the
    // non-null field (and so the page) whole, and the error says why, at this field's path.
    return failsAlone(ctx, info, 'UNKNOWN', () => {
      throw untrusted('W&B reported a run state this subgraph does not know');
    });
  },
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
  historyKeys: async (r, _, ctx) => {
    const keys = (await historyKeysOf(ctx, r)).keys ?? {};
    return Object.keys(keys)
      .sort()
      .map((key) => ({ key, types: (keys[key].typeCounts ?? []).map((t) => t.type) }));
  },
  lastStep: async (r, _, ctx) => {
    const last = (await historyKeysOf(ctx, r)).lastStep;
    return typeof last === 'number' && last >= 0 ? last : null;
  },
  sampledHistory: (r, args, ctx, info) => sampledHistory(r, sampledMemo(info, () => sampledHistoryCall(args)), args, ctx, ctx.rawJson),
  history: (r, args, ctx, info) => runHistoryPage(ctx, r, args, historyMemo(info, () => historySelected(info))),
  file: async (r, { name }, ctx, info) => ((await call(ctx, r, fileMemo(info, () => fileCallSelected(info, name)))) as FilesPage | null)?.edges[0]?.node ?? null,
  files: (r, args, ctx, info) => {
    const { page: pageCall, count: countCall } = filesMemo(info, () => filesCallsSelected(info, args));
    const names = pageCall.kind === 'files' ? pageCall.names : null;
    return withCalls(ctx.loaders, r, [pageCall, countCall && !names ? countCall : null], ([value, count]): RunFileConnectionParent => {
      const page = value as FilesPage | null;
      return {
        files: page?.edges.map((e) => e.node).filter((n): n is FileFieldsFragment => n !== null) ?? [],
        // W&B's cursors are asked for only when the query reads a cursor or page info, and are there then.
        cursors: page?.edges.map((e) => e.cursor as string) ?? [],
        hasNextPage: page?.pageInfo?.hasNextPage ?? false,
        hasPreviousPage: args.after != null,
        totalCount: names ? null : ((count as number | null) ?? 0),
        // With names, W&B counts all the run's files; the named ones are read back and counted instead.
        countNamed: names && countCall ? async () => ((await call(ctx, r, countCall)) as FilesPage | null)?.edges.length ?? 0 : null,
      };
    });
  },
  loggedArtifacts: (r, args, ctx, info) => artifacts(ctx, r, loggedMemo(info, () => artifactsCallSelected(info, 'loggedArtifacts', args))),
  usedArtifacts: (r, args, ctx, info) => artifacts(ctx, r, usedMemo(info, () => artifactsCallSelected(info, 'usedArtifacts', args))),
  html: (r, { height, hidden }, ctx) => {
    inRange('height', height, 1, 10_000);
    const style = `border:none;width:100%;height:${height}px;${hidden ? 'display:none;' : ''}`;
    return `<iframe src="${escapeHtml(`${runUrl(ctx.appUrl, r)}?jupyter=true`)}" style="${style}"></iframe>`;
  },
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

/** A files page as read: cursors and page info only when the query pages (see filesCalls). */
interface FilesPage {
  edges: { cursor?: string; node: FileFieldsFragment | null }[];
  pageInfo?: { hasNextPage: boolean; endCursor: string | null };
}

function call(ctx: Context, r: RunParent, field: RunField): Promise<unknown> {
  return callOn(ctx.loaders, r, field);
}

function artifacts(ctx: Context, r: RunParent, field: Extract<RunField, { kind: 'outputArtifacts' | 'inputArtifacts' }>): ArtifactConnectionParent | Promise<ArtifactConnectionParent> {
  return withCalls(ctx.loaders, r, [field], ([page]) => ({ page: page as ArtifactConnectionParent['page'], hasPreviousPage: field.after !== null }));
}
