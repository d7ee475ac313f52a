import type { QueryResolvers } from '../../src/generated/subgraph.js';
import { parseRunPath } from '../../src/paths.js';
import { historyWindowsSelected, runDetailsSelected } from '../../src/selection.js';
import { hintIfEnded, selectsOnlyImmutable } from '../../src/cacheHints.js';

export const run: NonNullable<QueryResolvers['run']> = async (_, { path }, ctx, info) => {
  const found = await ctx.loaders.runLoader.load({ ref: parseRunPath(path), details: runDetailsSelected(info), prefetch: historyWindowsSelected(info) });
  hintIfEnded(info, found, selectsOnlyImmutable(info));
  return found;
};
