import { getArgumentValues } from 'graphql/execution/values.js';
import { firstWindowField, historyKeysWanted } from '../history/history.js';
import { decodeCursor } from '../wandb/cursor.js';
import { inRange } from '../wandb/paths.js';
import type { RunField } from '../wandb/batch.js';
import { Kind, type FieldNode, type GraphQLObjectType, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/** Keys wanted of a JSON field: false (not selected), null (all keys), or the keys. */
export type KeysWanted = false | null | string[];

/** Which of a run's heavy fields a query selects, so upstream is asked only for those. */
export interface RunDetailFlags {
  config: KeysWanted;
  summary: KeysWanted;
  systemMetrics: boolean;
  historyKeys: boolean;
}

export const noDetails: RunDetailFlags = { config: false, summary: false, systemMetrics: false, historyKeys: false };

/**
 * Looks ahead in the query at the Run selections under the current field,
 * following `path` (e.g. ["nodes"] and ["edges", "node"] for a connection),
 * through fragments and aliases, and says which heavy fields they select.
 * `config(keys:)`/`summary(keys:)` selected several times want the union of
 * their keys, or all keys when one of them has none.
 */
export function runDetailsSelected(info: GraphQLResolveInfo, paths: readonly (readonly string[])[] = [[]]): RunDetailFlags {
  const runType = info.schema.getType('Run') as GraphQLObjectType;
  const flags: RunDetailFlags = { ...noDetails };
  const runFields = paths.flatMap((path) => descend(info, info.fieldNodes, path));
  for (const field of runFields) {
    const name = field.name.value;
    if (name === 'config' || name === 'summary') {
      const def = runType.getFields()[name];
      const { keys } = getArgumentValues(def, field, info.variableValues) as { keys?: string[] | null };
      flags[name] = union(flags[name], keys ?? null);
    } else if (name === 'systemMetrics') flags.systemMetrics = true;
    // The history connection needs the last step (and key counts) to know where to stop.
    else if (name === 'historyKeys' || name === 'lastStep' || name === 'history') flags.historyKeys = true;
  }
  return flags;
}

/**
 * The first history window of every `history` connection selected under
 * the current field (along `paths`), computed from its arguments as the
 * connection will: the run lookup fetches them in the same upstream
 * request, so a page of a dense history costs one request. Selections with
 * invalid arguments are skipped (the connection reports the error).
 */
export function historyWindowsSelected(info: GraphQLResolveInfo, paths: readonly (readonly string[])[] = [[]]): RunField[] {
  const history = (info.schema.getType('Run') as GraphQLObjectType).getFields().history;
  const fields = paths.flatMap((path) => descend(info, info.fieldNodes, path)).filter((f) => f.name.value === 'history');
  const windows: RunField[] = [];
  for (const node of fields) {
    try {
      const args = getArgumentValues(history, node, info.variableValues) as { keys?: string[] | null; minStep?: number | null; maxStep?: number | null; first: number; after?: string | null; last?: number | null };
      // The tail of a history (last) starts from the run's last step, which is not known yet.
      if (args.last != null) continue;
      if (!Number.isInteger(args.first) || args.first < 1 || args.first > 10_000) continue;
      const start = args.after != null ? Number(decodeCursor('history', args.after)) + 1 : (args.minStep ?? 0);
      if (!Number.isInteger(start) || start < 0) continue;
      const window = firstWindowField(historyKeysWanted(args.keys), start, args.first, args.maxStep ?? null);
      if (window) windows.push(window);
    } catch {
      // Invalid arguments: nothing to fetch ahead.
    }
  }
  return windows;
}

/** The most system-metric events read when keys must be filtered here (W&B's events take no keys). */
export const maxEvents = 10_000;

/** The upstream field `Run.files(names, first, after)` reads; BAD_USER_INPUT for bad arguments. */
export function filesField(args: { names?: readonly string[] | null; first: number; after?: string | null }): RunField {
  inRange('first', args.first, 1, 1000);
  return { kind: 'files', names: args.names ? [...args.names] : null, first: args.first, after: args.after != null ? decodeCursor('files', args.after) : null };
}

/** The upstream field `Run.loggedArtifacts`/`usedArtifacts(first, after)` reads; BAD_USER_INPUT for bad arguments. */
export function artifactsField(kind: 'outputArtifacts' | 'inputArtifacts', args: { first: number; after?: string | null }): RunField {
  inRange('first', args.first, 1, 1000);
  return { kind, first: args.first, after: args.after != null ? decodeCursor('artifacts', args.after) : null };
}

/**
 * The upstream field `Run.sampledHistory` reads: with keys, W&B's
 * sampledHistory over the x axis and the keys; without, whole rows
 * (history) or system-metric events (which take no keys, so with keys all
 * events are read and filtered here). BAD_USER_INPUT for bad arguments.
 */
export function sampledHistoryField(args: { keys?: readonly string[] | null; samples?: number | null; xAxis?: string | null; stream?: string | null }): RunField {
  const samples = inRange('samples', args.samples ?? 500, 1, 10_000);
  const keys = args.keys ?? [];
  if (args.stream === 'SYSTEM') return { kind: 'events', samples: keys.length === 0 ? samples : maxEvents };
  if (keys.length === 0) return { kind: 'history', minStep: null, maxStep: null, samples };
  return { kind: 'sampledHistory', spec: JSON.stringify({ keys: [...new Set([args.xAxis ?? '_step', ...keys])], samples }) };
}

/**
 * What a run page reads besides the run: the first history windows (see
 * historyWindowsSelected) and the files, file count, artifacts and sampled
 * histories the selection under the current field asks for, computed from
 * their arguments as their resolvers will. The run lookup fetches them in
 * its own upstream request. Fields with invalid arguments are skipped
 * (their resolvers report the error).
 */
export function runFieldsAhead(info: GraphQLResolveInfo): RunField[] {
  const defs = (info.schema.getType('Run') as GraphQLObjectType).getFields();
  const ahead: RunField[] = historyWindowsSelected(info);
  const add = (field: RunField) => {
    if (!ahead.some((f) => JSON.stringify(f) === JSON.stringify(field))) ahead.push(field);
  };
  for (const node of descend(info, info.fieldNodes, [])) {
    const name = node.name.value;
    if (name !== 'files' && name !== 'loggedArtifacts' && name !== 'usedArtifacts' && name !== 'sampledHistory') continue;
    try {
      const args = getArgumentValues(defs[name], node, info.variableValues) as { first: number; after?: string | null; names?: string[] | null };
      if (name === 'files') {
        add(filesField(args));
        if (!args.names && fieldsOf(info, node.selectionSet).some((f) => f.name.value === 'totalCount')) add({ kind: 'fileCount' });
      } else if (name === 'sampledHistory') add(sampledHistoryField(args as Parameters<typeof sampledHistoryField>[0]));
      else add(artifactsField(name === 'loggedArtifacts' ? 'outputArtifacts' : 'inputArtifacts', args));
    } catch {
      // Invalid arguments: nothing to fetch ahead.
    }
  }
  return ahead;
}

/**
 * The W&B sampledHistory specs a page of runs selects, on its runs
 * (`sampledHistory(keys:)` along `paths`) and on the connection
 * (`histories(keys:)`), computed as their resolvers will: the runs page
 * fetches them in its own upstream request. At most `max`; invalid
 * arguments and keyless selections (other upstream fields) are skipped.
 */
export function sampledHistoriesAhead(info: GraphQLResolveInfo, paths: readonly (readonly string[])[], max = 10): RunField[] {
  const runField = (info.schema.getType('Run') as GraphQLObjectType).getFields().sampledHistory;
  const connectionField = (info.schema.getType('RunConnection') as GraphQLObjectType).getFields().histories;
  const nodes = [
    ...paths.flatMap((path) => descend(info, info.fieldNodes, path)).filter((f) => f.name.value === 'sampledHistory').map((node) => ({ node, def: runField })),
    ...descend(info, info.fieldNodes, []).filter((f) => f.name.value === 'histories').map((node) => ({ node, def: connectionField })),
  ];
  const specs: RunField[] = [];
  for (const { node, def } of nodes) {
    try {
      const field = sampledHistoryField(getArgumentValues(def, node, info.variableValues) as Parameters<typeof sampledHistoryField>[0]);
      if (field.kind === 'sampledHistory' && specs.length < max && !specs.some((f) => JSON.stringify(f) === JSON.stringify(field))) specs.push(field);
    } catch {
      // Invalid arguments: nothing to fetch ahead.
    }
  }
  return specs;
}

/** True when the current field was given argument `name` (a literal, or a variable the request set), not left to its default. */
export function argumentGiven(info: GraphQLResolveInfo, name: string): boolean {
  const arg = info.fieldNodes[0]?.arguments?.find((a) => a.name.value === name);
  if (!arg) return false;
  const value = arg.value;
  return value.kind !== Kind.VARIABLE || info.variableValues[value.name.value] !== undefined;
}

/** True when the current field's selection, followed along `path`, selects `name`. */
export function selects(info: GraphQLResolveInfo, path: readonly string[], name: string): boolean {
  return descend(info, info.fieldNodes, path).some((f) => f.name.value === name);
}

// Private:

function union(a: KeysWanted, b: null | string[]): KeysWanted {
  if (a === false) return b;
  if (a === null || b === null) return null;
  return [...new Set([...a, ...b])];
}

/** The field nodes reached from `nodes` by following `path` (response names are ignored; field names count). */
export function descend(info: GraphQLResolveInfo, nodes: readonly FieldNode[], path: readonly string[]): FieldNode[] {
  let current = nodes.flatMap((n) => fieldsOf(info, n.selectionSet));
  for (const step of path) current = current.filter((f) => f.name.value === step).flatMap((f) => fieldsOf(info, f.selectionSet));
  return current;
}

function fieldsOf(info: GraphQLResolveInfo, set: SelectionSetNode | undefined): FieldNode[] {
  if (!set) return [];
  return set.selections.flatMap((s): FieldNode[] => {
    if (s.kind === 'Field') return [s];
    if (s.kind === 'InlineFragment') return fieldsOf(info, s.selectionSet);
    const fragment = info.fragments[s.name.value];
    return fragment ? fieldsOf(info, fragment.selectionSet) : [];
  });
}
