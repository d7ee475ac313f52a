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

/** Decodes a run storage id; null when it is not one. */
export function decodeRunId(id: string): RunRef | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(id)) return null;
  const text = Buffer.from(id, 'base64').toString('utf8');
  const match = /^Run:v1:([^:]+):([^:]+):([^:]+)$/.exec(text);
  if (!match) return null;
  return { runId: match[1], project: match[2], entity: match[3] };
}

/** Encodes a typed numeric id, e.g. base64("Artifact:12"), as W&B's node ids are. */
export function encodeNodeId(type: string, id: number): string {
  return Buffer.from(`${type}:${id}`, 'utf8').toString('base64');
}

/** Decodes a typed numeric id of the given type; null when it is not one. */
export function decodeNodeId(type: string, id: string): number | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(id)) return null;
  const match = /^([A-Za-z]+):(\d{1,15})$/.exec(Buffer.from(id, 'base64').toString('utf8'));
  return match && match[1] === type ? Number(match[2]) : null;
}
