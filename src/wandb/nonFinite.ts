/**
 * NaN, Infinity and -Infinity in W&B's JSON text: the Python client (and
 * wandb-core) write them for a metric gone non-finite, W&B keeps them, and
 * JSON has no place for them. Shared with the emulator (protocol.ts),
 * which stores them as the clients send them.
 */

/**
 * W&B's JSON text with each NaN, Infinity and -Infinity outside strings
 * made null. The text itself when it holds none.
 */
export function finiteJson(text: string): string {
  return withNonFinite(text, () => 'null');
}

/** `text` with each NaN, Infinity and -Infinity outside strings replaced by what `by` makes of it; the text itself when it holds none. */
export function withNonFinite(text: string, by: (token: string) => string): string {
  if (!text.includes('NaN') && !text.includes('Infinity')) return text;
  return text.replace(nonFinite, (token) => (token.charCodeAt(0) === 34 /* " */ ? token : by(token)));
}

/**
 * A JSON string (kept as it is), or a token JSON has no place for. An
 * unterminated string is taken to the end in one go (else each quote in it
 * would start a new attempt: quadratic).
 */
const nonFinite = /"(?:[^"\\]|\\[\s\S])*(?:"|$)|-?Infinity|NaN/g;
