import type { Resolvers } from '../src/generated/subgraph.js';
import { run } from './Query/run.js';
import { runs } from './Query/runs.js';
import { node } from './Query/node.js';
import { createRun } from './Mutation/createRun.js';
import { updateRun } from './Mutation/updateRun.js';
import { deleteRun } from './Mutation/deleteRun.js';
import { logArtifact } from './Mutation/logArtifact.js';
import { useArtifact } from './Mutation/useArtifact.js';
import { createRunFileUpload } from './Mutation/createRunFileUpload.js';
import { runUpdated } from './Subscription/runUpdated.js';
import { Run } from './Run.js';
import { RunConnection } from './RunConnection.js';
import { RunHistoryConnection } from './RunHistoryConnection.js';
import { RunFileConnection } from './RunFileConnection.js';
import { ArtifactConnection } from './ArtifactConnection.js';
import { Artifact } from './Artifact.js';
import { RunFile } from './RunFile.js';
import { Sweep } from './Sweep.js';
import { DateTime, JSONScalar } from './scalars.js';

/** The subgraph's resolver map, written out by hand. */
export const resolvers: Resolvers = {
  Query: { run, runs, node },
  // Runs carry their project (from the lookup); artifacts their sequence.
  Node: { __resolveType: (parent) => ('artifactSequence' in parent ? 'Artifact' : 'Run') },
  Mutation: { createRun, updateRun, deleteRun, logArtifact, useArtifact, createRunFileUpload },
  Subscription: { runUpdated },
  Run,
  RunConnection,
  RunHistoryConnection,
  RunFileConnection,
  ArtifactConnection,
  Artifact,
  RunFile,
  Sweep,
  DateTime,
  JSON: JSONScalar,
};
