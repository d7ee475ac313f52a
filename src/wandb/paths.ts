import { badInput } from '../errors.js';
import { decodeRunId, type RunRef } from './ids.js';

const segment = /^[^/\s:#?%\\]{1,128}$/;
/** A UTF-16 surrogate without its pair: no UTF-8 text (and so no W&B name or run id) holds one. */
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Any surrogate: most paths have none, and the lone-surrogate check is then skipped. */
const surrogate = /[\ud800-\udfff]/;

/** Parses "entity/project/runId"; BAD_USER_INPUT when it is not one. */
export function parseRunPath(path: string): RunRef {
  const parts = path.split('/');
  if (parts.length !== 3 || !parts.every((p) => segment.test(p)) || (surrogate.test(path) && loneSurrogate.test(path))) {
    throw badInput(`run path ${JSON.stringify(path.slice(0, 200))} is not "entity/project/runId"`);
  }
  return { entity: parts[0], project: parts[1], runId: parts[2] };
}

/** The run named by exactly one of a storage id or a path; BAD_USER_INPUT otherwise. */
export function runRefOf(id: string | null | undefined, path: string | null | undefined, names = ['id', 'path']): RunRef {
  if ((id == null) === (path == null)) throw badInput(`give exactly one of ${names[0]} or ${names[1]}`);
  if (path != null) return parseRunPath(path);
  const ref = decodeRunId(id!);
  if (!ref) throw badInput(`${names[0]} ${JSON.stringify(id!.slice(0, 200))} is not a W&B run id`);
  return ref;
}

/** "entity/project/runId" of a run. */
export function runPath(ref: RunRef): string {
  return `${ref.entity}/${ref.project}/${ref.runId}`;
}

/** Checks that an integer argument lies in [min, max]; BAD_USER_INPUT naming it otherwise. */
export function inRange(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw badInput(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/**
 * The run a federation reference names, by its path or its id; null when
 * it names none: a malformed key, or an id and a path of two runs.
 */
export function referencedRun(reference: { id?: unknown; path?: unknown }): RunRef | null {
  let byPath: RunRef | null | undefined;
  if (typeof reference.path === 'string') {
    try {
      byPath = parseRunPath(reference.path);
    } catch {
      byPath = null;
    }
  }
  const byId = typeof reference.id === 'string' ? decodeRunId(reference.id) : undefined;
  if (byPath === undefined) return byId ?? null;
  if (!byPath || byId === undefined) return byPath;
  return byId && byId.runId === byPath.runId && runPath(byId).toLowerCase() === runPath(byPath).toLowerCase() ? byPath : null;
}
