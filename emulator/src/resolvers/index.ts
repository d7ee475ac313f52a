import type { Resolvers } from '../generated/wandb.js';
import { Query } from './Query.js';
import { Mutation } from './Mutation.js';
import { Project } from './Project.js';
import { Run } from './Run.js';
import { Artifact, ArtifactAlias, ArtifactCollection, ArtifactCollectionMembership, ArtifactManifest, ArtifactSequence, ArtifactType } from './Artifact.js';
import { ApiKey, Entity, File, Sweep, User } from './misc.js';

/** The emulator's resolver map, written out by hand. */
export const resolvers: Resolvers = {
  Query,
  Mutation,
  Project,
  Run,
  Artifact,
  ArtifactAlias,
  ArtifactCollection,
  ArtifactCollectionMembership,
  ArtifactManifest,
  ArtifactSequence,
  ArtifactType,
  Entity,
  File,
  Sweep,
  User,
  ApiKey,
};
