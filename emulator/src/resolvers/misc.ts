import type { ApiKeyResolvers, EntityResolvers, FileResolvers, SweepResolvers, UserResolvers } from '../generated/wandb.js';
import { encodeNodeId } from '../../../src/wandb/protocol.js';
import { apiKeysOf, entityName, userEntities } from '../store/accounts.js';
import { sweepRunCount } from '../store/sweeps.js';
import type { EmulatorContext } from '../context.js';
import type { FileRow } from '../store/types.js';

export const User: UserResolvers = {
  id: (u) => encodeNodeId('User', u.id),
  name: (u) => u.name,
  username: (u) => u.username,
  email: (u) => u.email,
  entity: (u, _, ctx) => (u.default_entity_id === null ? null : entityName(ctx.db, u.default_entity_id)),
  flags: () => '{}',
  teams: (u, _, ctx) => ({ edges: userEntities(ctx.db, u.id).filter((e) => e.is_team).map((node) => ({ node })) }),
  /** No emulator user administers the instance. */
  admin: () => false,
  deletedAt: () => null,
  /** Only the caller's own keys, by label; another user's are not shown. */
  apiKeys: (u, _, ctx) => (u.id === ctx.user.id ? { edges: apiKeysOf(ctx.db, u.id).map((node) => ({ node })) } : null),
};

export const ApiKey: ApiKeyResolvers = {
  id: (k) => encodeNodeId('ApiKey', k.id),
  name: (k) => k.name,
  description: (k) => k.description,
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
  id: (f) => encodeNodeId(f.manifest_of === undefined ? 'File' : 'ArtifactManifestFile', f.id),
  name: (f) => f.name,
  sizeBytes: (f) => f.size_bytes,
  mimetype: (f) => f.mimetype,
  md5: (f) => f.md5,
  updatedAt: (f) => f.updated_at,
  url: (f, { upload }, ctx) => (upload ? uploadUrl(f, ctx) : downloadUrl(f, ctx)),
  directUrl: (f, _, ctx) => downloadUrl(f, ctx),
  uploadUrl: (f, _, ctx) => uploadUrl(f, ctx),
};

// Private:

/** A run file's signed download URL, or a manifest's. */
function downloadUrl(f: FileRow, ctx: EmulatorContext): string {
  return f.manifest_of === undefined ? ctx.signer.downloadUrl(ctx.baseUrl, f.id, f.name) : ctx.signer.manifestUrl(ctx.baseUrl, f.manifest_of);
}

/** A run file's signed upload URL; none for a manifest, which is written with its version. */
function uploadUrl(f: FileRow, ctx: EmulatorContext): string | null {
  return f.manifest_of === undefined ? ctx.signer.uploadUrl(ctx.baseUrl, f.id) : null;
}
