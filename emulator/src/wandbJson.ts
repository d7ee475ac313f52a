/**
 * JSON as the W&B clients write it: Python's json (and wandb-core) write
 * NaN, Infinity and -Infinity for a metric gone non-finite, and W&B keeps
 * them. Stored texts keep the tokens (W&B's answers carry them back, in
 * JSONString values); parsed values hold the numbers, which JSON.stringify
 * prints as null where an answer is JSON itself (sampledHistory).
 */

import { randomBytes } from 'node:crypto';
import { withNonFinite } from '../../src/wandb/protocol.js';

// A private-use character (a JSON string may hold it as it is) and a nonce of this process: no client's text holds it.
const sentinel = `\ue000${randomBytes(12).toString('hex')}:`;
const numbers: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };

/** JSON.parse that also takes NaN, Infinity and -Infinity outside strings; throws SyntaxError like it otherwise. */
export function parseWandbJson(text: string): unknown {
  const marked = withNonFinite(text, (token) => `"${sentinel}${token}"`);
  if (marked === text) return JSON.parse(text);
  return JSON.parse(marked, (_key, value: unknown) => {
    if (typeof value !== 'string' || !value.startsWith(sentinel)) return value;
    const token = value.slice(sentinel.length);
    return Object.hasOwn(numbers, token) ? numbers[token] : value;
  });
}

/** Sets an own key of a parsed client object: one named "__proto__" is a key like any other, not the prototype. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
