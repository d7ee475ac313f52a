import type { SubscriptionResolvers } from '../../src/generated/subgraph.js';
import type { Context } from '../../src/context.js';
import type { RunParent } from '../../src/loaders/runLoader.js';
import { parseRunPath, runPath } from '../../src/wandb/paths.js';
import { liveDetails } from '../../src/live/runWatchers.js';
import { forgetReads } from '../../src/wandb/lookups.js';
import { codedError, notFound } from '../../src/errors.js';

export const runUpdated = {
  // The caller's key is checked here, with one lookup; then the run's shared poller takes over.
  subscribe: async (_: unknown, { path }: { path: string }, ctx: Context): Promise<AsyncIterable<RunParent>> => {
    const ref = parseRunPath(path);
    if (!ctx.live) throw codedError('BAD_USER_INPUT', 'subscriptions are served over WebSocket (graphql-ws) only');
    const run = await ctx.loaders.runLoader.load({ ref, details: liveDetails });
    if (!run) throw notFound(`run ${runPath(ref)} not found`);
    return ctx.live.subscribe(ctx.authorization, ref, run);
  },
  // Each event is the run now: what fields fetch beyond it must not come from an earlier event's reads.
  resolve: (run: RunParent, _args: unknown, ctx: Context): RunParent => {
    forgetReads(ctx);
    return run;
  },
} as unknown as NonNullable<SubscriptionResolvers['runUpdated']>;
