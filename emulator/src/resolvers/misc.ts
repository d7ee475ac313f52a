import type { EntityResolvers, FileResolvers, SweepResolvers, UserResolvers } from '../generated/wandb.js';
import { encodeNodeId } from '../../../src/wandb/protocol.js';
import { entityName, userEntities } from '../store/accounts.js';
import { sweepRunCount } from '../store/sweeps.js';

export const User: UserResolvers = {
  id: (u) => encodeNodeId('User', u.id),
  name: (u) => u.name,
  username: (u) => u.username,
  email: (u) => u.email,
  entity: (u, _, ctx) => (u.default_entity_id === null ? null : entityName(ctx.db, u.default_entity_id)),
  flags: () => '{}',
  teams: (u, _, ctx) => ({ edges: userEntities(ctx.db, u.id).filter((e) => e.is_team).map((node) => ({ node })) }),
};

export const Entity: EntityResolvers = {
  id: (e) => encodeNodeId('Entity', e.id),
  name: (e) => e.name,
};

export const Sweep: SweepResolvers = {
  id: (s) => encodeNodeId('Sweep', s.id),
  name: (s) => s.name,
  displayName: (s) => s.display_name,
  method: (s) => s.method,
  state: (s) => s.state,
  description: (s) => s.description,
  bestLoss: (s) => s.best_loss,
  config: (s) => s.config,
  createdAt: (s) => s.created_at,
  updatedAt: (s) => s.updated_at,
  runCount: (s, _, ctx) => sweepRunCount(ctx.db, s),
  runCountExpected: (s) => s.run_count_expected,
};

export const File: FileResolvers = {
  id: (f) => encodeNodeId('File', f.id),
  name: (f) => f.name,
  sizeBytes: (f) => f.size_bytes,
  mimetype: (f) => f.mimetype,
  md5: (f) => f.md5,
  updatedAt: (f) => f.updated_at,
  url: (f, { upload }, ctx) => (upload ? ctx.signer.uploadUrl(ctx.baseUrl, f.id) : ctx.signer.downloadUrl(ctx.baseUrl, f.id, f.name)),
  directUrl: (f, _, ctx) => ctx.signer.downloadUrl(ctx.baseUrl, f.id, f.name),
  uploadUrl: (f, _, ctx) => ctx.signer.uploadUrl(ctx.baseUrl, f.id),
};
