import { GraphQLError } from 'graphql';
import type { EmulatorContext } from './context.js';
import type { EntityRow, ProjectRow, RunRow } from './store/types.js';
import { memberEntity, visibleProject } from './store/accounts.js';
import { findRun } from './store/runs.js';
import { decodeRunId } from '../../src/wandb/protocol.js';
import { QueryInputError } from './runFilters.js';

/**
 * What a caller may reach. Every lookup goes through the caller's entity
 * memberships: another entity's project or run is "not found", exactly as
 * if it did not exist, so its existence does not leak.
 */

/** A run by W&B storage id, or null when absent, invisible or not a run id. */
export function runByStorageId(ctx: EmulatorContext, id: string): RunRow | null {
  const ref = decodeRunId(id);
  if (!ref) return null;
  return runByPath(ctx, ref.entity, ref.project, ref.runId);
}

/** A run by entity, project and short id, or null. */
export function runByPath(ctx: EmulatorContext, entity: string | null | undefined, project: string, runId: string): RunRow | null {
  const p = visibleProject(ctx.db, ctx.user, entity, project);
  return p ? findRun(ctx.db, p.id, runId) : null;
}

/** Like runByStorageId, but a missing run is an error naming it. */
export function requireRunByStorageId(ctx: EmulatorContext, id: string): RunRow {
  const run = runByStorageId(ctx, id);
  if (!run) throw notFound(`run ${JSON.stringify(id)} not found`);
  return run;
}

/** Like runByPath, but a missing run is an error naming it. */
export function requireRunByPath(ctx: EmulatorContext, entity: string | null | undefined, project: string, runId: string): RunRow {
  const run = runByPath(ctx, entity, project, runId);
  if (!run) throw notFound(`run ${entity ?? ctx.user.username}/${project}/${runId} not found`);
  return run;
}

/** A project the caller may see, or an error naming it. */
export function requireProject(ctx: EmulatorContext, entity: string | null | undefined, name: string): ProjectRow {
  const p = visibleProject(ctx.db, ctx.user, entity, name);
  if (!p) throw notFound(`project ${entity ?? ctx.user.username}/${name} not found`);
  return p;
}

/** The entity the caller writes to: `name`, or their own when null; an error when not a member. */
export function writableEntity(ctx: EmulatorContext, name: string | null | undefined): EntityRow {
  const entity = memberEntity(ctx.db, ctx.user.id, name ?? ctx.user.username);
  if (!entity) throw new GraphQLError(`permission denied: you are not a member of entity ${JSON.stringify(name)}`, { extensions: { code: 'PERMISSION_ERROR' } });
  return entity;
}

/** Checks a W&B project or run name: non-empty, at most 128 characters, none of / \ # ? % : or controls. */
export function checkName(kind: 'project' | 'run' | 'entity', name: string): string {
  if (name.length === 0 || name.length > 128 || /[/\\#?%:\u0000-\u001f]/.test(name)) {
    throw new QueryInputError(`invalid ${kind} name ${JSON.stringify(name.slice(0, 140))}: 1 to 128 characters, none of / \\ # ? % :`);
  }
  return name;
}

/** Checks a file name inside a run: a relative path without empty, "." or ".." segments. */
export function checkFileName(name: string): string {
  if (name.length === 0 || name.length > 512 || name.startsWith('/') || name.split('/').some((s) => s === '..' || s === '.' || s === '') || /[\u0000-\u001f\\]/.test(name)) {
    throw new QueryInputError(`invalid file name ${JSON.stringify(name.slice(0, 140))}: a relative path without empty, "." or ".." segments`);
  }
  return name;
}

/** A "not found" GraphQL error. */
export function notFound(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'NOT_FOUND' } });
}
