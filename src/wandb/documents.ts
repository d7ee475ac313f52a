/**
 * The document compiler: every upstream document built at run time is made
 * here, as text, from a plan of what to read. A run's selection is the
 * typed RunFields fragment (heavy fields behind @include variables) plus
 * one aliased field (f0, f1, …) per distinct upstream call its resolvers
 * will make (config keys, sampled history, the first history windows,
 * files, artifacts, sweep). Argument values always travel as numbered
 * variables, so a document's text depends only on its shape; building it
 * is string concatenation (no AST printing per request). The reads one
 * request sends in the same tick then go as one document (combine.ts).
 */
import type { CarveSpec } from './carve.js';
import { print } from 'graphql';
import { ArtifactFieldsFragmentDoc, FileFieldsFragmentDoc, RunFieldsFragmentDoc, SweepFieldsFragmentDoc } from '../generated/upstream.js';
import type { RunRef } from './ids.js';

/** Keys wanted of a JSON field: false (not selected), null (all keys), or the keys. */
export type KeysWanted = false | null | string[];

/** Which of a run's heavy fields (in the RunFields fragment) to fetch. */
export interface RunDetailFlags {
  config: KeysWanted;
  summary: KeysWanted;
  systemMetrics: boolean;
  historyKeys: boolean;
}

export const noDetails: RunDetailFlags = { config: false, summary: false, systemMetrics: false, historyKeys: false };

/** One upstream call on one run, as a resolver makes it. */
export type RunField =
  | { kind: 'config'; keys: string[] | null }
  | { kind: 'summary'; keys: string[] | null }
  | { kind: 'systemMetrics' }
  | { kind: 'historyKeys' }
  | { kind: 'sampledHistory'; spec: string }
  | { kind: 'history'; minStep: number | null; maxStep: number | null; samples: number }
  | { kind: 'events'; samples: number }
  /** `fields`: the W&B File fields to read of each file; `paging`: whether cursors and page info are read. */
  | { kind: 'files'; names: string[] | null; first: number; after: string | null; fields: string[]; paging: boolean }
  | { kind: 'fileCount' }
  /** `edges` false: the count alone (no artifact is read); `paging`: whether cursors and page info are read. */
  | { kind: 'outputArtifacts' | 'inputArtifacts'; first: number; after: string | null; edges: boolean; paging: boolean }
  | { kind: 'sweep' };

/** What to read of a run in the document that finds it: its own fields, heavy fields and extra calls. */
export interface RunPlan {
  details: RunDetailFlags;
  /** Distinct calls (by {@link fieldKey}), each aliased f<i> on the run. */
  fields: RunField[];
  /**
   * The run's own fields to read besides `name` (e.g. "state", "user { username }"),
   * as a query selects them; absent: all of them (the RunFields fragment).
   */
  scalars?: readonly string[];
}

/**
 * A plan's identity, for caches keyed by what was read. Kept per plan parts
 * (the references of one `_entities` call share theirs), never modified
 * once planned.
 */
export function planKey(plan: RunPlan): string {
  const kept = planKeys.get(plan.details);
  if (kept && kept.fields === plan.fields && kept.scalars === plan.scalars) return kept.key;
  const key = `${JSON.stringify(plan.details)}|${plan.scalars?.join(',') ?? '*'}|${plan.fields.map(fieldKey).join(',')}`;
  planKeys.set(plan.details, { fields: plan.fields, scalars: plan.scalars, key });
  return key;
}

const planKeys = new WeakMap<RunDetailFlags, { fields: readonly RunField[]; scalars: readonly string[] | undefined; key: string }>();

export const emptyPlan: RunPlan = { details: noDetails, fields: [] };

/**
 * The identity of a call: equal calls have equal keys (fields are built by
 * one set of functions, in one property order, and never modified). Kept
 * per field object: a page's runs share their plan's fields.
 */
export function fieldKey(field: RunField): string {
  let key = fieldKeys.get(field);
  if (key === undefined) fieldKeys.set(field, (key = JSON.stringify(field)));
  return key;
}

const fieldKeys = new WeakMap<RunField, string>();

/**
 * True when two calls are equal (equal keys), compared without printing
 * them: a resolver builds its call anew for each run of a page. A call's
 * properties are primitives or lists of strings.
 */
export function sameField(a: RunField, b: RunField): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  const x = a as unknown as Record<string, unknown>;
  const y = b as unknown as Record<string, unknown>;
  let count = 0;
  for (const k in x) {
    count++;
    const u = x[k];
    const v = y[k];
    if (u === v) continue;
    if (!Array.isArray(u) || !Array.isArray(v) || u.length !== v.length || u.some((e, i) => e !== v[i])) return false;
  }
  for (const _ in y) count--;
  return count === 0;
}

/** The union of two plans (heavy fields merged, calls deduplicated). */
export function mergePlans(a: RunPlan, b: RunPlan): RunPlan {
  const seen = new Set(a.fields.map(fieldKey));
  return { details: mergeDetails(a.details, b.details), fields: [...a.fields, ...b.fields.filter((f) => !seen.has(fieldKey(f)) && seen.add(fieldKey(f)))] };
}

export function mergeDetails(a: RunDetailFlags, b: RunDetailFlags): RunDetailFlags {
  return {
    config: mergeKeys(a.config, b.config),
    summary: mergeKeys(a.summary, b.summary),
    systemMetrics: a.systemMetrics || b.systemMetrics,
    historyKeys: a.historyKeys || b.historyKeys,
  };
}

export const fragments = {
  run: print(RunFieldsFragmentDoc),
  artifact: print(ArtifactFieldsFragmentDoc),
  file: print(FileFieldsFragmentDoc),
  sweep: print(SweepFieldsFragmentDoc),
};

/** The variable values that drive RunFields' @include directives. */
export function runFieldsVariables(flags: RunDetailFlags): {
  withConfig: boolean;
  configKeys: string[] | null;
  withSummary: boolean;
  summaryKeys: string[] | null;
  withSystemMetrics: boolean;
  withHistoryKeys: boolean;
} {
  return {
    withConfig: flags.config !== false,
    configKeys: flags.config || null,
    withSummary: flags.summary !== false,
    summaryKeys: flags.summary || null,
    withSystemMetrics: flags.systemMetrics,
    withHistoryKeys: flags.historyKeys,
  };
}

const runFieldsDeclarations =
  '$withConfig: Boolean!, $configKeys: [String!], $withSummary: Boolean!, $summaryKeys: [String!], $withSystemMetrics: Boolean!, $withHistoryKeys: Boolean!';

/** One upstream read of a project's runs (see runsPaging.ts: W&B's own cursors are never sent). */
export interface RunsPageArgs {
  entity: string;
  project: string;
  filters: string;
  order: string;
  first: number;
  /** The caller's filters, for the count. */
  countFilters: string;
  withCount: boolean;
}

/**
 * One page of a project's runs with every planned call on each node: one
 * request for the page and all its runs' nested data. The runs' own fields
 * are those the query selects.
 */
export function runsPageDocument(args: RunsPageArgs, plan: RunPlan) {
  const c = new Compilation();
  const node = c.run(plan, plan.details);
  const declarations = ['$entity: String!', '$project: String!', '$filters: JSONString', '$order: String', '$first: Int', ...(args.withCount ? ['$countFilters: JSONString'] : []), ...c.declarations()];
  const count = args.withCount ? 'runCount(filters: $countFilters) ' : '';
  const { withCount: _, ...values } = args;
  if (!args.withCount) delete (values as Partial<typeof values>).countFilters;
  return {
    query: `query RunsPage(${declarations.join(', ')}) { project(name: $project, entityName: $entity) { ${count}runs(filters: $filters, order: $order, first: $first) { edges { node { ${node} } } pageInfo { hasNextPage } } } }\n${c.fragments()}`,
    variables: { ...values, ...c.values() },
  };
}

/** One run to look up by path, with what to read of it. */
export interface RunLookup {
  ref: RunRef;
  plan: RunPlan;
}

/**
 * Runs by path, as W&B's own clients find a run:
 * `p<i>: project(entityName, name) { r<j>: run(name) { ...RunFields f0: … } }`,
 * runs grouped by project, each with its own plan's fields. The heavy
 * fields of RunFields are those of the union of the plans. Returns, per
 * lookup in order, its [project alias, run alias].
 */
export function runLookupDocument(lookups: readonly RunLookup[]) {
  const c = new Compilation();
  const projects = new Map<string, { alias: string; entity: string; project: string; runs: string[] }>();
  // Runs read whole (RunFields) share the fragment's heavy fields: the union of their plans'.
  const whole = lookups.filter((l) => !l.plan.scalars).reduce((d, l) => mergeDetails(d, l.plan.details), noDetails);
  const aliases = lookups.map(({ ref, plan }, j) => {
    const id = `${ref.entity}\n${ref.project}`;
    let p = projects.get(id);
    if (!p) projects.set(id, (p = { alias: `p${projects.size}`, entity: ref.entity, project: ref.project, runs: [] }));
    p.runs.push(`r${j}: run(name: ${c.vars.add('String!', ref.runId)}) { ${c.run(plan, whole)} }`);
    return [p.alias, `r${j}`] as const;
  });
  const selections = [...projects.values()].map(
    (p) => `${p.alias}: project(entityName: ${c.vars.add('String!', p.entity)}, name: ${c.vars.add('String!', p.project)}) { ${p.runs.join(' ')} }`,
  );
  return {
    query: `query RunLookup(${c.declarations().join(', ')}) { ${selections.join(' ')} }\n${c.fragments()}`,
    variables: c.values(),
    aliases,
  };
}

/**
 * Calls on runs already found (what arrives in a later tick), any number
 * of runs in one document: `r<i>: project(…) { run(name) { f<j>: … } }`.
 * Returns, per request in order, its [run alias, field alias].
 */
export function runFieldsDocument(requests: readonly { ref: RunRef; field: RunField }[]) {
  const c = new Compilation();
  const runs = new Map<string, { ref: RunRef; alias: string; fields: RunField[]; index: Map<string, number> }>();
  const locations = requests.map(({ ref, field }) => {
    const path = `${ref.entity}\n${ref.project}\n${ref.runId}`;
    let run = runs.get(path);
    if (!run) runs.set(path, (run = { ref, alias: `r${runs.size}`, fields: [], index: new Map() }));
    const key = fieldKey(field);
    let i = run.index.get(key);
    if (i === undefined) {
      run.index.set(key, (i = run.fields.length));
      run.fields.push(field);
    }
    return [run.alias, `f${i}`] as const;
  });
  const selections = [...runs.values()].map(
    (run) =>
      `${run.alias}: project(entityName: ${c.vars.add('String!', run.ref.entity)}, name: ${c.vars.add('String!', run.ref.project)}) { run(name: ${c.vars.add('String!', run.ref.runId)}) { ${c.fields(run.fields)} } }`,
  );
  return { query: `query RunFields(${c.declarations().join(', ')}) { ${selections.join(' ')} }\n${c.fragments()}`, variables: c.values(), locations };
}

/** Sweeps by project and name, aliased s0, s1, … */
export function sweepsDocument(sweeps: readonly { entity: string; project: string; name: string }[]) {
  const vars = new Variables();
  const fields = sweeps.map(
    (s, i) =>
      `s${i}: project(entityName: ${vars.add('String!', s.entity)}, name: ${vars.add('String!', s.project)}) { sweep(sweepName: ${vars.add('String!', s.name)}) { ...SweepFields } }`,
  );
  return { query: `query Sweeps(${vars.declarations.join(', ')}) { ${fields.join(' ')} }\n${fragments.sweep}`, variables: vars.values };
}

/** Artifacts by id, aliased a0, a1, … */
export function artifactsDocument(ids: readonly string[]) {
  const vars = new Variables();
  const fields = ids.map((id, i) => `a${i}: artifact(id: ${vars.add('ID!', id)}) { ...ArtifactFields }`);
  return { query: `query Artifacts(${vars.declarations.join(', ')}) { ${fields.join(' ')} }\n${fragments.artifact}`, variables: vars.values };
}

/** The value of a planned call in a run's answer (sampledHistory is asked with one spec: its first list). */
export function valueOf(field: RunField, raw: unknown): unknown {
  return field.kind === 'sampledHistory' ? (Array.isArray(raw) ? raw[0] : undefined) : raw;
}

/**
 * Where a runs page's Run.sampledHistory lists are, to keep them as text
 * (carve.ts): the nodes' f<i> of those calls. Undefined when there are none.
 */
export function runsPageCarve(plan: RunPlan): CarveSpec | undefined {
  const keys = textKeptAliases(plan);
  if (keys.size === 0) return undefined;
  // data.project.runs.edges[].node.f<i>
  return { depth: 7, wanted: (p) => keys.has(p[6]) && p[5] === 'node' && p[3] === 'edges' && p[2] === 'runs' && p[1] === 'project' && p[0] === 'data' };
}

/** As runsPageCarve, for a lookup document: p<i>.r<j>.f<k> of each run's own plan. */
export function lookupCarve(lookups: readonly RunLookup[], aliases: readonly (readonly [string, string])[]): CarveSpec | undefined {
  const wanted = new Set<string>();
  lookups.forEach(({ plan }, i) => {
    for (const f of textKeptAliases(plan)) wanted.add(`${aliases[i][0]}.${aliases[i][1]}.${f}`);
  });
  if (wanted.size === 0) return undefined;
  // data.p<i>.r<j>.f<k>
  return { depth: 4, wanted: (p) => p[0] === 'data' && wanted.has(`${p[1]}.${p[2]}.${p[3]}`) };
}

// Private:

/**
 * The aliases of a plan's Run.sampledHistory calls over the whole run
 * (their spec has no step window) whose rows carry _step: the carve checks
 * their steps' order. History windows are parsed: their rows are checked
 * step by step.
 */
function textKeptAliases(plan: RunPlan): Set<string> {
  const out = new Set<string>();
  plan.fields.forEach((f, i) => {
    if (f.kind !== 'sampledHistory') return;
    const spec = JSON.parse(f.spec) as { keys: string[]; minStep?: number };
    if (spec.minStep === undefined && spec.keys.includes('_step')) out.add(`f${i}`);
  });
  return out;
}

function mergeKeys(a: KeysWanted, b: KeysWanted): KeysWanted {
  if (a === false) return b;
  if (b === false) return a;
  if (a === null || b === null) return null;
  return [...new Set([...a, ...b])];
}

/** The W&B File fields a files call may read (the contract's RunFile fields have the same names). */
const fileFields = new Set(['id', 'name', 'url', 'sizeBytes', 'mimetype', 'md5', 'updatedAt']);

/** A numbered-variable builder: `add(type, value)` returns "$v3". */
class Variables {
  readonly values: Record<string, unknown> = {};
  readonly declarations: string[] = [];
  add(type: string, value: unknown): string {
    const name = `v${this.declarations.length}`;
    this.declarations.push(`$${name}: ${type}`);
    this.values[name] = value;
    return `$${name}`;
  }
}

/** A connection's edges around `node`, with W&B's cursors and page info when `paging`. */
function edgesOf(node: string, paging: boolean): string {
  return paging ? `edges { cursor ${node} } pageInfo { hasNextPage endCursor }` : `edges { ${node} }`;
}

/** One document being compiled: its variables, the fragments its fields use, each distinct call's text once. */
class Compilation {
  readonly vars = new Variables();
  private readonly used = new Set<'run' | 'artifact' | 'sweep'>();
  private readonly texts = new Map<string, string>();
  private wholeDetails: RunDetailFlags | null = null;

  /**
   * A run's selection: `name`, the plan's own fields and heavy fields (or
   * the RunFields fragment driven by `whole`, for a plan without scalars),
   * then its calls.
   */
  run(plan: RunPlan, whole: RunDetailFlags): string {
    const calls = this.fields(plan.fields);
    if (!plan.scalars) {
      this.used.add('run');
      this.wholeDetails = whole;
      return calls ? `...RunFields ${calls}` : '...RunFields';
    }
    const d = plan.details;
    // name and id always: where a run lives, and what the answer checks compare (trust.ts).
    const parts = ['name', 'id', ...plan.scalars.filter((f) => f !== 'id')];
    if (d.config !== false) parts.push(this.text('config', d.config, () => `config(keys: ${this.vars.add('[String!]', d.config)})`));
    if (d.summary !== false) parts.push(this.text('summary', d.summary, () => `summaryMetrics(keys: ${this.vars.add('[String!]', d.summary)})`));
    if (d.systemMetrics) parts.push('systemMetrics');
    if (d.historyKeys) parts.push('historyKeys');
    if (calls) parts.push(calls);
    return parts.join(' ');
  }

  /** The aliased selections `f0: … f1: …` for a run's calls; equal calls share their variables. */
  fields(fields: readonly RunField[]): string {
    return fields.map((f, i) => `f${i}: ${this.text('call', f, () => this.field(f))}`).join(' ');
  }

  declarations(): string[] {
    return this.wholeDetails ? [runFieldsDeclarations, ...this.vars.declarations] : this.vars.declarations;
  }

  values(): Record<string, unknown> {
    return this.wholeDetails ? { ...runFieldsVariables(this.wholeDetails), ...this.vars.values } : this.vars.values;
  }

  fragments(): string {
    return [...this.used].map((u) => fragments[u]).join('\n');
  }

  private text(kind: string, value: unknown, make: () => string): string {
    const key = `${kind}:${JSON.stringify(value)}`;
    let text = this.texts.get(key);
    if (text === undefined) this.texts.set(key, (text = make()));
    return text;
  }

  private field(field: RunField): string {
    const vars = this.vars;
    switch (field.kind) {
      case 'config':
        return `config(keys: ${vars.add('[String!]', field.keys)})`;
      case 'summary':
        return `summaryMetrics(keys: ${vars.add('[String!]', field.keys)})`;
      case 'systemMetrics':
        return 'systemMetrics';
      case 'historyKeys':
        return 'historyKeys';
      case 'sampledHistory':
        return `sampledHistory(specs: [${vars.add('JSONString!', field.spec)}])`;
      case 'history':
        return `history(minStep: ${vars.add('Int64', field.minStep)}, maxStep: ${vars.add('Int64', field.maxStep)}, samples: ${vars.add('Int', field.samples)})`;
      case 'events':
        return `events(samples: ${vars.add('Int', field.samples)})`;
      case 'fileCount':
        return 'fileCount';
      case 'files':
        return `files(names: ${vars.add('[String]', field.names)}, first: ${vars.add('Int', field.first)}, after: ${vars.add('String', field.after)}) { ${edgesOf(`node { ${['name', ...field.fields.filter((f) => f !== 'name' && fileFields.has(f))].join(' ')} }`, field.paging)} }`;
      case 'outputArtifacts':
      case 'inputArtifacts':
        if (!field.edges) return `${field.kind}(first: ${vars.add('Int', field.first)}, after: ${vars.add('String', field.after)}) { totalCount }`;
        this.used.add('artifact');
        return `${field.kind}(first: ${vars.add('Int', field.first)}, after: ${vars.add('String', field.after)}) { totalCount ${edgesOf('node { ...ArtifactFields }', field.paging)} }`;
      case 'sweep':
        this.used.add('sweep');
        return 'sweep { ...SweepFields }';
    }
  }
}
