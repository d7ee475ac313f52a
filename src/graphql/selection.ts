import { getArgumentValues } from 'graphql/execution/values.js';
import { fieldKey, noDetails, type KeysWanted, type RunDetailFlags, type RunField, type RunPlan } from '../wandb/documents.js';
import { artifactsCall, fileCall, filesCalls, historyFirstCalls, sampledHistoryCall, sweepCall, type ConnectionReads, type FilesArgs, type SampledHistoryArgs } from './runCalls.js';
import type { HistoryPageArgs } from '../history/history.js';
import { withArgumentDefaults } from './argumentDefaults.js';
import { BREAK, Kind, visit, type FieldNode, type GraphQLField, type GraphQLObjectType, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

export { noDetails, type KeysWanted, type RunDetailFlags } from '../wandb/documents.js';

/**
 * Looks ahead in the query at the Run selections under the current field,
 * following `paths` (e.g. ["nodes"] and ["edges", "node"] for a
 * connection), through fragments and aliases, and plans what the document
 * that finds the runs reads of each: the heavy fields of RunFields
 * (`config(keys:)`/`summary(keys:)` selected several times want the union
 * of their keys, or all keys when one of them has none) and every call the
 * Run resolvers will make (runCalls.ts), each distinct call once. Fields
 * with invalid arguments are left out (their resolver reports the error).
 * `connection` names RunConnection.histories selections directly under
 * the current field (Query.runs).
 */
export function runPlanSelected(info: GraphQLResolveInfo, paths: readonly (readonly string[])[] = wholeRun, connection = false, always: readonly string[] = []): RunPlan {
  // A selection that names no variable plans the same on every request of its (cached) document.
  const owner = info.fieldNodes.length === 1 ? info.fieldNodes[0] : info.fieldNodes;
  if (!namesVariables(info, owner)) {
    const site = `${paths.map((p) => p.join('.')).join('|')}#${connection}#${always.join(',')}`;
    let bySite = documentPlans.get(owner);
    if (!bySite) documentPlans.set(owner, (bySite = new Map()));
    let plan = bySite.get(site);
    if (!plan) bySite.set(site, (plan = planOf(info, paths, connection, always)));
    return plan;
  }
  // Every reference of an _entities batch (and every node) plans the same selection with the same variables.
  if (paths !== wholeRun || connection || always.length > 0) return planOf(info, paths, connection, always);
  let byVariables = wholeRunPlans.get(info.fieldNodes);
  if (!byVariables) wholeRunPlans.set(info.fieldNodes, (byVariables = new WeakMap()));
  let plan = byVariables.get(info.variableValues);
  if (!plan) byVariables.set(info.variableValues, (plan = planOf(info, paths, connection, always)));
  return plan;
}

const wholeRun: readonly (readonly string[])[] = [[]];
/** Plans of the whole current field's selection, per field nodes and request variables. */
const wholeRunPlans = new WeakMap<readonly FieldNode[], WeakMap<object, RunPlan>>();
/** Plans of selections that name no variable, per field node(s) and call site: they go with their parsed document. */
const documentPlans = new WeakMap<object, Map<string, RunPlan>>();

/** True when the selection under the field node(s), fragments included, names a variable (in an argument or a directive). Remembered per node(s). */
function namesVariables(info: GraphQLResolveInfo, owner: FieldNode | readonly FieldNode[]): boolean {
  let known = variableUse.get(owner);
  if (known === undefined) {
    known = false;
    const seen = new Set<string>();
    const visitor = {
      Variable: () => {
        known = true;
        return BREAK;
      },
      FragmentSpread: (spread: { name: { value: string } }) => {
        const fragment = info.fragments[spread.name.value];
        if (fragment && !seen.has(spread.name.value)) {
          seen.add(spread.name.value);
          visit(fragment, visitor);
        }
      },
    };
    // The field's own arguments (an _entities batch's $representations) do not change what is planned below it.
    for (const node of Array.isArray(owner) ? owner : [owner]) if (!known && node.selectionSet) visit(node.selectionSet, visitor);
    variableUse.set(owner, known);
  }
  return known;
}

const variableUse = new WeakMap<object, boolean>();

function planOf(info: GraphQLResolveInfo, paths: readonly (readonly string[])[], connection: boolean, always: readonly string[]): RunPlan {
  const runFields = (info.schema.getType('Run') as GraphQLObjectType).getFields();
  const details: RunDetailFlags = { ...noDetails };
  const scalars = new Set<string>(always);
  const calls = new Map<string, RunField>();
  const add = (field: RunField | null) => {
    if (field) calls.set(fieldKey(field), field);
  };
  const args = <T>(def: GraphQLField<unknown, unknown>, node: FieldNode) => withArgumentDefaults(def, getArgumentValues(def, node, info.variableValues)) as T;
  // A field selected twice under one response key is resolved once, seeing both selections (as GraphQL merges them).
  for (const same of paths.flatMap((path) => byResponseKey(descend(info, info.fieldNodes, path)))) {
    const node = same[0];
    const name = node.name.value;
    const own = ownFields[name];
    if (own) scalars.add(own);
    try {
      switch (name) {
        case 'config':
        case 'summary':
          details[name] = union(details[name], args<{ keys?: string[] | null }>(runFields[name], node).keys ?? null);
          break;
        case 'systemMetrics':
          details.systemMetrics = true;
          break;
        case 'historyKeys':
        case 'lastStep':
          details.historyKeys = true;
          break;
        case 'history': {
          // The connection needs the last step (and key counts) to know where to stop.
          details.historyKeys = true;
          const selected = historySelected(info, same);
          historyFirstCalls({ ...args<Omit<HistoryPageArgs, 'firstGiven'>>(runFields.history, node), firstGiven: selected.firstGiven }, selected).forEach(add);
          break;
        }
        case 'sampledHistory':
          add(sampledHistoryCall(args<SampledHistoryArgs>(runFields.sampledHistory, node)));
          break;
        case 'file':
          add(fileCallSelected(info, args<{ name: string }>(runFields.file, node).name, same));
          break;
        case 'files': {
          const { page, count } = filesCallsSelected(info, args<FilesArgs>(runFields.files, node), same);
          add(page);
          add(count);
          break;
        }
        case 'loggedArtifacts':
        case 'usedArtifacts':
          add(artifactsCallSelected(info, name, args<{ first: number; after?: string | null }>(runFields[name], node), same));
          break;
        case 'sweep':
          add(sweepCall);
          break;
      }
    } catch {
      // Invalid arguments: nothing planned; the resolver reports the error.
    }
  }
  if (connection) {
    const histories = (info.schema.getType('RunConnection') as GraphQLObjectType).getFields().histories;
    for (const node of descend(info, info.fieldNodes, []).filter((f) => f.name.value === 'histories')) {
      try {
        add(sampledHistoryCall(args<SampledHistoryArgs>(histories, node)));
      } catch {
        // As above.
      }
    }
  }
  return { details, fields: [...calls.values()], scalars: [...scalars].sort() };
}

/**
 * A memo of what a resolver makes of its field's arguments and selection:
 * made once per field node(s) and request variables, as every run of a
 * page asks the same of the same nodes. One memo per resolver. Both keys
 * are held weakly: a request's variables (an _entities batch's
 * representations) are not kept once it is done.
 */
export function selectionMemo<T>(): (info: GraphQLResolveInfo, make: () => T) => T {
  const made = new WeakMap<readonly FieldNode[], WeakMap<object, T>>();
  return (info, make) => {
    let byVariables = made.get(info.fieldNodes);
    if (!byVariables) made.set(info.fieldNodes, (byVariables = new WeakMap()));
    let value = byVariables.get(info.variableValues);
    if (value === undefined) byVariables.set(info.variableValues, (value = make()));
    return value;
  };
}

// The calls of Run fields whose selection matters, from the field nodes of one response key (by
// default the current field's) and the arguments: one derivation for the planner and the resolvers,
// so that what is planned with the run is what its resolvers ask for.

/** What a Run.history selection reads (see HistorySelection). */
export function historySelected(info: GraphQLResolveInfo, nodes: readonly FieldNode[] = info.fieldNodes): HistorySelection {
  const rowFields = fieldsBelow(info, nodes, ['edges', 'node']);
  return { firstGiven: given(info, nodes[0], 'first'), timestamp: rowFields.has('timestamp'), runtime: rowFields.has('runtime'), paging: connectionOf(info, nodes).paging };
}

/** What a Run.history selection asks: whether `first` was given, the row fields beyond step and values, and whether it reads a cursor or page info (so a next page can follow). */
export interface HistorySelection {
  firstGiven: boolean;
  timestamp: boolean;
  runtime: boolean;
  paging: boolean;
}

/** Run.file's call, reading the RunFile fields selected. */
export function fileCallSelected(info: GraphQLResolveInfo, name: string, nodes: readonly FieldNode[] = info.fieldNodes): RunField {
  return fileCall(name, fieldsBelow(info, nodes, []));
}

/** Run.files's calls (see filesCalls) for what its selection reads. */
export function filesCallsSelected(info: GraphQLResolveInfo, args: FilesArgs, nodes: readonly FieldNode[] = info.fieldNodes): ReturnType<typeof filesCalls> {
  const { totalCount, paging } = connectionOf(info, nodes);
  return filesCalls(args, totalCount, fieldsBelow(info, nodes, ['edges', 'node']), paging);
}

/** Run.loggedArtifacts' or Run.usedArtifacts' call for what its selection reads. */
export function artifactsCallSelected(
  info: GraphQLResolveInfo,
  field: 'loggedArtifacts' | 'usedArtifacts',
  args: { first: number; after?: string | null },
  nodes: readonly FieldNode[] = info.fieldNodes,
): ReturnType<typeof artifactsCall> {
  return artifactsCall(field === 'loggedArtifacts' ? 'outputArtifacts' : 'inputArtifacts', args, connectionOf(info, nodes));
}

/** True when the current field's selection, followed along `path`, selects `name`. */
export function selects(info: GraphQLResolveInfo, path: readonly string[], name: string): boolean {
  return descend(info, info.fieldNodes, path).some((f) => f.name.value === name);
}

/**
 * The field nodes reached from `nodes` by following `path` (response names
 * are ignored; field names count). Remembered per field node(s) and path:
 * the resolvers of every run in a page ask the same question of the same
 * nodes. The answer must not be changed by the caller.
 */
export function descend(info: GraphQLResolveInfo, nodes: readonly FieldNode[], path: readonly string[]): readonly FieldNode[] {
  const owner = nodes.length === 1 ? nodes[0] : nodes;
  const key = path.join('.');
  let byPath = descended.get(owner);
  const known = byPath?.get(key);
  if (known) return known;
  let current = nodes.flatMap((n) => fieldsOf(info, n.selectionSet));
  for (const step of path) current = current.filter((f) => f.name.value === step).flatMap((f) => fieldsOf(info, f.selectionSet));
  if (!byPath) descended.set(owner, (byPath = new Map()));
  byPath.set(key, current);
  return current;
}

/** descend's answers, per field node (or list of them) and path; they go with their parsed document. */
const descended = new WeakMap<object, Map<string, readonly FieldNode[]>>();

// Private:

/** The W&B Run fields each contract field reads besides `name` (which is always read). */
const ownFields: Record<string, string | undefined> = {
  id: 'id',
  displayName: 'displayName',
  state: 'state',
  createdAt: 'createdAt',
  heartbeatAt: 'heartbeatAt',
  notes: 'notes',
  tags: 'tags',
  group: 'group',
  jobType: 'jobType',
  commit: 'commit',
  username: 'user { username }',
  sweep: 'sweepName',
};

function union(a: KeysWanted, b: null | string[]): KeysWanted {
  if (a === false) return b;
  if (a === null || b === null) return null;
  return [...new Set([...a, ...b])];
}

function given(info: GraphQLResolveInfo, node: FieldNode | undefined, name: string): boolean {
  const arg = node?.arguments?.find((a) => a.name.value === name);
  if (!arg) return false;
  // An explicit null is not given (see argumentDefaults.ts).
  const value = arg.value;
  if (value.kind === Kind.NULL) return false;
  return value.kind !== Kind.VARIABLE || (info.variableValues[value.name.value] ?? null) !== null;
}

/** Names of the fields selected below field nodes of one response key, along `path`. */
function fieldsBelow(info: GraphQLResolveInfo, nodes: readonly FieldNode[], path: readonly string[]): Set<string> {
  return new Set(descend(info, nodes, path).map((f) => f.name.value));
}

/** What a connection selected by field nodes of one response key reads: its edges (or page info), its cursors or page info, and its count. */
function connectionOf(info: GraphQLResolveInfo, nodes: readonly FieldNode[]): ConnectionReads & { totalCount: boolean } {
  const selected = fieldsBelow(info, nodes, []);
  const paging = selected.has('pageInfo') || fieldsBelow(info, nodes, ['edges']).has('cursor');
  return { edges: selected.has('edges') || paging, paging, totalCount: selected.has('totalCount') };
}

/** Field nodes grouped by response key (alias or name), in order of first appearance. */
function byResponseKey(nodes: readonly FieldNode[]): FieldNode[][] {
  const groups = new Map<string, FieldNode[]>();
  for (const node of nodes) {
    const key = node.alias?.value ?? node.name.value;
    const group = groups.get(key);
    if (group) group.push(node);
    else groups.set(key, [node]);
  }
  return [...groups.values()];
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
