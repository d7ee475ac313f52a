import { GraphQLError } from 'graphql';
import type { MutationResolvers, UpsertBucketInput } from '../generated/wandb.js';
import { checkFileName, checkName, notFound, requireRunByPath, requireRunByStorageId, writableEntity } from '../access.js';
import { ensureProject } from '../store/accounts.js';
import { createRun, deleteRun, findRun, generatedDisplayName, updateRun, type RunFields } from '../store/runs.js';
import { artifactById, createArtifact, useArtifact } from '../store/artifacts.js';
import { declareFile, deleteFiles } from '../store/files.js';
import { QueryInputError } from '../runFilters.js';
import { decodeNodeId, encodeRunId } from '../../../src/wandb/protocol.js';
import { artifactVisible } from './Artifact.js';
import { parseWandbJson } from '../wandbJson.js';

/** Run states W&B knows (lower case, as stored upstream). */
const runStates = new Set(['running', 'finished', 'crashed', 'failed', 'killed', 'preempting', 'preempted', 'pending']);

export const Mutation: MutationResolvers = {
  /**
   * W&B's run upsert: with `id`, updates that run; else creates or updates
   * the run `name` of `entityName/modelName` (creating the project when
   * missing, as W&B does). Config and summary, when given, replace the old.
   */
  upsertBucket: (_, { input }, ctx) =>
    ctx.db.transaction(() => {
      const fields = runFields(input);
      if (input.id) {
        const run = requireRunByStorageId(ctx, input.id);
        return { bucket: updateRun(ctx.db, run.id, fields, ctx.now()), inserted: false };
      }
      const entity = writableEntity(ctx, input.entityName);
      const project = ensureProject(ctx.db, entity.id, checkName('project', input.modelName ?? 'uncategorized'), ctx.now());
      const name = input.name ? checkRunId(input.name) : newRunId();
      const existing = findRun(ctx.db, project.id, name);
      if (existing) return { bucket: updateRun(ctx.db, existing.id, fields, ctx.now()), inserted: false };
      // A new run without a display name gets one made up, as W&B names runs ("smooth-lake-7").
      const displayName = fields.displayName || generatedDisplayName(ctx.db, project.id, name);
      return { bucket: createRun(ctx.db, project.id, name, ctx.user.id, ctx.now(), { ...fields, displayName }), inserted: true };
    })(),

  deleteRun: (_, { input }, ctx) => {
    const run = requireRunByStorageId(ctx, input.id);
    deleteRun(ctx.db, run.id, input.deleteArtifacts ?? false);
    return { clientMutationId: input.clientMutationId ?? null };
  },

  createArtifact: (_, { input }, ctx) => {
    const entity = writableEntity(ctx, input.entityName);
    const project = ensureProject(ctx.db, entity.id, checkName('project', input.projectName), ctx.now());
    const collectionName = input.artifactCollectionNames?.[0] ?? input.artifactCollectionName;
    if (!collectionName) throw new QueryInputError('createArtifact needs artifactCollectionNames (or artifactCollectionName)');
    const run = input.runName ? findRun(ctx.db, project.id, input.runName) : null;
    if (input.runName && !run) throw notFound(`run ${entity.name}/${project.name}/${input.runName} not found`);
    const artifact = createArtifact(ctx.db, {
      projectId: project.id,
      typeName: input.artifactTypeName,
      collectionName,
      digest: input.digest,
      description: input.description,
      metadata: input.metadata ? jsonObject('metadata', input.metadata) : null,
      aliases: (input.aliases ?? []).filter((a) => a.artifactCollectionName === collectionName).map((a) => a.alias),
      runId: run?.id ?? null,
      historyStep: input.historyStep,
      ttlDurationSeconds: input.ttlDurationSeconds,
      tags: (input.tags ?? []).map((t) => t.tagName),
      // W&B returns the collection's version of the same digest unless told not to.
      deduplicate: input.enableDigestDeduplication ?? true,
      now: ctx.now(),
    });
    return { artifact };
  },

  useArtifact: (_, { input }, ctx) => {
    const run = requireRunByPath(ctx, input.entityName, input.projectName, input.runName);
    const artifactId = decodeNodeId('Artifact', input.artifactID);
    const artifact = artifactId === null ? null : artifactById(ctx.db, artifactId);
    if (!artifact || !artifactVisible(ctx, artifact)) throw notFound(`artifact ${JSON.stringify(input.artifactID)} not found`);
    useArtifact(ctx.db, run.id, artifact.id, input.usedAs ?? null);
    return { artifact, run };
  },

  createRunFiles: (_, { input }, ctx) => {
    const run = requireRunByPath(ctx, input.entityName, input.projectName, input.runName);
    const names = input.files.map(checkFileName);
    const files = ctx.db.transaction(() => names.map((name) => declareFile(ctx.db, run.id, name, ctx.now())))();
    return { runID: encodeRunId({ entity: run.entity_name, project: run.project_name, runId: run.name }), uploadHeaders: [], files };
  },

  markRunFilesUploaded: (_, { input }, ctx) => {
    requireRunByPath(ctx, input.entityName, input.projectName, input.runName);
    return { success: true };
  },

  deleteFiles: (_, { input }, ctx) => {
    const ids = input.files.map((id) => {
      const n = decodeNodeId('File', id);
      if (n === null) throw new QueryInputError(`invalid file id ${JSON.stringify(id)}`);
      return n;
    });
    const projects = ctx.db
      .prepare('SELECT p.id FROM projects p JOIN memberships m ON m.entity_id = p.entity_id WHERE m.user_id = ?')
      .pluck()
      .all(ctx.user.id) as number[];
    deleteFiles(ctx.db, ids, projects);
    return { success: true };
  },

  stopRun: (_, { input }, ctx) => {
    const run = requireRunByStorageId(ctx, input.id);
    if (run.state === 'running' || run.state === 'pending') updateRun(ctx.db, run.id, { state: 'killed', stopRequested: true }, ctx.now());
    return { clientMutationId: input.clientMutationId ?? null, success: true };
  },

  /** W&B allows: to pending from running, failed, crashed or preempted; to failed from pending or running. */
  updateRunState: (_, { input }, ctx) => {
    const run = requireRunByStorageId(ctx, input.id);
    const to = input.state.toLowerCase();
    const allowed: Record<string, string[]> = { pending: ['running', 'failed', 'crashed', 'preempted'], failed: ['pending', 'running'] };
    if (!allowed[to]?.includes(run.state)) {
      throw new GraphQLError(`cannot change run state from ${run.state} to ${to}`, { extensions: { code: 'BAD_USER_INPUT' } });
    }
    updateRun(ctx.db, run.id, { state: to }, ctx.now());
    return { success: true };
  },
};

// Private:


type UpsertInput = UpsertBucketInput;

/**
 * The fields an upsertBucket sets. A null input field is left as it is, as
 * on W&B: wandb-core's later upserts of a run (its config, on every
 * wandb.init) send null for every other field, and the run keeps its name,
 * tags, group and notes. "" clears a text field and [] the tags.
 */
function runFields(input: UpsertInput): RunFields {
  const state = input.state ?? undefined;
  if (state !== undefined && !runStates.has(state)) {
    throw new QueryInputError(`invalid run state ${JSON.stringify(state)}: expected one of ${[...runStates].join(', ')}`);
  }
  return {
    displayName: input.displayName ?? undefined,
    description: input.description ?? undefined,
    notes: input.notes ?? undefined,
    tags: input.tags?.filter((t): t is string => typeof t === 'string'),
    config: input.config == null ? undefined : jsonObject('config', input.config),
    summary: input.summaryMetrics == null ? undefined : jsonObject('summaryMetrics', input.summaryMetrics),
    groupName: input.groupName ?? undefined,
    jobType: input.jobType ?? undefined,
    state,
    sweepName: input.sweep ?? undefined,
    commit: input.commit ?? undefined,
    host: input.host ?? undefined,
  };
}

function jsonObject(field: string, text: string): string {
  try {
    const value: unknown = parseWandbJson(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return text;
  } catch {
    // reported below
  }
  throw new QueryInputError(`${field} must be a JSON object string, got ${JSON.stringify(String(text).slice(0, 80))}`);
}

function checkRunId(name: string): string {
  if (!/^[A-Za-z0-9_.-]{1,128}$/.test(name)) {
    throw new QueryInputError(`invalid run id ${JSON.stringify(name.slice(0, 140))}: 1 to 128 of letters, digits, _ . -`);
  }
  return name;
}


/** A new 8-character lowercase base-36 run id, as wandb's runid.generate_id makes. */
function newRunId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => alphabet[b % 36]).join('');
}

