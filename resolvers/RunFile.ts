import type { RunFileResolvers } from '../src/generated/subgraph.js';
import { downloadUrl } from '../src/wandb/trust.js';

export const RunFile: RunFileResolvers = {
  id: (f) => f.id,
  name: (f) => f.name,
  url: (f) => downloadUrl(f.url),
  sizeBytes: (f) => f.sizeBytes,
  mimetype: (f) => f.mimetype,
  md5: (f) => f.md5,
  updatedAt: (f) => f.updatedAt,
};
