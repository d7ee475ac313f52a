import type { ArtifactResolvers } from '../src/generated/subgraph.js';
import { artifactId, failsAlone, upstreamObject } from '../src/wandb/trust.js';
import { isoDate } from '../src/graphql/runValues.js';

export const Artifact: ArtifactResolvers = {
  __resolveReference: (reference, ctx) => ctx.loaders.artifactLoader.load(String(reference.id)),
  id: (a) => artifactId(a.id),
  qualifiedName: (a) => `${a.artifactSequence.project.entityName}/${a.artifactSequence.project.name}/${a.artifactSequence.name}:v${a.versionIndex ?? 0}`,
  name: (a) => `${a.artifactSequence.name}:v${a.versionIndex ?? 0}`,
  type: (a) => a.artifactType.name,
  versionIndex: (a) => a.versionIndex,
  digest: (a) => a.digest,
  description: (a) => a.description,
  state: (a) => a.state,
  // W&B lists the version alias "v<N>" among the aliases; like the Python client's Artifact.aliases, the field leaves it out.
  aliases: (a) => a.aliases.map((l) => l.alias).filter((alias) => !/^v\d+$/.test(alias)),
  metadata: (a, _, ctx, info) => failsAlone(ctx, info, {}, () => upstreamObject(a.metadata, "the artifact's metadata")),
  sizeBytes: (a) => a.size,
  createdAt: (a) => isoDate(a.createdAt)!,
};
