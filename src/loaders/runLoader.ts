import DataLoader from 'dataloader';
import type { OnBatch } from './index.js';
import type { UpstreamClient, UpstreamFieldError } from '../upstream/client.js';
import { fieldError } from '../upstream/client.js';
import { runsByNameDocument } from '../upstream/batch.js';
import type { RunFieldsFragment } from '../generated/upstream.js';
import type { RunRef } from '../upstream/ids.js';
import { noDetails, type KeysWanted, type RunDetailFlags } from '../selection.js';

/** A run as this subgraph holds it: W&B's fields plus where it lives. */
export type RunParent = RunFieldsFragment & { entity: string; project: string };

export interface RunKey {
  ref: RunRef;
  details: RunDetailFlags;
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
      for (const { ref } of keys) {
        const id = `${ref.entity}/${ref.project}`;
        let p = projects.get(id);
        if (!p) projects.set(id, (p = { entity: ref.entity, project: ref.project, names: [] }));
        if (!p.names.includes(ref.runId)) p.names.push(ref.runId);
      }
      const groups = [...projects.values()];
      const { query, variables } = runsByNameDocument(groups, details);
      const { data, errors } = await client.requestPartial<Record<string, { runs: { edges: { node: RunFieldsFragment }[] } | null } | null>>(query, variables);
      return keys.map(({ ref }) => {
        const i = groups.findIndex((g) => g.entity === ref.entity && g.project === ref.project);
        const error = errors.find((e: UpstreamFieldError) => !e.path || e.path[0] === `p${i}`);
        if (error) return fieldError(error);
        const node = data?.[`p${i}`]?.runs?.edges.find((e) => e.node.name === ref.runId)?.node;
        return node ? { ...node, entity: ref.entity, project: ref.project } : null;
      });
    },
    { cacheKeyFn: (k) => `${k.ref.entity}/${k.ref.project}/${k.ref.runId}|${JSON.stringify(k.details)}`, maxBatchSize: 1000 },
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
