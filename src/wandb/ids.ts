/**
 * W&B object ids. A run's storage id is base64("Run:v1:<runId>:<project>:<entity>");
 * the run id never contains ':' but project and entity names are taken as the
 * rest of the string, split on the first two separators after the run id.
 */

export interface RunRef {
  entity: string;
  project: string;
  runId: string;
}

/** Encodes a run's storage id as W&B does. */
export function encodeRunId(ref: RunRef): string {
  return Buffer.from(`Run:v1:${ref.runId}:${ref.project}:${ref.entity}`, 'utf8').toString('base64');
}

/** Decodes a run storage id; null when it is not one, or (unless `spelled` is 'any', for W&B's own ids) not spelled as {@link encodeRunId} writes it. */
export function decodeRunId(id: string, spelled: 'canonical' | 'any' = 'canonical'): RunRef | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(id)) return null;
  const text = Buffer.from(id, 'base64').toString('utf8');
  const match = /^Run:v1:([^:]+):([^:]+):([^:]+)$/.exec(text);
  if (!match) return null;
  const ref = { runId: match[1], project: match[2], entity: match[3] };
  // Only the id as it was written: base64 spelled another way (no padding, other trailing bits) is not one.
  return spelled === 'any' || encodeRunId(ref) === id ? ref : null;
}

/** Encodes a typed numeric id, e.g. base64("Artifact:12"), as W&B's node ids are. */
export function encodeNodeId(type: string, id: number): string {
  return Buffer.from(`${type}:${id}`, 'utf8').toString('base64');
}

/** Decodes a typed numeric id of the given type; null when it is not one, or (unless `spelled` is 'any', for W&B's own ids) not spelled as {@link encodeNodeId} writes it. */
export function decodeNodeId(type: string, id: string, spelled: 'canonical' | 'any' = 'canonical'): number | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(id)) return null;
  const match = /^([A-Za-z]+):(\d{1,15})$/.exec(Buffer.from(id, 'base64').toString('utf8'));
  if (!match || match[1] !== type) return null;
  // Only W&B's own spelling of the id (no leading zeros, padded base64), which is what W&B answers with.
  const n = Number(match[2]);
  return spelled === 'any' || encodeNodeId(type, n) === id ? n : null;
}

/** A run id W&B sent, spelled as this subgraph reads ids back (node(id), updateRun(id), references); as it is when it is not a run id. */
export function canonicalRunId(id: string): string {
  const ref = decodeRunId(id, 'any');
  return ref ? encodeRunId(ref) : id;
}
