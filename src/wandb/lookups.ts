import type { Context } from '../context.js';
import type { RunParent } from '../loaders/runLoader.js';
import type { ArtifactFieldsFragment } from '../generated/upstream.js';
import { badInput, notFound } from '../errors.js';
import { runPath } from './paths.js';
import { noDetails, type RunDetailFlags } from '../graphql/selection.js';
import type { RunRef } from './ids.js';

/** The run, or NOT_FOUND naming its path. */
export async function requireRun(ctx: Context, ref: RunRef, details: RunDetailFlags = noDetails): Promise<RunParent> {
  const run = await ctx.loaders.runLoader.load({ ref, details });
  if (!run) throw notFound(`run ${runPath(ref)} not found`);
  return run;
}

/**
 * The artifact named by exactly one of a W&B artifact id or a qualified
 * name "entity/project/collection:alias" (or ":vN"); NOT_FOUND when absent.
 */
export async function requireArtifact(ctx: Context, id: string | null | undefined, name: string | null | undefined): Promise<ArtifactFieldsFragment> {
  if ((id == null) === (name == null)) throw badInput('give exactly one of artifactId or artifactName');
  if (id != null) {
    const artifact = await ctx.loaders.artifactLoader.load(id);
    if (!artifact) throw notFound(`artifact ${JSON.stringify(id)} not found`);
    return artifact;
  }
  const match = /^([^/\s]+)\/([^/\s]+)\/([^/:\s]+)(?::([^/:\s]+))?$/.exec(name!);
  if (!match) throw badInput(`artifactName ${JSON.stringify(name!.slice(0, 200))} is not "entity/project/collection:alias"`);
  const [, entity, project, collection, alias] = match;
  const artifact = await ctx.wandb.artifactByName(entity, project, `${collection}:${alias ?? 'latest'}`);
  if (!artifact) throw notFound(`artifact ${name} not found`);
  return artifact;
}

/**
 * Forgets what this request has read, after a write: a later mutation of
 * the same request must not start from a stale run or artifact.
 */
export function forgetReads(ctx: Context): void {
  for (const loader of Object.values(ctx.loaders)) loader.clearAll();
}
