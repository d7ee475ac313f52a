import { describe, expect, it } from '@jest/globals';
import { jsonTextTooDeep, maxUpstreamJsonDepth, unfitValue } from '../../../src/wandb/trust.js';

/** An object nested `n` levels deep, alternating objects and arrays, built without recursion. */
function nested(n: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = i % 2 === 0 ? [v] : { k: v };
  return v;
}

describe('depth of W&B values', () => {
  it('accepts exactly the allowed depth and refuses one more, as the text check does', () => {
    for (const n of [0, 1, 2, maxUpstreamJsonDepth - 1, maxUpstreamJsonDepth]) {
      expect(unfitValue(nested(n))).toBe(false);
      expect(jsonTextTooDeep(JSON.stringify(nested(n)))).toBe(false);
    }
    expect(unfitValue(nested(maxUpstreamJsonDepth + 1))).toBe(true);
    expect(jsonTextTooDeep(JSON.stringify(nested(maxUpstreamJsonDepth + 1)))).toBe(true);
  });

  it('finds a deep branch among shallow ones, in objects and arrays', () => {
    expect(unfitValue({ a: 1, b: [1, 2, { c: 3 }], d: nested(maxUpstreamJsonDepth) })).toBe(true);
    expect(unfitValue([null, 'x', { a: [nested(maxUpstreamJsonDepth - 3)] }])).toBe(false);
    expect(unfitValue([null, 'x', { a: [nested(maxUpstreamJsonDepth - 2)] }])).toBe(true);
  });

  it('answers for a value nested 200,000 levels deep without exhausting the stack', () => {
    expect(unfitValue(nested(200_000))).toBe(true);
  });
});
