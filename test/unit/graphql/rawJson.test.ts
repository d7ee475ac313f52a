/** W&B's JSON text placed into a printed response as it came. */
import { describe, expect, it } from '@jest/globals';
import { rawOr, spliceRaw } from '../../../src/graphql/rawJson.js';

describe('raw JSON in responses', () => {
  it('prints each raw value as its text, anywhere in the response, keeping other strings', () => {
    const sink: string[] = [];
    const texts = ['{"_step":1,"loss":1e-7,"big":12345678901234567890}', '{"nested":{"a":[1,{"b":"\\u2028"}]}}'];
    const response = { data: { rows: texts.map((t) => ({ values: rawOr(sink, t, JSON.parse(t)) })), note: 'plain \u0000 text', other: '"\\u0000' } };
    const out = spliceRaw(JSON.stringify(response), sink);
    expect(out).toContain(texts[0]);
    expect(out).toContain(texts[1]);
    const parsed = JSON.parse(out);
    expect(parsed.data.rows.map((r: { values: unknown }) => r.values)).toEqual(texts.map((t) => JSON.parse(t)));
    expect(parsed.data.note).toBe('plain \u0000 text');
    expect(parsed.data.other).toBe('"\\u0000');
  });

  it('leaves a marker-like string from the data alone, and values are parsed without a sink', () => {
    const sink: string[] = [];
    const lookalike = '\u00000000000000000000';
    const out = spliceRaw(JSON.stringify({ a: lookalike, b: rawOr(sink, '{"x":1}', { x: 1 }) }), sink);
    expect(JSON.parse(out)).toEqual({ a: lookalike, b: { x: 1 } });
    expect(rawOr(undefined, '{"x":1}', { x: 1 })).toEqual({ x: 1 });
    expect(spliceRaw('{"a":1}', [])).toBe('{"a":1}');
  });
});
