import DataLoader from 'dataloader';
import type { OnBatch } from './index.js';
import type { UpstreamClient, UpstreamFieldError } from '../wandb/client.js';
import { fieldError } from '../wandb/client.js';
import { runsByNameDocument, type RunField } from '../wandb/batch.js';
import type { RunFieldsFragment } from '../generated/upstream.js';
import type { RunRef } from '../wandb/ids.js';
import { noDetails, type KeysWanted, type RunDetailFlags } from '../graphql/selection.js';

/**
 * A run as this subgraph holds it: W&B's fields plus where it lives, and
 * any fields fetched ahead with it (first history windows).
 */
export type RunParent = RunFieldsFragment & { entity: string; project: string; prefetched?: { field: RunField; value: unknown }[] };

export interface RunKey {
  ref: RunRef;
  details: RunDetailFlags;
  /** Fields to fetch with the run, in the same request (see historyWindowsSelected). */
  prefetch?: RunField[];
}

/**
 * Runs by path. A batch is ONE upstream request: the runs of each project
 * are fetched with `runs(filters: {"name": {"$in": [...]}})`, projects are
 * aliased side by side, and heavy fields are asked for when any key of the
 * batch selected them. Missing runs resolve to null, in key order.
 */
export function createRunLoader(client: UpstreamClient, onBatch?: OnBatch): DataLoader<RunKey, RunParent | null, string> {
  return new DataLoader<RunKey, RunParent | null, string>(
    async (keys) => {
      onBatch?.('run', keys.length);
      const details = keys.reduce((all, k) => mergeDetails(all, k.details), noDetails);
      const projects = new Map<string, { entity: string; project: string; names: string[] }>();
      const single = keys.filter((k) => k.prefetch?.length).map((k) => ({ ref: k.ref, fields: k.prefetch! }));
      for (const { ref, prefetch } of keys) {
        if (prefetch?.length) continue;
        const id = `${ref.entity}/${ref.project}`;
        let p = projects.get(id);
        if (!p) projects.set(id, (p = { entity: ref.entity, project: ref.project, names: [] }));
        if (!p.names.includes(ref.runId)) p.names.push(ref.runId);
      }
      const groups = [...projects.values()];
      const { query, variables } = runsByNameDocument(groups, details, single);
      const { data, errors } = await client.requestPartial<
        Record<string, { runs?: { edges: { node: RunFieldsFragment }[] } | null; run?: (RunFieldsFragment & Record<string, unknown>) | null } | null>
      >(query, variables);
      let w = 0;
      return keys.map(({ ref, prefetch }) => {
        if (prefetch?.length) {
          const alias = `w${w++}`;
          const error = errors.find((e: UpstreamFieldError) => !e.path || (e.path[0] === alias && e.path.length <= 2));
          if (error) return fieldError(error);
          const run = data?.[alias]?.run;
          if (!run) return null;
          // A window field that failed is left out: the connection asks for it again and reports its error.
          const failed = new Set(errors.filter((e) => e.path?.[0] === alias).map((e) => e.path?.[2]));
          const prefetched = prefetch
            .map((field, j) => ({ field, value: field.kind === 'sampledHistory' ? (run[`f${j}`] as unknown[] | undefined)?.[0] : run[`f${j}`], j }))
            .filter((p) => !failed.has(`f${p.j}`) && p.value !== undefined)
            .map(({ field, value }) => ({ field, value }));
          return { ...run, entity: ref.entity, project: ref.project, prefetched };
        }
        const i = groups.findIndex((g) => g.entity === ref.entity && g.project === ref.project);
        const error = errors.find((e: UpstreamFieldError) => !e.path || e.path[0] === `p${i}`);
        if (error) return fieldError(error);
        const node = data?.[`p${i}`]?.runs?.edges.find((e) => e.node.name === ref.runId)?.node;
        return node ? { ...node, entity: ref.entity, project: ref.project } : null;
      });
    },
    { cacheKeyFn: (k) => `${k.ref.entity}/${k.ref.project}/${k.ref.runId}|${JSON.stringify(k.details)}|${JSON.stringify(k.prefetch ?? [])}`, maxBatchSize: 1000 },
  );
}

// Private:

function mergeKeys(a: KeysWanted, b: KeysWanted): KeysWanted {
  if (a === false) return b;
  if (b === false) return a;
  if (a === null || b === null) return null;
  return [...new Set([...a, ...b])];
}

function mergeDetails(a: RunDetailFlags, b: RunDetailFlags): RunDetailFlags {
  return {
    config: mergeKeys(a.config, b.config),
    summary: mergeKeys(a.summary, b.summary),
    systemMetrics: a.systemMetrics || b.systemMetrics,
    historyKeys: a.historyKeys || b.historyKeys,
  };
}
