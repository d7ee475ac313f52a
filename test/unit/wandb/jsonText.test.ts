/**
 * JSON checked as text (jsonText.ts, carve.ts) agrees with JSON.parse:
 * sampled history cut out of an answer gives the same values in the same
 * places, for valid answers with tricky strings; nothing is cut where the
 * text is not valid JSON, too deep, or not at a wanted place; the JSON
 * check accepts what JSON.parse accepts.
 */
import { describe, expect, it } from '@jest/globals';
import { carveAnswer, carvedValue, RawRows, type CarveSpec } from '../../../src/wandb/carve.js';
import { flatRowsEnd, isFlatRow, isShallowObject, jsonValueEnd, unwrappedConfig } from '../../../src/wandb/jsonText.js';
import { configObject } from '../../../src/graphql/runValues.js';

const page: CarveSpec = { depth: 7, wanted: (p) => p[6] === 'f0' && p[5] === 'node' && p[3] === 'edges' && p[2] === 'runs' && p[1] === 'project' && p[0] === 'data' };

/** A runs page answer with the given f0 texts (one run each) and distracting neighbours. */
function answer(f0s: string[]): string {
  const nodes = f0s.map(
    (f0, i) => `{"node":{"name":"r${i}","summaryMetrics":${JSON.stringify(JSON.stringify({ f0: [[1]], '"f0":': '[[' }))},"f1":{"edges":[{"node":{"f0":[[2]]}}]},"f0":${f0}}}`,
  );
  return `{"data":{"project":{"f0":[[3]],"runs":{"edges":[${nodes.join(',')}],"pageInfo":{"hasNextPage":false}}}}}`;
}

/** The carved answer parsed, with each marker replaced by what it stands for (as the client reads it). */
function readBack(text: string): unknown {
  const carved = carveAnswer(text, page, 65);
  const data = JSON.parse(carved ? carved.text : text);
  for (const e of data.data.project.runs.edges) {
    const raw = carvedValue(Array.isArray(e.node.f0) ? e.node.f0[0] : undefined, carved?.values);
    if (raw) e.node.f0 = [raw.rows()];
  }
  return data;
}

/** A deterministic pseudo-random generator (tests repeat). */
function rng(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

function randomValue(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * (depth > 3 ? 5 : 7));
  if (k === 0) return null;
  if (k === 1) return r() < 0.5;
  if (k === 2) return [0, -1, 1.5, -0.25e-7, 1e21, 123456789.12345679][Math.floor(r() * 6)];
  if (k === 3) return ['', 'plain', 'quote " and \\ backslash', '"f0":[[', 'tab\tnew\nline', 'é 日本 \u2028', '\u0000nul', '\ud83d\ude00'][Math.floor(r() * 8)];
  if (k === 4) return Math.floor(r() * 1000);
  if (k === 5) return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
  return Object.fromEntries(Array.from({ length: Math.floor(r() * 4) }, (_, i) => [['_step', 'f0', 'a"b', `k${i}`][i % 4], randomValue(r, depth + 1)]));
}

describe('carving sampled history out of an answer', () => {
  it('gives the values JSON.parse gives, for 300 random answers with tricky strings and spacing', () => {
    const r = rng(7);
    for (let n = 0; n < 300; n++) {
      const lists = Array.from({ length: 1 + Math.floor(r() * 3) }, () =>
        Array.from({ length: Math.floor(r() * 5) }, () => Object.fromEntries([['_step', Math.floor(r() * 100)], ['v', randomValue(r, 2)]])),
      );
      const text = answer(lists.map((l) => (r() < 0.5 ? JSON.stringify([l]) : JSON.stringify([l], null, r() < 0.5 ? 2 : '\t'))));
      expect(readBack(text)).toEqual(JSON.parse(text));
    }
  });

  it('cuts only the wanted places: not a look-alike key in a string, in a nested connection, or on the project', () => {
    const text = answer(['[[{"_step":1}]]']);
    const carved = carveAnswer(text, page, 65)!;
    expect(carved.values).toHaveLength(1);
    const data = JSON.parse(carved.text);
    expect(data.data.project.f0).toEqual([[3]]);
    expect(data.data.project.runs.edges[0].node.f1.edges[0].node.f0).toEqual([[2]]);
    expect(JSON.parse(data.data.project.runs.edges[0].node.summaryMetrics)).toEqual({ f0: [[1]], '"f0":': '[[' });
    expect(carved.values[0]).toBeInstanceOf(RawRows);
    expect(carved.values[0]!.count).toBe(1);
    expect(carved.values[0]!.items()).toBe('{"_step":1}');
  });

  it('counts the first list\'s items and keeps their text as it came', () => {
    const carved = carveAnswer(answer(['[[{"_step": 1}, {"_step":2,"x":"a b"}] , [ [1, {"y": null}] ] ]', '[[]]']), page, 65)!;
    expect(carved.values.map((v) => v!.count)).toEqual([2, 0]);
    expect(carved.values[0]!.items()).toBe('{"_step": 1}, {"_step":2,"x":"a b"}');
    expect(carved.values[1]!.rows()).toEqual([]);
  });

  it.each([
    ['first', '[[{"_step":1,"a":0.5},{"_step": 3, "a":1e-5}]]'],
    ['anywhere', '[[{"a":0.5,"_step":1},{"a":1,"_step":3,"b":"x"}]]'],
  ])('cuts flat rows in step order whose _step comes %s in the row', (_, f0) => {
    const carved = carveAnswer(answer([f0]), page, 65)!;
    expect(carved.values[0]!.count).toBe(2);
    expect(carved.values[0]!.rows()).toEqual(JSON.parse(f0)[0]);
  });

  it.each([
    ['steps out of order', '[[{"_step":2},{"_step":1}]]'],
    ['a repeated step', '[[{"_step":1},{"_step":1}]]'],
    ['a row without _step', '[[{"_step":1},{"loss":1}]]'],
    ['a row with _step twice', '[[{"_step":1,"_step":3}]]'],
    ['a row with _step twice, not first', '[[{"a":1,"_step":1,"_step":3}]]'],
    ['steps out of order, not first', '[[{"a":1,"_step":2},{"a":1,"_step":1}]]'],
    ['a negative step', '[[{"_step":-1}]]'],
    ['a fractional step', '[[{"_step":1.5}]]'],
    ['a step as a string', '[[{"_step":"1"}]]'],
    ['a row that is not flat', '[[{"_step":1,"x":{"y":1}}]]'],
  ])('leaves %s in place, so that the rows are parsed and checked one by one', (_, f0) => {
    expect(carveAnswer(answer([f0]), page, 65)).toBeNull();
  });

  it.each([
    ['a leading zero', '[[{"a":01}]]'],
    ['a trailing comma', '[[{"a":1},]]'],
    ['a bad escape', '[[{"a":"\\x"}]]'],
    ['a raw control character', '[[{"a":"\u0001"}]]'],
    ['an unclosed list', '[[{"a":1}'],
    ['a bare word', '[[nan]]'],
    ['not a list of lists', '[{"a":1}]'],
    ['null', 'null'],
  ])('leaves %s in place, so that the usual parse judges it', (_, f0) => {
    const text = answer([f0]);
    const carved = carveAnswer(text, page, 65);
    expect(carved === null || !carved.text.includes('\\u0000')).toBe(true);
  });

  it('cuts nothing deeper than the limit', () => {
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    expect(carveAnswer(answer([`[[],${deep(64)}]`]), page, 65)).not.toBeNull();
    expect(carveAnswer(answer([`[[],${deep(65)}]`]), page, 65)).toBeNull();
  });

  it('reads a marker only when it is one of this process\'s, in range', () => {
    const carved = carveAnswer(answer(['[[{"_step":1}]]']), page, 65)!;
    const marker = (JSON.parse(carved.text) as any).data.project.runs.edges[0].node.f0[0] as string;
    expect(carvedValue(marker, carved.values)).toBe(carved.values[0]);
    expect(carvedValue(marker.replace(/#0$/, '#1'), carved.values)).toBeUndefined();
    expect(carvedValue(`\u0000${'0'.repeat(16)}#0`, carved.values)).toBeUndefined();
    expect(carvedValue(marker, undefined)).toBeUndefined();
  });
});

describe('the JSON check', () => {
  it('agrees with JSON.parse on valid and invalid texts', () => {
    const r = rng(11);
    const texts = [
      ...Array.from({ length: 200 }, () => JSON.stringify(randomValue(r, 0))),
      '01', '1.', '.5', '-', '1e', '1e+', '"\\u12"', '"\\u12g4"', '[1 2]', '{"a" 1}', '{"a":1,}', '{,}', '[,]', 'tru', 'nul', '"a', '{"a":1}}', ' [ ] ', '-0.0e-0', '"\t"',
    ];
    for (const t of texts) {
      let valid = true;
      try {
        JSON.parse(t);
      } catch {
        valid = false;
      }
      const end = jsonValueEnd(t, 0, 64);
      const whole = end >= 0 && t.slice(end).trim() === '';
      expect([t, whole]).toEqual([t, valid]);
    }
  });
});


describe('the flat rows check', () => {
  it('accepts only lists of flat objects that JSON.parse reads, and counts their rows', () => {
    const r = rng(23);
    const flat = (o: unknown) => typeof o === 'object' && o !== null && !Array.isArray(o) && Object.values(o).every((v) => v === null || typeof v !== 'object');
    const texts = [
      ...Array.from({ length: 300 }, () => JSON.stringify(Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, 3)))),
      '[{"a":1}, {"b": 2}]', '[{"a":1},]', '[{"a":01}]', '[{"a":1.}]', '[{"a":"x\\"y"}]', '[{"a":"{"}]', '[{"a":tru}]', '[{"a":1}', '[{"a" :1}]', '[{"a":-0.5e+3}]', '[{"a":"\t"}]',
    ];
    let accepted = 0;
    for (const t of texts) {
      const got = flatRowsEnd(`x${t}y`, 1);
      if (!got) continue;
      accepted++;
      const value = JSON.parse(t) as unknown[];
      expect([t, got.end, got.items, value.every(flat)]).toEqual([t, t.length + 1, value.length, true]);
    }
    // The random lists include flat ones: the check is not refusing everything.
    expect(accepted).toBeGreaterThan(20);
  });

  it('takes one row alone, and nothing more', () => {
    expect(isFlatRow('{"_step":1,"loss":0.5,"name":"a b","ok":true,"x":null}')).toBe(true);
    for (const t of ['{"_step":1}x', '{"a":{"b":1}}', '{"a":[1]}', '[1]', '{"a":"\\u0041"}', '{"a":1,}']) expect([t, isFlatRow(t)]).toEqual([t, false]);
  });
});

describe('the shallow object check', () => {
  it('accepts only objects that JSON.parse reads, two containers deep at most', () => {
    const r = rng(31);
    const depth = (v: unknown): number => (typeof v === 'object' && v !== null ? 1 + Math.max(0, ...Object.values(v).map(depth)) : 0);
    const texts = [
      ...Array.from({ length: 400 }, () => JSON.stringify(randomValue(r, 2))),
      '{"a": 1, "b": {"c": [1, 2]}}', '{"a":"\\u00e9\\n"}', '{"a":"\\x"}', '{"a":{"b":{"c":1}}}', '{"a":[[1]]}', '{"a":1}x', '{"a":01}',
    ];
    let accepted = 0;
    for (const t of texts) {
      if (!isShallowObject(t)) continue;
      accepted++;
      const value = JSON.parse(t) as unknown;
      expect([t, typeof value === 'object' && value !== null && !Array.isArray(value), depth(value) <= 2]).toEqual([t, true, true]);
    }
    expect(accepted).toBeGreaterThan(20);
    expect(isShallowObject('{"_wandb":{"runtime":338},"lr":0,"name":"a \\"b\\""}')).toBe(true);
  });
});

describe('the config unwrapped as text', () => {
  /** JSON as Python's json.dumps prints it (', ' and ': '), as the W&B SDK sends configs. */
  const pyDumps = (v: unknown): string =>
    Array.isArray(v)
      ? `[${v.map(pyDumps).join(', ')}]`
      : typeof v === 'object' && v !== null
        ? `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${pyDumps(x)}`).join(', ')}}`
        : JSON.stringify(v);
  const hidden = new Set(['_wandb', 'wandb_version']);

  it('gives what parsing and unwrapping give, in W&B\'s key order, or says "not this kind"', () => {
    const r = rng(47);
    let accepted = 0;
    for (let n = 0; n < 600; n++) {
      const entries = Array.from({ length: Math.floor(r() * 6) }, (_, i) => {
        const key = ['lr', '_wandb', 'wandb_version', 'a"b', '10', `k${i}`, 'lr'][Math.floor(r() * 7)];
        const value = randomValue(r, 1);
        const wrapped = r() < 0.05 ? value : r() < 0.5 ? { value, desc: r() < 0.5 ? null : 'a "desc"' } : r() < 0.5 ? { desc: null, value } : { value };
        return [key, wrapped] as const;
      });
      // Object.fromEntries would fold repeated keys: the text keeps them, as W&B's may.
      const body = entries.map(([k, v]) => (r() < 0.5 ? `${JSON.stringify(k)}: ${pyDumps(v)}` : `${JSON.stringify(k)}:${JSON.stringify(v)}`));
      const text = `{${body.join(r() < 0.5 ? ', ' : ',')}}`;
      const unwrapped = unwrappedConfig(text);
      if (unwrapped === null) continue;
      accepted++;
      expect([text, JSON.parse(unwrapped)]).toEqual([text, configObject(text)]);
      const order = [...new Set(entries.map(([k]) => k))].filter((k) => !hidden.has(k));
      const at = order.map((k) => unwrapped.indexOf(`${JSON.stringify(k)}:`));
      expect([text, at.every((i, j) => i >= 0 && (j === 0 || i > at[j - 1]))]).toEqual([text, true]);
      expect([text, unwrapped.indexOf('"_wandb"')]).toEqual([text, -1]);
    }
    expect(accepted).toBeGreaterThan(100);
  });

  it('takes the SDK\'s own config and leaves other kinds to the parser', () => {
    const sdk =
      '{"_wandb": {"desc": null, "value": {"cli_version": "0.19.1", "m": [], "python_version": "3.11.9", "t": {"1": [1, 5, 53], "2": [1, 5, 53], "4": "3.11.9"}}}, "lr": {"desc": null, "value": 0.001}, "layers": {"desc": "sizes", "value": [64, 32]}, "wandb_version": {"desc": null, "value": "0.19.1"}}';
    expect(unwrappedConfig(sdk)).toBe('{"lr":0.001,"layers":[64, 32]}');
    expect(unwrappedConfig('{}')).toBe('{}');
    for (const t of [
      '{"lr": 0.001}', // not wrapped
      '{"lr": {"value": 1}, "lr": {"value": 2}}', // repeated
      '{"l\\u0072": {"value": 1}}', // escaped key
      '{"a": {"value": {"b": {"c": {"d": 1}}}}}', // deeper than three levels
      '{"a": {"value": 1, "other": 2}}',
      '{"a": {"value": 1}} ',
      '{"a": {"value": 1}}}',
      '{"a": {"value": 1},}',
      ' {"a": {"value": 1}}',
    ]) expect([t, unwrappedConfig(t)]).toEqual([t, null]);
  });
});

describe('the compiled checks on huge texts', () => {
  it('say "not this kind" where V8 gives up matching, and the general check still reads the text', () => {
    const rows = `[${'{},'.repeat(10_000_000)}{}]`;
    expect(flatRowsEnd(rows, 0)).toBeNull();
    expect(jsonValueEnd(rows, 0, 64)).toBe(rows.length);
    expect(typeof isShallowObject(`{${'"a":1,'.repeat(5_000_000)}"b":2}`)).toBe('boolean');
  });
});
