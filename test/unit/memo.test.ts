/** The process's memos stay within their bounds: entries, and the weight of what they hold. */
import { describe, expect, it } from '@jest/globals';
import { WeighedMemo } from '../../src/memo.js';

describe('a weighed memo', () => {
  it('keeps values until its count or its weight is reached, dropping the oldest first', () => {
    const memo = new WeighedMemo<string, string>(3, 10);
    let made = 0;
    const get = (key: string, weight: number) => memo.get(key, weight, () => `${key}${++made}`);
    expect(get('a', 4)).toBe('a1');
    expect(get('a', 4)).toBe('a1');
    expect(get('b', 4)).toBe('b2');
    // 4 + 4 + 4 > 10: the oldest goes.
    expect(get('c', 4)).toBe('c3');
    expect(get('a', 4)).toBe('a4');
    expect(get('b', 4)).toBe('b5');
    // Count: three light ones fit, a fourth drops the oldest.
    const light = new WeighedMemo<string, number>(3, 100);
    let n = 0;
    for (const k of ['x', 'y', 'z', 'w']) light.get(k, 1, () => ++n);
    expect(light.get('x', 1, () => -1)).toBe(-1);
    expect(light.get('w', 1, () => -1)).toBe(4);
  });

  it('makes a value heavier than its whole budget without keeping it, and keeps what it holds', () => {
    const memo = new WeighedMemo<string, number>(10, 10);
    memo.get('small', 5, () => 1);
    let made = 0;
    expect(memo.get('huge', 11, () => ++made)).toBe(1);
    expect(memo.get('huge', 11, () => ++made)).toBe(2);
    expect(memo.get('small', 5, () => -1)).toBe(1);
  });
});
