/** A JSON object: not null and not a list (a request body, an input, one of W&B's values). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
