/**
 * JSON as the W&B clients write it: Python's json (and wandb-core) write
 * NaN, Infinity and -Infinity for a metric gone non-finite, and W&B keeps
 * them. Stored texts keep the tokens (W&B's answers carry them back, in
 * JSONString values); parsed values hold the numbers, which JSON.stringify
 * prints as null where an answer is JSON itself (sampledHistory).
 */

/** A JSON string (kept), or a token JSON.parse refuses. */
const nonFinite = /"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g;
const sentinel = '\ue000wandb-nonfinite:'; // a private-use character: JSON strings may hold it raw (not a control character)
const numbers: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };

/** JSON.parse that also takes NaN, Infinity and -Infinity outside strings; throws SyntaxError like it otherwise. */
export function parseWandbJson(text: string): unknown {
  if (!text.includes('NaN') && !text.includes('Infinity')) return JSON.parse(text);
  const marked = text.replace(nonFinite, (token) => (token.charCodeAt(0) === 34 /* " */ ? token : `"${sentinel}${token}"`));
  return JSON.parse(marked, (_key, value: unknown) => (typeof value === 'string' && value.startsWith(sentinel) ? numbers[value.slice(sentinel.length)] : value));
}
