import { getArgumentValues } from 'graphql/execution/values.js';
import { firstWindowField, historyKeysWanted } from '../history/history.js';
import { decodeCursor } from '../wandb/cursor.js';
import type { RunField } from '../wandb/batch.js';
import type { FieldNode, GraphQLObjectType, GraphQLResolveInfo, SelectionSetNode } from 'graphql';

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
      const args = getArgumentValues(history, node, info.variableValues) as { keys?: string[] | null; minStep?: number | null; maxStep?: number | null; first: number; after?: string | null };
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
