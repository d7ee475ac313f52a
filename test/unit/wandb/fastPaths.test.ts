/**
 * The shortcuts on the per-request path give the answers of the full
 * computations they stand in front of: the JSON depth check, the run id
 * check, runs cursors encoded when read, operation costs kept per variable
 * shape, secret forms and principals kept per Authorization value,
 * request paths read without a URL parse when plain, one sampled history
 * call (and key) per set of arguments, and calls compared without printing.
 */
import { describe, expect, it } from '@jest/globals';
import { parse, type OperationDefinitionNode } from 'graphql';
import { checkRunIn, jsonTextTooDeep, maxUpstreamJsonDepth, parseUpstreamJson, unfitValue } from '../../../src/wandb/trust.js';
import { isFlatRow, isShallowObject, unwrappedConfig } from '../../../src/wandb/jsonText.js';
import { encodeRunId } from '../../../src/wandb/ids.js';
import { RunsCursors, decodeRunsCursor, encodeRunsCursor, maxRunsCursorLength } from '../../../src/wandb/runsCursor.js';
import { CostCache, fragmentsOf, operationCost } from '../../../src/graphql/cost.js';
import { createSubgraphSchema } from '../../../src/graphql/schema.js';
import { basicForKey, maxCachedAuthorizations, principalOf, secretForms, secretFormsOfAuthorization } from '../../../src/security/credentials.js';
import { pathOf } from '../../../src/http/requestLog.js';
import { sampledHistoryCall } from '../../../src/graphql/runCalls.js';
import { fieldKey, sameField, type RunField } from '../../../src/wandb/documents.js';
import { createHash } from 'node:crypto';

/** The character loop alone, as the depth check was before its shortcut. */
function scannedTooDeep(text: string, max = maxUpstreamJsonDepth): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (++depth > max) return true;
    } else if (c === '}' || c === ']') depth--;
  }
  return false;
}

describe('per-request shortcuts', () => {
  it('the depth check agrees with the full scan around the limit, brackets in strings included', () => {
    const nested = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const texts = [
      nested(maxUpstreamJsonDepth),
      nested(maxUpstreamJsonDepth + 1),
      `{"a":${nested(maxUpstreamJsonDepth - 1)}}`,
      `{"a":${nested(maxUpstreamJsonDepth)}}`,
      // Many brackets, shallow: past the count, the scan decides.
      JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ i, v: [i] }))),
      // Brackets inside strings count toward the shortcut's bound but not toward depth.
      JSON.stringify({ s: '['.repeat(100), t: '{'.repeat(100) }),
      // Unbalanced, as a hostile answer may be.
      '['.repeat(maxUpstreamJsonDepth + 1),
      '{"_step":1,"loss":0.5}',
      '',
    ];
    for (const text of texts) expect(jsonTextTooDeep(text)).toBe(scannedTooDeep(text));
    expect(jsonTextTooDeep(nested(maxUpstreamJsonDepth + 1))).toBe(true);
    expect(jsonTextTooDeep(nested(maxUpstreamJsonDepth))).toBe(false);
  });

  it('the depth check of parsed values agrees with the depth of their JSON text', () => {
    const nested = (n: number): unknown => (n === 0 ? 1 : n % 2 ? [nested(n - 1)] : { k: nested(n - 1) });
    const values = [
      nested(maxUpstreamJsonDepth),
      nested(maxUpstreamJsonDepth + 1),
      Array.from({ length: 500 }, (_, i) => ({ _step: i, loss: 1 / (i + 1) })),
      [{ a: [1, 2, { b: nested(maxUpstreamJsonDepth - 3) }] }],
      [{ a: [1, 2, { b: nested(maxUpstreamJsonDepth - 2) }] }],
      { a: null, b: 'x', c: [] },
      'text',
      null,
    ];
    for (const value of values) expect(unfitValue(value)).toBe(scannedTooDeep(JSON.stringify(value) ?? ''));
    expect(unfitValue(nested(maxUpstreamJsonDepth + 1))).toBe(true);
  });

  it('run ids: the exact encoding passes, other cases of the names pass through decoding, and ids naming another run, a ":" or a lone surrogate fail', () => {
    const run = (name: string, project: string, entity: string) => ({ name, id: encodeRunId({ runId: name, project, entity }) });
    expect(() => checkRunIn(run('abc123', 'proj', 'ent'), 'ent', 'proj')).not.toThrow();
    expect(() => checkRunIn(run('abc123', 'Proj', 'ENT'), 'ent', 'proj')).not.toThrow();
    expect(() => checkRunIn({ name: 'abc123', id: encodeRunId({ runId: 'other', project: 'proj', entity: 'ent' }) }, 'ent', 'proj')).toThrow(/another entity, project or run/);
    expect(() => checkRunIn(run('abc123', 'other', 'ent'), 'ent', 'proj')).toThrow(/another entity, project or run/);
    // Encoded exactly as expected, yet not a run id once decoded: refused as before.
    expect(() => checkRunIn(run('abc123', 'pr:oj', 'ent'), 'ent', 'pr:oj')).toThrow(/not a run id/);
    expect(() => checkRunIn(run('ab\ud800c', 'proj', 'ent'), 'ent', 'proj')).toThrow(/another entity, project or run/);
    expect(() => checkRunIn({ name: 'abc123', id: 'not base64!' }, 'ent', 'proj')).toThrow(/not a run id/);
  });

  it('runs cursors are encoded when read, equal to the eager encoding, and a cursor too long fails only when read', () => {
    const positions = [
      { scope: 's1', order: '-created_at', values: ['2026-01-01T00:00:00'], name: 'a', resume: 1 },
      { scope: 's1', order: '-created_at', values: ['2026-01-02T00:00:00'], name: 'b', resume: 0 },
    ];
    const cursors = new RunsCursors(positions);
    expect(cursors.length).toBe(2);
    expect(cursors.at(1)).toBe(encodeRunsCursor(positions[1]));
    expect(decodeRunsCursor(cursors.at(0)!, '-created_at', 1, 's1')).toEqual(positions[0]);
    // Another connection's cursor (another project or other filters) is refused.
    expect(() => decodeRunsCursor(cursors.at(0)!, '-created_at', 1, 's2')).toThrow(/another project or other filters/);
    expect(cursors.at(2)).toBeUndefined();
    expect(cursors.at(-1)).toBeUndefined();
    const long = new RunsCursors([{ scope: 's1', order: '-summary_metrics.note', values: ['x'.repeat(maxRunsCursorLength), null], name: 'c', resume: 1 }]);
    expect(long.length).toBe(1);
    expect(() => long.at(0)).toThrow(/too long to page past/);
  });

  it('costs kept per operation and variable shape equal the walk, for each shape', () => {
    const schema = createSubgraphSchema();
    const document = parse(`query Q($n: Int = 20, $keys: [String!], $r: [_Any!]!) {
      runs(entity: "e", project: "p", first: $n) { nodes { summary(keys: $keys) history(first: $n) { edges { node { step } } } } }
      _entities(representations: $r) { ... on Run { path } }
    }`);
    const operation = document.definitions[0] as OperationDefinitionNode;
    const cache = new CostCache();
    const shapes = [
      { r: [] },
      { n: 5, r: [] },
      { n: 500, keys: ['a', 'b', 'c'], r: [{}, {}] },
      { n: '5', keys: 'a', r: [{}] },
      { n: null, r: Array.from({ length: 80 }, () => ({})) },
      undefined,
    ];
    const costs = new Set<number>();
    for (let round = 0; round < 2; round++) {
      for (const variables of shapes) {
        const expected = operationCost(schema, operation, fragmentsOf(document), variables);
        expect(cache.cost(schema, operation, document, variables)).toBe(expected);
        costs.add(expected);
      }
    }
    expect(costs.size).toBeGreaterThan(3);
  });

  it('secret forms are the same whether computed or kept, per caller, and kept for a bounded number of callers', () => {
    const key = 'k'.repeat(40);
    const authorization = basicForKey(key);
    const first = secretFormsOfAuthorization(authorization);
    expect(first).toEqual(expect.arrayContaining(secretForms(key)));
    expect(first).toContain(authorization.slice('Basic '.length));
    expect(secretFormsOfAuthorization(authorization)).toEqual(first);
    expect(secretFormsOfAuthorization(basicForKey('other-key-0123456789'))).not.toContain(key);
    expect(secretFormsOfAuthorization('Bearer tok.en-1')).toContain('tok.en-1');
    expect(secretFormsOfAuthorization('Basic not base64!')).toEqual([]);
    expect(secretFormsOfAuthorization(null)).toEqual([]);
    // Past the bound, older callers' forms are computed again: still the same forms.
    for (let i = 0; i < maxCachedAuthorizations + 10; i++) secretFormsOfAuthorization(basicForKey(`caller-${i}-0123456789`));
    expect(secretFormsOfAuthorization(authorization)).toEqual(first);
  });

  it('principals are the hash of the Authorization value whether computed or kept', () => {
    const hash = (a: string) => createHash('sha256').update(a).digest('hex').slice(0, 32);
    const authorization = basicForKey('p'.repeat(40));
    expect(principalOf(authorization)).toBe(hash(authorization));
    expect(principalOf(authorization)).toBe(hash(authorization));
    for (let i = 0; i < maxCachedAuthorizations + 10; i++) expect(principalOf(`Bearer caller-${i}`)).toBe(hash(`Bearer caller-${i}`));
    expect(principalOf(authorization)).toBe(hash(authorization));
    expect(principalOf(null)).toBe('-');
  });

  it('a plain request path is its own pathname; anything else is parsed as a URL', () => {
    const parsed = (u: string) => new URL(u, 'http://subgraph').pathname.slice(0, 200);
    for (const u of ['/graphql', '/', '/metrics/', '/a.b/c-d_e~f', '/graphql?x=1', '/a/../graphql', '/./x', '//evil/x', '/%2e%2e/x', '/a b', `/${'x'.repeat(300)}`, 'graphql', '']) {
      expect([u, pathOf(u)]).toEqual([u, parsed(u)]);
    }
    expect(pathOf(undefined)).toBe('/');
  });

  it('sampled history calls with equal arguments are one field (one key); other arguments, other fields', () => {
    const a = sampledHistoryCall({ keys: ['loss', 'acc'], samples: 100 });
    expect(sampledHistoryCall({ keys: ['loss', 'acc'], samples: 100, xAxis: '_step' })).toBe(a);
    expect(fieldKey(a)).toBe(JSON.stringify({ kind: 'sampledHistory', spec: JSON.stringify({ keys: ['_step', 'loss', 'acc'], samples: 100 }) }));
    const others = [
      sampledHistoryCall({ keys: ['loss', 'acc'], samples: 101 }),
      sampledHistoryCall({ keys: ['acc', 'loss'], samples: 100 }),
      sampledHistoryCall({ keys: ['loss\u0000acc'], samples: 100 }),
      sampledHistoryCall({ keys: ['loss', 'acc'], samples: 100, xAxis: '_runtime' }),
    ];
    expect(new Set([a, ...others].map(fieldKey)).size).toBe(5);
  });

  it('calls compare equal without printing exactly when their keys are equal', () => {
    const calls: RunField[] = [
      { kind: 'config', keys: null },
      { kind: 'config', keys: ['lr'] },
      { kind: 'config', keys: ['lr', 'bs'] },
      { kind: 'summary', keys: ['lr'] },
      { kind: 'history', minStep: 0, maxStep: 10, samples: 10 },
      { kind: 'history', minStep: 0, maxStep: null, samples: 10 },
      { kind: 'files', names: null, first: 3, after: null, fields: ['name'], paging: true },
      { kind: 'files', names: null, first: 3, after: null, fields: ['name'], paging: false },
      { kind: 'files', names: ['a'], first: 3, after: null, fields: ['name'], paging: true },
      { kind: 'files', names: null, first: 3, after: 'c', fields: ['name'], paging: true },
      { kind: 'files', names: null, first: 3, after: null, fields: ['name', 'size'], paging: true },
      { kind: 'outputArtifacts', first: 3, after: null, edges: false, paging: false },
      { kind: 'outputArtifacts', first: 3, after: null, edges: true, paging: false },
      { kind: 'inputArtifacts', first: 3, after: null, edges: false, paging: false },
      { kind: 'sweep' },
    ];
    const copies = calls.map((c) => JSON.parse(JSON.stringify(c)) as RunField);
    for (const a of [...calls, ...copies]) for (const b of [...calls, ...copies]) expect([a, b, sameField(a, b)]).toEqual([a, b, fieldKey(a) === fieldKey(b)]);
  });
});

describe('numbers beyond a double\'s range', () => {
  it('never pass as text: the fast checks leave them to parsing, which refuses them', () => {
    for (const big of ['1e400', '-2E+309', `1${'0'.repeat(400)}`]) {
      expect(isFlatRow(`{"_step":1,"a":${big}}`)).toBe(false);
      expect(isShallowObject(`{"a":${big}}`)).toBe(false);
      expect(unwrappedConfig(`{"lr":{"value":${big}}}`)).toBeNull();
      expect(() => parseUpstreamJson(`{"a":[${big}]}`, 'a value')).toThrow(/beyond a double's range/);
    }
  });

  it('while large, tiny and ordinary numbers pass', () => {
    for (const ok of ['1e99', '1.5E-300', '-0.25', '123456789']) expect(isFlatRow(`{"_step":1,"a":${ok}}`)).toBe(true);
    for (const ok of ['1.7976931348623157e+308', '5e-324']) expect(parseUpstreamJson(`{"a":${ok}}`, 'a value')).toEqual({ a: Number(ok) });
    expect(unfitValue({ a: [1, 2, { b: Infinity }] })).toBe(true);
    expect(unfitValue({ a: [1, 2, { b: 1e308 }] })).toBe(false);
  });
});

