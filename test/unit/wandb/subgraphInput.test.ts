import { describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';
import { runsFilterJson, runsOrder } from '../../../src/wandb/filters.js';
import { decodeCursor, encodeCursor } from '../../../src/wandb/cursor.js';
import { parseRunPath, runRefOf } from '../../../src/wandb/paths.js';
import { decodeRunId, encodeRunId } from '../../../src/wandb/ids.js';

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof GraphQLError ? `${e.extensions.code}: ${e.message}` : `not a GraphQLError: ${String(e)}`;
  }
  return 'no error';
};

describe('runs filters', () => {
  it('accepts the documented operators and keys and sends them as a JSON string', () => {
    const f = { $and: [{ state: 'finished' }, { 'config.lr.value': { $gt: 0.01 } }, { tags: { $in: ['a'] } }, { $nor: [{ display_name: { $regex: '^x' } }] }] };
    expect(runsFilterJson(f)).toBe(JSON.stringify(f));
    expect(runsFilterJson(null)).toBe('{}');
    expect(runsFilterJson({ 'summary_metrics.loss': { $lte: 1, $exists: true } })).toBe('{"summary_metrics.loss":{"$lte":1,"$exists":true}}');
  });

  it.each([
    [{ $where: 'x' }, /\$where/],
    // Operators beyond the contract's, even ones MongoDB has.
    [{ $not: { state: 'finished' } }, /\$not/],
    [{ display_name: { $regex: '^x', $options: 'i' } }, /\$options/],
    [{ host: 'x' }, /"host"/],
    [{ tags: ['a'] }, /\$in/],
    [{ state: { $foo: 1 } }, /\$foo/],
    [{ state: { $in: 'x' } }, /\$in .* array/],
    [{ $or: [] }, /non-empty/],
    [[1], /object/],
    [{ 'config.': 1 }, /config\./],
  ])('rejects %j with BAD_USER_INPUT naming the culprit', (filters, message) => {
    const result = code(() => runsFilterJson(filters));
    expect(result).toMatch(/^BAD_USER_INPUT/);
    expect(result).toMatch(message);
  });

  it('rejects filters nested beyond 32 levels', () => {
    let f: unknown = { state: 'x' };
    for (let i = 0; i < 40; i++) f = { $and: [f] };
    expect(code(() => runsFilterJson(f))).toMatch(/BAD_USER_INPUT: filters are nested too deeply/);
  });

  it('accepts the documented orders only', () => {
    for (const o of ['+created_at', '-created_at', '+heartbeat_at', '-display_name', '+config.lr.value', '-summary_metrics.val/acc']) expect(runsOrder(o)).toBe(o);
    expect(runsOrder(undefined)).toBe('+created_at');
    for (const o of ['created_at', '+name', '+config.lr', '+summary_metrics.', '-created_at,+name']) expect(code(() => runsOrder(o))).toMatch(/^BAD_USER_INPUT/);
  });
});

describe('cursors, paths and ids', () => {
  it('round-trips a cursor and refuses one of another kind or garbage', () => {
    expect(decodeCursor('history', encodeCursor('history', 42))).toBe('42');
    expect(code(() => decodeCursor('runs', encodeCursor('files', 'x')))).toMatch(/^BAD_USER_INPUT: invalid cursor/);
    expect(code(() => decodeCursor('runs', '!!!'))).toMatch(/^BAD_USER_INPUT/);
  });

  it('parses run paths and refuses malformed ones', () => {
    expect(parseRunPath('acme/proj/abc123')).toEqual({ entity: 'acme', project: 'proj', runId: 'abc123' });
    for (const p of ['a/b', 'a/b/c/d', '', 'a//c', 'a/b/c d', 'a/b:x/c']) expect(code(() => parseRunPath(p))).toMatch(/^BAD_USER_INPUT/);
  });

  it('decodes W&B storage ids and identifies a run by exactly one of id or path', () => {
    const id = encodeRunId({ entity: 'acme', project: 'proj', runId: 'abc' });
    expect(Buffer.from(id, 'base64').toString()).toBe('Run:v1:abc:proj:acme');
    expect(decodeRunId(id)).toEqual({ entity: 'acme', project: 'proj', runId: 'abc' });
    expect(decodeRunId('not-base64!')).toBeNull();
    expect(decodeRunId(Buffer.from('Artifact:1').toString('base64'))).toBeNull();
    expect(runRefOf(id, null)).toEqual({ entity: 'acme', project: 'proj', runId: 'abc' });
    expect(code(() => runRefOf(id, 'a/b/c'))).toMatch(/BAD_USER_INPUT: give exactly one of id or path/);
    expect(code(() => runRefOf(null, undefined))).toMatch(/BAD_USER_INPUT/);
    expect(code(() => runRefOf('garbage', null))).toMatch(/BAD_USER_INPUT: id "garbage" is not a W&B run id/);
  });
});
