import type { QueryResolvers } from '../../src/generated/subgraph.js';
import { decodeNodeId, decodeRunId } from '../../src/wandb/ids.js';
import { runPlanSelected } from '../../src/graphql/selection.js';
import { badInput } from '../../src/errors.js';

/** Query.node: a run id goes to the run loader, an artifact id to the artifact loader. */
export const node: NonNullable<QueryResolvers['node']> = async (_, { id }, ctx, info) => {
  const ref = id.length <= 1024 ? decodeRunId(id) : null;
  if (ref) {
    // The run and every call its selection makes, in one upstream request (as Query.run).
    const plan = runPlanSelected(info);
    return ctx.loaders.runLoader.load({ ref, details: plan.details, prefetch: plan.fields, scalars: plan.scalars });
  }
  if (id.length <= 1024 && decodeNodeId('Artifact', id) !== null) return ctx.loaders.artifactLoader.load(id);
  throw badInput(`id ${JSON.stringify(id.slice(0, 100))} is not the id of a Run or an Artifact`);
};
