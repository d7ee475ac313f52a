import type { QueryResolvers } from '../../src/generated/subgraph.js';
import { parseRunPath } from '../../src/paths.js';
import { runDetailsSelected } from '../../src/selection.js';

export const run: NonNullable<QueryResolvers['run']> = (_, { path }, ctx, info) =>
  ctx.loaders.runLoader.load({ ref: parseRunPath(path), details: runDetailsSelected(info) });
