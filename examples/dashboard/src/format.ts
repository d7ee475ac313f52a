/** Display helpers shared by the views. */

export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : Number(value.toPrecision(4)).toString();
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes == null) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let n = bytes;
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

export function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Keys of a config or summary worth a column: scalar values, no W&B internals (leading _). */
export function scalarKeys(objects: unknown[]): string[] {
  const keys = new Set<string>();
  for (const object of objects) {
    for (const [key, value] of Object.entries(asRecord(object))) {
      if (!key.startsWith('_') && (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean')) keys.add(key);
    }
  }
  return [...keys];
}

export function numericKeys(objects: unknown[]): string[] {
  const keys = new Set<string>();
  for (const object of objects) {
    for (const [key, value] of Object.entries(asRecord(object))) if (!key.startsWith('_') && typeof value === 'number') keys.add(key);
  }
  return [...keys].sort();
}
