/**
 * The W&B reads and writes this subgraph makes, as named methods over one
 * request's upstream client: the only place that names W&B documents.
 * Each read sends ONE document from the compiler (documents.ts) and maps
 * its answer back: values per key in key order, a coded error where W&B
 * failed a part, planned calls attached to the runs they were read with.
 * Each write sends one typed mutation (schema/upstream/operations/).
 */
import type { UpstreamClient, UpstreamFieldError } from './client.js';
import { fieldError } from './client.js';
import {
  artifactsDocument,
  lookupCarve,
  runFieldsDocument,
  runsPageCarve,
  runLookupDocument,
  runsPageDocument,
  sweepsDocument,
  runFieldsVariables,
  valueOf,
  type RunDetailFlags,
  type RunField,
  type RunLookup,
  type RunPlan,
  type RunsPageArgs,
} from './documents.js';
import { notFound } from '../errors.js';
import { checkedPage, checkRun, checkRunIn, untrusted } from './trust.js';
import { decodeNodeId } from './ids.js';
import {
  ArtifactByNameDocument,
  CreateArtifactDocument,
  CreateRunFilesDocument,
  DeleteRunDocument,
  UpsertRunDocument,
  UseArtifactDocument,
  type ArtifactFieldsFragment,
  type CreateArtifactMutationVariables,
  type RunFieldsFragment,
  type SweepFieldsFragment,
  type UpsertRunMutationVariables,
  type UseArtifactMutationVariables,
} from '../generated/upstream.js';
import type { RunRef } from './ids.js';
import { carvedValue, type RawRows } from './carve.js';

/** A call's value read with the run (by the document that found it). */
export interface Fetched {
  field: RunField;
  value: unknown;
}

/**
 * A run as this subgraph holds it: W&B's fields plus where it lives, and
 * the planned calls' values read with it. Only the fields its plan read are
 * present (the resolvers of the fields a query selects).
 */
export type RunParent = RunFieldsFragment & {
  entity: string;
  project: string;
  prefetched?: Fetched[];
  /** Set on the run Query.run returns: its history scans read ahead for the caller's next page. */
  readAhead?: boolean;
};

/** One upstream read of a page of runs. */
export interface RunsRead {
  runs: RunParent[];
  hasNextPage: boolean;
  totalCount: number | null;
}

export function createWandbApi(client: UpstreamClient) {
  return {
    /** A page of a project's runs, each with the plan's calls: one request. */
    async runsPage(args: RunsPageArgs, plan: RunPlan): Promise<RunsRead> {
      const { query, variables } = runsPageDocument(args, plan);
      const { data, errors, carved } = await client.requestPartial<RunsPageAnswer>(query, variables, runsPageCarve(plan));
      // A planned call W&B failed on a run it still sent is left out: its resolver asks again and reports the error.
      // Any other error (one that nulled a run, its edge or the page) fails the page: a run is never silently dropped.
      const runs = data?.project?.runs;
      const failed = errors.filter((e) => e.path?.length === 6 && e.path[1] === 'runs' && e.path[4] === 'node' && Array.isArray(runs?.edges) && !!runs.edges[e.path[3] as number]?.node);
      const fatal = errors.find((e) => !failed.includes(e));
      if (fatal || !data) throw fieldError(fatal ?? { message: 'W&B returned no data' });
      if (data.project && !data.project.runs) throw untrusted('a project came without its runs');
      // No more runs than asked for, each of the project asked for.
      const edges = checkedPage<{ node: Record<string, unknown> }>(runs?.edges, args.first, runs?.pageInfo?.hasNextPage, data.project?.runCount, 'the runs page');
      for (const e of edges) checkRunIn(e.node as { id?: string | null; name?: string | null }, args.entity, args.project);
      return {
        runs: edges.map((e, i) =>
          withFetched(
            e.node,
            args,
            plan.fields,
            failed.filter((f) => f.path![3] === i).map((f) => f.path![5]),
            carved,
          ),
        ),
        hasNextPage: data.project?.runs?.pageInfo.hasNextPage ?? false,
        totalCount: data.project?.runCount ?? null,
      };
    },

    /** Runs by path, each with its plan's calls: one request; null for a run that does not exist. */
    async lookupRuns(lookups: readonly RunLookup[]): Promise<(RunParent | null | Error)[]> {
      const { query, variables, aliases } = runLookupDocument(lookups);
      const { data, errors, carved } = await client.requestPartial<Record<string, Record<string, Record<string, unknown> | null> | null>>(query, variables, lookupCarve(lookups, aliases));
      return lookups.map(({ ref, plan }, i) => {
        const [p, r] = aliases[i];
        const error = errors.find((e) => !e.path || (e.path[0] === p && (e.path.length === 1 || (e.path[1] === r && e.path.length === 2))));
        if (error) return fieldError(error);
        const run = data?.[p]?.[r];
        // Null with an error under it: the run failed a check (a non-null field was bad), it is not missing.
        if (!run) {
          const under = errors.find((e) => e.path?.[0] === p && e.path[1] === r);
          return under ? fieldError(under) : null;
        }
        try {
          checkRun(run as { id?: string | null; name?: string | null }, ref);
        } catch (e) {
          return e as Error;
        }
        const failed = errors.filter((e) => e.path?.[0] === p && e.path[1] === r).map((e) => e.path![2]);
        return withFetched(run, ref, plan.fields, failed, carved);
      });
    },

    /** Calls on runs already found, any number of runs: one request. A run gone is NOT_FOUND. */
    async runFields(requests: readonly { ref: RunRef; field: RunField }[]): Promise<unknown[]> {
      const { query, variables, locations } = runFieldsDocument(requests);
      const { data, errors } = await client.requestPartial<Record<string, { run: Record<string, unknown> | null } | null>>(query, variables);
      return requests.map(({ ref, field }, i) => {
        const [r, f] = locations[i];
        const error = errors.find((e: UpstreamFieldError) => !e.path || (e.path[0] === r && (e.path.length < 3 || e.path[2] === f)));
        if (error) return fieldError(error);
        const run = data?.[r]?.run;
        if (!run) return notFound(`run ${ref.entity}/${ref.project}/${ref.runId} not found`);
        try {
          return pageChecked(field, valueOf(field, run[f]));
        } catch (e) {
          return e as Error;
        }
      });
    },

    /** Sweeps by project and name: one request; null when absent. */
    async sweeps(keys: readonly { entity: string; project: string; name: string }[]): Promise<(SweepFieldsFragment | null | Error)[]> {
      const { query, variables } = sweepsDocument(keys);
      const { data, errors } = await client.requestPartial<Record<string, { sweep: SweepFieldsFragment | null } | null>>(query, variables);
      return keys.map((_, i) => {
        const error = errors.find((e) => !e.path || e.path[0] === `s${i}`);
        if (error) return fieldError(error);
        const sweep = data?.[`s${i}`]?.sweep ?? null;
        return sweep && sweep.name !== keys[i].name ? untrusted('asked for one sweep, got another') : sweep;
      });
    },

    /** Artifacts by W&B id: one request; null when absent. */
    async artifacts(ids: readonly string[]): Promise<(ArtifactFieldsFragment | null | Error)[]> {
      const { query, variables } = artifactsDocument(ids);
      const { data, errors } = await client.requestPartial<Record<string, ArtifactFieldsFragment | null>>(query, variables);
      return ids.map((_, i) => {
        const error = errors.find((e) => !e.path || e.path[0] === `a${i}`);
        if (error) return fieldError(error);
        const artifact = data?.[`a${i}`] ?? null;
        // The artifact returned must be the one asked for (its id in any spelling of the same number).
        return artifact && (typeof artifact.id !== 'string' || decodeNodeId('Artifact', artifact.id, 'any') !== decodeNodeId('Artifact', ids[i], 'any')) ? untrusted('asked for one artifact, got another') : artifact;
      });
    },

    /** An artifact by project and "collection:alias"; null when absent. */
    async artifactByName(entity: string, project: string, name: string): Promise<ArtifactFieldsFragment | null> {
      const data = await client.request(ArtifactByNameDocument, { entity, project, name });
      return data.project?.artifact ?? null;
    },

    /**
     * Creates or updates run `ref` (upsertBucket); the run as W&B holds it
     * after the write, whole (checked to be `ref`), or null when W&B returned none.
     */
    async upsertRun(ref: RunRef, input: UpsertRunMutationVariables['input']): Promise<{ run: RunFieldsFragment | null; inserted: boolean | null }> {
      const data = await client.request(UpsertRunDocument, { input, ...runFieldsVariables(wholeRun) });
      const bucket = data.upsertBucket?.bucket ?? null;
      if (bucket) checkRun(bucket, ref);
      return { run: bucket, inserted: data.upsertBucket?.inserted ?? null };
    },

    /** Upload URLs for files of a run (createRunFiles); null when W&B returned none. */
    async createRunFiles(ref: RunRef, names: string[]) {
      const data = await client.request(CreateRunFilesDocument, { input: { entityName: ref.entity, projectName: ref.project, runName: ref.runId, files: names } });
      return data.createRunFiles ?? null;
    },

    /** Deletes a run. Never sent twice: retried only when it surely did not reach W&B. */
    async deleteRun(id: string, deleteArtifacts: boolean): Promise<void> {
      await client.request(DeleteRunDocument, { id, deleteArtifacts }, { idempotent: false });
    },

    /** Logs an artifact version as a run's output (createArtifact), sent at most once; null when W&B returned none. */
    async createArtifact(input: CreateArtifactMutationVariables['input']): Promise<ArtifactFieldsFragment | null> {
      const data = await client.request(CreateArtifactDocument, { input }, { idempotent: false });
      return data.createArtifact?.artifact ?? null;
    },

    /** Records an artifact as a run's input (useArtifact), sent at most once; null when W&B returned none. */
    async useArtifact(input: UseArtifactMutationVariables['input']): Promise<ArtifactFieldsFragment | null> {
      const data = await client.request(UseArtifactDocument, { input }, { idempotent: false });
      return data.useArtifact?.artifact ?? null;
    },
  };
}

/** Every heavy field: what a write returns of the run. */
const wholeRun: RunDetailFlags = { config: null, summary: null, systemMetrics: true, historyKeys: true };

export type WandbApi = ReturnType<typeof createWandbApi>;

/** The answer to runsPageDocument. */
interface RunsPageAnswer {
  project: {
    runCount?: number | null;
    runs: { edges: { node: Record<string, unknown> }[]; pageInfo: { hasNextPage: boolean } } | null;
  } | null;
}

// Private:

/** The run with where it lives and its planned calls' values (those W&B did not fail). */
function withFetched(
  run: Record<string, unknown>,
  where: { entity: string; project: string },
  fields: readonly RunField[],
  failed: readonly (string | number)[],
  carved: readonly RawRows[] | undefined,
): RunParent {
  const out = run as RunParent;
  out.entity = where.entity;
  out.project = where.project;
  if (fields.length === 0) return out;
  const prefetched: Fetched[] = [];
  for (let i = 0; i < fields.length; i++) {
    const alias = `f${i}`;
    if (failed.includes(alias)) continue;
    let value: unknown;
    try {
      const answered = valueOf(fields[i], run[alias]);
      value = pageChecked(fields[i], carvedValue(answered, carved) ?? answered);
    } catch {
      // A value that fails its check is left out: its resolver asks again, and reports the error.
      continue;
    }
    if (value === undefined) continue;
    prefetched.push({ field: fields[i], value });
    delete run[alias];
  }
  out.prefetched = prefetched;
  return out;
}

/** A files or artifacts page, checked as a page (checkedPage). */
function pageChecked(field: RunField, value: unknown): unknown {
  if ((field.kind === 'files' || field.kind === 'outputArtifacts' || field.kind === 'inputArtifacts') && value && typeof value === 'object') {
    const page = value as { edges?: unknown; pageInfo?: { hasNextPage?: unknown } | null; totalCount?: unknown };
    checkedPage(page.edges, field.first, page.pageInfo?.hasNextPage, page.totalCount, `the ${field.kind} page`);
  }
  return value;
}
