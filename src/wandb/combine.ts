/**
 * The reads one request sends W&B in the same tick (a runs page and a run
 * lookup for two root fields, two runs pages of two projects) combined
 * into one document: each read's top-level fields, variables and fragments
 * renamed with a prefix of its own (q0_, q1_, …), and W&B's answer split
 * back into one answer per read, its errors at their own paths.
 */
import { Kind, parse, print, visit, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode, type VariableDefinitionNode } from 'graphql';
import type { CarveSpec, RawRows } from './carve.js';
import type { PartialResult, UpstreamFieldError } from './client.js';
import { WeighedMemo } from '../memo.js';

/** One read as the W&B client sends it. */
export interface Read {
  query: string;
  variables: Record<string, unknown>;
  carve?: CarveSpec;
}

/** Reads combined: the document to send, and how to split its answer. */
export interface Combined extends Read {
  /** One answer per read, in order, from the combined answer. */
  split(result: PartialResult<unknown>): PartialResult<unknown>[];
}

/**
 * The reads as one document, or null when one of them is not a single
 * query of fields (a document this subgraph does not build).
 */
export function combineReads(reads: readonly Read[]): Combined | null {
  const variableDefinitions: VariableDefinitionNode[] = [];
  const selections: FieldNode[] = [];
  const fragments: FragmentDefinitionNode[] = [];
  const variables: Record<string, unknown> = {};
  /** Per read: its top-level keys, as sent and as it asked for them. */
  const keys: Map<string, string>[] = [];
  for (let i = 0; i < reads.length; i++) {
    const prefix = `q${i}_`;
    const document = parsed(reads[i].query);
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    if (operations.length !== 1 || operations[0].operation !== 'query') return null;
    const own = new Map<string, string>();
    const renamed = visit(document, {
      Variable: (node) => ({ ...node, name: { ...node.name, value: prefix + node.name.value } }),
      FragmentSpread: (node) => ({ ...node, name: { ...node.name, value: prefix + node.name.value } }),
      FragmentDefinition: (node) => ({ ...node, name: { ...node.name, value: prefix + node.name.value } }),
    });
    for (const definition of renamed.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.push(definition);
      else if (definition.kind === Kind.OPERATION_DEFINITION) {
        variableDefinitions.push(...(definition.variableDefinitions ?? []));
        for (const selection of definition.selectionSet.selections) {
          if (selection.kind !== Kind.FIELD) return null;
          const key = selection.alias?.value ?? selection.name.value;
          own.set(prefix + key, key);
          selections.push({ ...selection, alias: { kind: Kind.NAME, value: prefix + key } });
        }
      }
    }
    for (const [name, value] of Object.entries(reads[i].variables)) variables[prefix + name] = value;
    keys.push(own);
  }
  const combined: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [
      { kind: Kind.OPERATION_DEFINITION, operation: 'query' as OperationDefinitionNode['operation'], name: { kind: Kind.NAME, value: 'Combined' }, variableDefinitions, selectionSet: { kind: Kind.SELECTION_SET, selections } },
      ...fragments,
    ],
  };
  return {
    query: print(combined),
    variables,
    carve: combinedCarve(reads, keys),
    split: (result) =>
      keys.map((own) => {
        const data = result.data === null ? null : Object.fromEntries([...own].map(([sent, asked]) => [asked, (result.data as Record<string, unknown>)[sent]]));
        const errors: UpstreamFieldError[] = [];
        for (const e of result.errors) {
          const top = e.path?.[0];
          // An error without a path (the whole answer's) is every read's.
          if (top === undefined) errors.push(e);
          else if (typeof top === 'string' && own.has(top)) errors.push({ ...e, path: [own.get(top)!, ...e.path!.slice(1)] });
        }
        return { data, errors, ...(result.carved ? { carved: result.carved as RawRows[] } : {}) };
      }),
  };
}

// Private:

/** Parsed documents by text (a request's reads repeat in shape): at most 200, and 256 kB of their text. */
const documents = new WeighedMemo<string, DocumentNode>(200, 256 * 1024);

function parsed(query: string): DocumentNode {
  return documents.get(query, query.length, () => parse(query, { noLocation: true }));
}

/**
 * Where to cut the combined answer: each read's places under its own keys.
 * One pass cuts at one depth, so reads cutting at different depths cut
 * nothing (their lists are then parsed, as any answer's are).
 */
function combinedCarve(reads: readonly Read[], keys: readonly Map<string, string>[]): CarveSpec | undefined {
  const specs = reads.map((r, i) => [r.carve, keys[i]] as const).filter((s): s is readonly [CarveSpec, Map<string, string>] => s[0] !== undefined);
  if (specs.length === 0 || specs.some(([s]) => s.depth !== specs[0][0].depth)) return undefined;
  return {
    depth: specs[0][0].depth,
    wanted: (path) => {
      for (const [spec, own] of specs) {
        const asked = path.length > 1 ? own.get(path[1]) : undefined;
        if (asked !== undefined) return spec.wanted([path[0], asked, ...path.slice(2)]);
      }
      return false;
    },
  };
}
