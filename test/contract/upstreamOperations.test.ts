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
import { artifactsDocument, runFieldsDocument, runsByNameDocument, sweepsDocument } from '../../src/wandb/batch.js';
import { upstreamSchemaPath } from '../../emulator/src/schema.js';

const operationsDir = fileURLToPath(new URL('../../schema/upstream/operations/', import.meta.url));
const d = hasShared ? describe : describe.skip;
if (!hasShared) console.warn('SKIPPED: ../shared/wandb is absent, so upstream operations were not checked against the W&B schema');

const ref = { entity: 'acme-ml', project: 'p', runId: 'abc' };
const dynamic = {
  runsByName: runsByNameDocument([{ entity: 'e', project: 'p', names: ['a', 'b'] }, { entity: 'e', project: 'q', names: ['c'] }], {
    config: ['lr'],
    summary: null,
    systemMetrics: true,
    historyKeys: false,
  }).query,
  sweeps: sweepsDocument([{ entity: 'e', project: 'p', name: 's' }]).query,
  artifacts: artifactsDocument(['QXJ0aWZhY3Q6MQ==']).query,
  runFields: runFieldsDocument([
    { ref, field: { kind: 'config', keys: ['lr'] } },
    { ref, field: { kind: 'summary', keys: null } },
    { ref, field: { kind: 'systemMetrics' } },
    { ref, field: { kind: 'historyKeys' } },
    { ref, field: { kind: 'sampledHistory', spec: '{"keys":["loss"],"samples":10}' } },
    { ref, field: { kind: 'sampledHistory', spec: '{"keys":["acc"],"samples":10}' } },
    { ref, field: { kind: 'history', minStep: 0, maxStep: 10, samples: 10 } },
    { ref, field: { kind: 'events', samples: 10 } },
    { ref, field: { kind: 'files', names: null, first: 3, after: null } },
    { ref, field: { kind: 'fileCount' } },
    { ref: { ...ref, runId: 'def' }, field: { kind: 'outputArtifacts', first: 3, after: null } },
    { ref: { ...ref, runId: 'def' }, field: { kind: 'inputArtifacts', first: 3, after: null } },
  ]).query,
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
