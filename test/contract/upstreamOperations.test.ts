/**
 * Every document the subgraph sends upstream validates against W&B's schema
 * (../shared/wandb/upstream-schema.graphql), not only against the emulator's
 * subset: the typed documents in schema/upstream/operations and the batched
 * documents built at run time.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, parse, validate, type GraphQLSchema } from 'graphql';
import { hasShared, sharedDir } from '../../emulator/test/helpers/emulator.js';
import { artifactsDocument, runFieldsDocument, runLookupDocument, runsPageDocument, sweepsDocument, type RunField } from '../../src/wandb/documents.js';
import { upstreamSchemaPath } from '../../emulator/src/schema.js';

const operationsDir = fileURLToPath(new URL('../../schema/upstream/operations/', import.meta.url));
const d = hasShared ? describe : describe.skip;
if (!hasShared) console.warn('SKIPPED: ../shared/wandb is absent, so upstream operations were not checked against the W&B schema');

const ref = { entity: 'acme-ml', project: 'p', runId: 'abc' };
/** One call of every kind, as a plan compiles them onto a run. */
const everyCall: RunField[] = [
  { kind: 'config', keys: ['lr'] },
  { kind: 'summary', keys: null },
  { kind: 'systemMetrics' },
  { kind: 'historyKeys' },
  { kind: 'sampledHistory', spec: '{"keys":["loss"],"samples":10}' },
  { kind: 'sampledHistory', spec: '{"keys":["acc"],"samples":10}' },
  { kind: 'history', minStep: 0, maxStep: 10, samples: 10 },
  { kind: 'events', samples: 10 },
  { kind: 'files', names: null, first: 3, after: null, fields: ['id', 'md5', 'mimetype', 'name', 'sizeBytes', 'updatedAt', 'url'], paging: true },
  { kind: 'files', names: ['a'], first: 1, after: null, fields: [], paging: false },
  { kind: 'fileCount' },
  { kind: 'outputArtifacts', first: 3, after: null, edges: true, paging: true },
  { kind: 'outputArtifacts', first: 4, after: null, edges: true, paging: false },
  { kind: 'inputArtifacts', first: 3, after: null, edges: false, paging: false },
  { kind: 'sweep' },
];
const details = { config: ['lr'], summary: null, systemMetrics: true, historyKeys: false };
const dynamic = {
  runsPage: runsPageDocument({ entity: 'e', project: 'p', filters: '{}', order: '+created_at', first: 10, countFilters: '{}', withCount: true }, { details, fields: everyCall }).query,
  runsPageBare: runsPageDocument({ entity: 'e', project: 'p', filters: '{}', order: '-created_at', first: 10, countFilters: '{}', withCount: false }, { details, fields: [] }).query,
  runLookup: runLookupDocument([
    { ref: { entity: 'e', project: 'p', runId: 'a' }, plan: { details, fields: everyCall } },
    { ref: { entity: 'e', project: 'p', runId: 'b' }, plan: { details, fields: [] } },
    { ref: { entity: 'e', project: 'q', runId: 'c' }, plan: { details, fields: everyCall.slice(4, 6) } },
  ]).query,
  sweeps: sweepsDocument([{ entity: 'e', project: 'p', name: 's' }]).query,
  artifacts: artifactsDocument(['QXJ0aWZhY3Q6MQ==']).query,
  runFields: runFieldsDocument([...everyCall.map((field) => ({ ref, field })), { ref: { ...ref, runId: 'def' }, field: { kind: 'outputArtifacts', first: 3, after: null, edges: true, paging: true } }]).query,
};

function documents(): [string, string][] {
  const fragments = readFileSync(`${operationsDir}fragments.graphql`, 'utf8');
  const typed = readdirSync(operationsDir)
    .filter((f) => f.endsWith('.graphql') && f !== 'fragments.graphql')
    .map((f): [string, string] => {
      const text = readFileSync(`${operationsDir}${f}`, 'utf8');
      // Keep only the fragments the operation uses, as codegen's documents do.
      const used = [...fragments.matchAll(/fragment (\w+) on[^{]*\{[\s\S]*?\n\}/g)].filter(([, name]) => text.includes(`...${name}`)).map(([t]) => t);
      return [f, `${text}\n${used.join('\n')}`];
    });
  return [...typed, ...Object.entries(dynamic)];
}

function check(schema: GraphQLSchema): string[] {
  return documents().flatMap(([name, text]) => validate(schema, parse(text)).map((e) => `${name}: ${e.message}`));
}

d('documents sent upstream', () => {
  it('validate against the W&B schema', () => {
    expect(check(buildSchema(readFileSync(`${sharedDir}wandb/upstream-schema.graphql`, 'utf8')))).toEqual([]);
  });
});

describe('documents sent upstream', () => {
  it('validate against the emulator schema', () => {
    expect(documents().length).toBeGreaterThanOrEqual(11);
    expect(check(buildSchema(readFileSync(upstreamSchemaPath, 'utf8')))).toEqual([]);
  });
});
