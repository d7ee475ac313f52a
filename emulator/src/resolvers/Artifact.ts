import type {
  ArtifactState,
  ArtifactAliasResolvers,
  ArtifactCollectionMembershipResolvers,
  ArtifactCollectionResolvers,
  ArtifactManifestResolvers,
  ArtifactResolvers,
  ArtifactSequenceResolvers,
  ArtifactTypeResolvers,
} from '../generated/wandb.js';
import type { EmulatorContext } from '../context.js';
import type { ArtifactRow } from '../store/types.js';
import { encodeNodeId } from '../../../src/wandb/protocol.js';
import { aliasesOf, artifactTypeById, collectionById, latestArtifact, tagsOf } from '../store/artifacts.js';
import { projectById } from '../store/accounts.js';
import { manifestOf } from '../store/manifests.js';

/** W&B's TTL of -2 means "inherited from the collection" (none here). */
const inheritTtl = -2;

export const Artifact: ArtifactResolvers = {
  id: (a) => encodeNodeId('Artifact', a.id),
  digest: (a) => a.digest,
  description: (a) => a.description,
  state: (a) => a.state as ArtifactState,
  versionIndex: (a) => a.version_index,
  metadata: (a) => a.metadata,
  size: (a) => a.size,
  fileCount: (a) => a.file_count,
  commitHash: (a) => a.commit_hash,
  historyStep: (a) => a.history_step,
  createdAt: (a) => a.created_at,
  updatedAt: (a) => a.updated_at,
  ttlDurationSeconds: (a) => (a.ttl_duration_seconds === inheritTtl ? -1 : a.ttl_duration_seconds),
  ttlIsInherited: (a) => a.ttl_duration_seconds === inheritTtl,
  artifactSequence: (a, _, ctx) => collectionById(ctx.db, a.collection_id),
  artifactType: (a, _, ctx) => artifactTypeById(ctx.db, collectionById(ctx.db, a.collection_id).type_id),
  aliases: (a, _, ctx) => aliasesOf(ctx.db, a.id),
  tags: (a, _, ctx) => tagsOf(ctx.db, a.id).map((name) => ({ id: Buffer.from(`Tag:${a.id}:${name}`).toString('base64'), name })),
  currentManifest: (a, _, ctx) => manifestOf(ctx.db, a.id),
};

/** A version as a member of its own collection (the only membership a version has here). */
export const ArtifactCollectionMembership: ArtifactCollectionMembershipResolvers = {
  id: (a) => encodeNodeId('ArtifactCollectionMembership', a.id),
  versionIndex: (a) => a.version_index,
  commitHash: (a) => a.commit_hash,
  createdAt: (a) => a.created_at,
  aliases: (a, _, ctx) => aliasesOf(ctx.db, a.id),
  artifactCollection: (a, _, ctx) => collectionById(ctx.db, a.collection_id),
  artifact: (a) => a,
};

/** The manifest of a version; its file downloads through a signed storage URL. */
export const ArtifactManifest: ArtifactManifestResolvers = {
  id: (m) => encodeNodeId('ArtifactManifest', m.artifact_id),
  digest: (m) => m.digest,
  createdAt: (m) => m.created_at,
  file: (m) => ({
    id: m.artifact_id,
    run_id: 0,
    name: 'wandb_manifest.json',
    size_bytes: m.size,
    mimetype: 'application/json',
    md5: m.md5,
    uploaded: 1,
    updated_at: m.created_at,
    manifest_of: m.artifact_id,
  }),
};

export const ArtifactSequence: ArtifactSequenceResolvers = {
  id: (c) => encodeNodeId('ArtifactCollection', c.id),
  name: (c) => c.name,
  project: (c, _, ctx) => projectById(ctx.db, c.project_id),
  latestArtifact: (c, _, ctx) => latestArtifact(ctx.db, c.id),
};

export const ArtifactCollection: ArtifactCollectionResolvers = {
  __resolveType: () => 'ArtifactSequence',
};

export const ArtifactType: ArtifactTypeResolvers = {
  id: (t) => encodeNodeId('ArtifactType', t.id),
  name: (t) => t.name,
};

export const ArtifactAlias: ArtifactAliasResolvers = {
  id: (l) => encodeNodeId('ArtifactAlias', l.id),
  alias: (l) => l.alias,
  artifactCollection: (l, _, ctx) => collectionById(ctx.db, l.collection_id),
  artifactCollectionName: (l, _, ctx) => collectionById(ctx.db, l.collection_id).name,
};

/** True when the caller is a member of the entity that owns the artifact. */
export function artifactVisible(ctx: EmulatorContext, artifact: ArtifactRow): boolean {
  return (
    ctx.db
      .prepare(
        `SELECT 1 FROM artifact_collections c JOIN projects p ON p.id = c.project_id
         JOIN memberships m ON m.entity_id = p.entity_id AND m.user_id = ? WHERE c.id = ?`,
      )
      .get(ctx.user.id, artifact.collection_id) !== undefined
  );
}
