import type { RunFileResolvers } from '../src/generated/subgraph.js';

export const RunFile: RunFileResolvers = {
  id: (f) => f.id,
  name: (f) => f.name,
  url: (f) => f.url,
  sizeBytes: (f) => f.sizeBytes,
  mimetype: (f) => f.mimetype,
  md5: (f) => f.md5,
  updatedAt: (f) => f.updatedAt,
};
