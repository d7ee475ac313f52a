/**
 * Documents built at run time to fetch many runs, or many runs' fields, in
 * one upstream request: one aliased `project { … }` per project or run,
 * each with numbered variables, around the typed fragments of
 * schema/upstream/operations/fragments.graphql.
 */
import { print } from 'graphql';
import { ArtifactFieldsFragmentDoc, FileFieldsFragmentDoc, RunFieldsFragmentDoc, SweepFieldsFragmentDoc } from '../generated/upstream.js';
import type { RunDetailFlags } from '../graphql/selection.js';
import type { RunRef } from './ids.js';

export const fragments = {
  run: print(RunFieldsFragmentDoc),
  artifact: print(ArtifactFieldsFragmentDoc),
  file: print(FileFieldsFragmentDoc),
  sweep: print(SweepFieldsFragmentDoc),
};

/** The variable declarations and values that drive RunFields' @include directives. */
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

/**
 * Runs of several projects by short id: per project one
 * `runs(filters: {"name": {"$in": [...]}})`, aliased p0, p1, …
 */
export function runsByNameDocument(
  projects: readonly { entity: string; project: string; names: readonly string[] }[],
  flags: RunDetailFlags,
  /** Runs fetched one by one with extra fields (history windows fetched ahead), aliased w0, w1, … */
  withFields: readonly { ref: RunRef; fields: readonly RunField[] }[] = [],
) {
  const vars = new Variables();
  const used = new Set<string>();
  const single = withFields.map(
    ({ ref, fields }, i) =>
      `w${i}: project(entityName: ${vars.add('String!', ref.entity)}, name: ${vars.add('String!', ref.project)}) { run(name: ${vars.add('String!', ref.runId)}) { ...RunFields ${fields
        .map((f, j) => `f${j}: ${f.kind === 'sampledHistory' ? `sampledHistory(specs: ${vars.add('[JSONString!]!', [f.spec])})` : fieldText(f, vars, used)}`)
        .join(' ')} } }`,
  );
  const fields = projects.map(
    (p, i) =>
      `p${i}: project(entityName: ${vars.add('String!', p.entity)}, name: ${vars.add('String!', p.project)}) { runs(filters: ${vars.add(
        'JSONString',
        JSON.stringify({ name: { $in: p.names } }),
      )}, first: ${vars.add('Int', p.names.length)}) { edges { node { ...RunFields } } } }`,
  );
  const extra = [used.has('file') ? fragments.file : '', used.has('artifact') ? fragments.artifact : ''].join('\n');
  return {
    query: `query RunsByName(${runFieldsDeclarations}, ${vars.declarations.join(', ')}) { ${[...fields, ...single].join(' ')} }\n${fragments.run}\n${extra}`,
    variables: { ...runFieldsVariables(flags), ...vars.values },
  };
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

/** One field of one run, as the run field loader asks for it. */
export type RunField =
  | { kind: 'config'; keys: string[] | null }
  | { kind: 'summary'; keys: string[] | null }
  | { kind: 'systemMetrics' }
  | { kind: 'historyKeys' }
  | { kind: 'sampledHistory'; spec: string }
  | { kind: 'history'; minStep: number | null; maxStep: number | null; samples: number }
  | { kind: 'events'; samples: number }
  | { kind: 'files'; names: string[] | null; first: number; after: string | null }
  | { kind: 'fileCount' }
  | { kind: 'outputArtifacts' | 'inputArtifacts'; first: number; after: string | null };

/**
 * Many fields of many runs in one document: per run
 * `r<i>: project(…) { run(name: …) { f<j>: <field>(…) … } }`. The
 * sampledHistory specs of one run share one field (its result is one list
 * per spec). Returns the document and, per requested field in order, where
 * its value is: [run alias, field alias, index in the spec list or -1].
 */
export function runFieldsDocument(requests: readonly { ref: RunRef; field: RunField }[]) {
  const vars = new Variables();
  const runs = new Map<string, { ref: RunRef; alias: string; fields: string[]; specs: string[]; specAlias: string | null }>();
  const used = new Set<string>();
  const locations = requests.map(({ ref, field }) => {
    const path = `${ref.entity}/${ref.project}/${ref.runId}`;
    let run = runs.get(path);
    if (!run) runs.set(path, (run = { ref, alias: `r${runs.size}`, fields: [], specs: [], specAlias: null }));
    if (field.kind === 'sampledHistory') {
      run.specAlias ??= `f${run.fields.length}`;
      if (run.specs.length === 0) run.fields.push('');
      run.specs.push(field.spec);
      return { run: run.alias, field: run.specAlias, spec: run.specs.length - 1 };
    }
    const alias = `f${run.fields.length}`;
    run.fields.push(`${alias}: ${fieldText(field, vars, used)}`);
    return { run: run.alias, field: alias, spec: -1 };
  });
  const selections = [...runs.values()].map((run) => {
    const fields = run.fields.map((f, i) => (f === '' && `f${i}` === run.specAlias ? `f${i}: sampledHistory(specs: ${vars.add('[JSONString!]!', run.specs)})` : f));
    return `${run.alias}: project(entityName: ${vars.add('String!', run.ref.entity)}, name: ${vars.add('String!', run.ref.project)}) { run(name: ${vars.add('String!', run.ref.runId)}) { ${fields.join(' ')} } }`;
  });
  const fragmentText = [used.has('file') ? fragments.file : '', used.has('artifact') ? fragments.artifact : ''].join('\n');
  return {
    query: `query RunFields(${vars.declarations.join(', ')}) { ${selections.join(' ')} }\n${fragmentText}`,
    variables: vars.values,
    locations,
  };
}

// Private:

function fieldText(field: Exclude<RunField, { kind: 'sampledHistory' }>, vars: Variables, used: Set<string>): string {
  switch (field.kind) {
    case 'config':
      return `config(keys: ${vars.add('[String!]', field.keys)})`;
    case 'summary':
      return `summaryMetrics(keys: ${vars.add('[String!]', field.keys)})`;
    case 'systemMetrics':
      return 'systemMetrics';
    case 'historyKeys':
      return 'historyKeys';
    case 'history':
      return `history(minStep: ${vars.add('Int64', field.minStep)}, maxStep: ${vars.add('Int64', field.maxStep)}, samples: ${vars.add('Int', field.samples)})`;
    case 'events':
      return `events(samples: ${vars.add('Int', field.samples)})`;
    case 'fileCount':
      return 'fileCount';
    case 'files':
      used.add('file');
      return `files(names: ${vars.add('[String]', field.names)}, first: ${vars.add('Int', field.first)}, after: ${vars.add('String', field.after)}) { edges { cursor node { ...FileFields } } pageInfo { hasNextPage endCursor } }`;
    case 'outputArtifacts':
    case 'inputArtifacts':
      used.add('artifact');
      return `${field.kind}(first: ${vars.add('Int', field.first)}, after: ${vars.add('String', field.after)}) { totalCount edges { cursor node { ...ArtifactFields } } pageInfo { hasNextPage endCursor } }`;
  }
}
