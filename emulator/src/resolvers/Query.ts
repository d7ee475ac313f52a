import type { QueryResolvers } from '../generated/wandb.js';
import { listProjects, visibleProject } from '../store/accounts.js';
import { artifactById } from '../store/artifacts.js';
import { decodeNodeId } from '../../../src/wandb/protocol.js';
import { artifactVisible } from './Artifact.js';
import { connectionOf } from '../cursor.js';

export const Query: QueryResolvers = {
  project: (_, { name, entityName }, ctx) => (name ? visibleProject(ctx.db, ctx.user, entityName, name) : null),
  model: (_, { name, entityName }, ctx) => (name ? visibleProject(ctx.db, ctx.user, entityName, name) : null),
  models: (_, { entityName, first, after }, ctx) => connectionOf(listProjects(ctx.db, ctx.user, entityName, { first, after }, ctx.paging)),
  viewer: (_, __, ctx) => ctx.user,
  serverInfo: () => ({
    cliVersionInfo: { max_cli_version: null, min_cli_version: '0.10.0' },
    latestLocalVersionInfo: { outOfDate: false, latestVersionString: '0.0.0-emulator', versionOnThisInstanceString: '0.0.0-emulator' },
    features: [
      { name: 'MARK_RUN_FILES_UPLOADED', isEnabled: true },
      { name: 'USE_ARTIFACT_WITH_ENTITY_AND_PROJECT_INFORMATION', isEnabled: true },
      { name: 'PROJECT_ARTIFACT_COLLECTION_MEMBERSHIP', isEnabled: true },
    ],
  }),
  artifact: (_, { id }, ctx) => {
    const artifactId = decodeNodeId('Artifact', id);
    const artifact = artifactId === null ? null : artifactById(ctx.db, artifactId);
    return artifact && artifactVisible(ctx, artifact) ? artifact : null;
  },
};
