/**
 * Documents the official client 0.30 sends (recorded on the wire, in
 * emulator/test/fixtures/wandb-0.30) that differ from the 56 of ../shared: each
 * validates against our W&B subset and W&B's schema, and is answered with
 * the right values over HTTP, sent as wandb-core sends it ("operationName": "").
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { buildSchema, parse, validate } from 'graphql';
import type { Emulator } from '../src/server.js';
import { upstreamSchemaPath } from '../src/schema.js';
import { DEMO_API_KEY } from '../src/seed.js';
import { clientOperation, hasShared, sharedDir, startTestEmulator, wandbClient } from './helpers/emulator.js';

const dir = fileURLToPath(new URL('./fixtures/wandb-0.30/', import.meta.url));
const doc = (name: string) => readFileSync(`${dir}${name}.graphql`, 'utf8');
const E = 'acme-ml';
const P = 'image-classification';

describe('documents of the official client 0.30', () => {
  let emulator: Emulator;
  let auth: string;

  beforeAll(async () => {
    emulator = await startTestEmulator();
    auth = wandbClient(emulator, DEMO_API_KEY).auth;
  });
  afterAll(() => emulator.close());

  /** Sends a document as wandb-core does: operationName "" for none. */
  async function core(query: string, variables: Record<string, unknown>, operationName = ''): Promise<{ data?: any; errors?: any[] }> {
    const res = await fetch(`${emulator.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth },
      body: JSON.stringify({ query, variables, operationName }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { data?: any; errors?: any[] };
  }

  it('all seven validate against our W&B subset, and against W&B\'s schema when ../shared is present', () => {
    const names = readdirSync(dir).filter((f) => f.endsWith('.graphql'));
    expect(names).toHaveLength(7);
    const ours = buildSchema(readFileSync(upstreamSchemaPath, 'utf8'));
    const schemas = hasShared ? [ours, buildSchema(readFileSync(`${sharedDir}wandb/upstream-schema.graphql`, 'utf8'))] : [ours];
    for (const schema of schemas) {
      expect(names.flatMap((f) => validate(schema, parse(readFileSync(`${dir}${f}`, 'utf8'))).map((e) => `${f}: ${e.message}`))).toEqual([]);
    }
  });

  it('an empty operationName selects the only operation; a wrong one is still refused', async () => {
    const ok = await core('query GetDefaultEntity { viewer { id entity } }', {});
    expect(ok.data!.viewer.entity).toBe('demo');
    const wrong = await core('query GetDefaultEntity { viewer { id entity } }', {}, 'Other');
    expect(wrong.errors![0].message).toMatch(/Unknown operation named "Other"/);
  });

  it('ArtifactMembershipByName (with createdAt and project ids), then FetchArtifactManifest by artifact id', async () => {
    const m = (await core(doc('artifact_membership_by_name'), { entity: E, project: P, name: 'imagenet-subset:v0' })).data!.project.artifactCollectionMembership;
    expect(m).toMatchObject({ __typename: 'ArtifactCollectionMembership', versionIndex: 0, createdAt: m.artifact.createdAt });
    expect(m.aliases.map((l: any) => l.alias)).toEqual(['v0']);
    expect(m.artifact.artifactSequence.project).toMatchObject({ name: P, entity: { name: E }, id: expect.any(String), internalId: expect.any(String) });
    const manifest = await core(doc('fetch_artifact_manifest'), { id: m.artifact.id });
    expect(manifest.errors).toBeUndefined();
    const body = (await (await fetch(manifest.data!.artifact.currentManifest.file.directUrl)).json()) as any;
    const hash = createHash('md5').update('wandb-artifact-manifest-v1\n');
    for (const path of Object.keys(body.contents).sort()) hash.update(`${path}:${body.contents[path].digest}\n`);
    expect(hash.digest('hex')).toBe(m.artifact.digest);
    const none = await core(doc('fetch_artifact_manifest'), { id: Buffer.from('Artifact:999999').toString('base64') });
    expect(none.data!.artifact).toBeNull();
  });

  it('CreateArtifact (no historyStep) relogs an existing digest with proper alias inputs; the run lists it in both 0.30 artifact lists', async () => {
    const client = wandbClient(emulator, DEMO_API_KEY);
    await client.gql(clientOperation('run_create'), { project: P, entity: E, name: 'core0301' });
    const v0 = (await core(doc('artifact_membership_by_name'), { entity: E, project: P, name: 'imagenet-subset:v0' })).data!.project.artifactCollectionMembership.artifact;
    const vars = {
      aliases: [{ alias: 'reviewed', artifactCollectionName: 'imagenet-subset' }],
      artifactCollectionNames: ['imagenet-subset'],
      artifactTypeName: 'dataset',
      clientID: null,
      description: null,
      digest: v0.digest,
      digestAlgorithm: 'MANIFEST_MD5',
      entityName: E,
      metadata: null,
      projectName: P,
      runName: 'core0301',
      sequenceClientID: null,
      tags: [],
    };
    const res = await core(doc('create_artifact'), vars);
    expect(res.errors).toBeUndefined();
    expect(res.data!.createArtifact.artifact).toMatchObject({ id: v0.id, state: 'COMMITTED', artifactSequence: { latestArtifact: { versionIndex: 1 } } });
    await client.gql(clientOperation('use_artifact'), { entityName: E, projectName: P, runName: 'core0301', artifactID: v0.id });
    const page = { cursor: null, entity: E, perPage: 100, project: P, run: 'core0301' };
    const out = (await core(doc('run_output_artifacts'), page)).data!.project.run.artifacts;
    expect(out.totalCount).toBe(1);
    expect(out.edges[0].node.aliases.map((l: any) => l.alias).sort()).toEqual(['reviewed', 'v0']);
    expect(out.edges[0].node.artifactSequence.project.internalId).toEqual(expect.any(String));
    const inputs = (await core(doc('run_input_artifacts'), page)).data!.project.run.artifacts;
    expect(inputs.edges.map((e: any) => e.node.id)).toEqual([v0.id]);
    const fresh = await core(doc('create_artifact'), { ...vars, digest: '0'.repeat(32), aliases: [] });
    expect(fresh.data!.createArtifact.artifact.artifactSequence.latestArtifact.versionIndex).toBe(2);
  });

  it('RunResumeStatus: null for a missing run; no "t" before a run starts; line counts and tails to resume from once it has', async () => {
    const client = wandbClient(emulator, DEMO_API_KEY);
    const status = async (name: string, entity: string | null = E) => (await core(doc('run_resume_status'), { project: P, entity, name })).data!.model;
    expect((await status('never-made')).bucket).toBeNull();
    await client.gql(clientOperation('run_create'), { project: P, entity: E, name: 'resume01', state: 'pending' });
    const pending = (await status('resume01')).bucket;
    expect(pending).toMatchObject({ name: 'resume01', historyLineCount: 0, eventsLineCount: 0, logLineCount: 0, historyTail: '[]', eventsTail: '[]', wandbConfig: '{}' });

    const config = JSON.stringify({ lr: { value: 0.1 }, _wandb: { value: { t: { '1': [1] }, cli_version: '0.30.0' } } });
    await client.gql(`mutation U($c: JSONString) { upsertBucket(input: {entityName: "${E}", modelName: "${P}", name: "resume01", config: $c}) { inserted } }`, { c: config });
    const rows = Array.from({ length: 12 }, (_, i) => JSON.stringify({ _step: i, _runtime: i * 2, loss: 1 / (i + 1) }));
    const events = Array.from({ length: 3 }, (_, i) => JSON.stringify({ _runtime: 10 * (i + 1), 'system.cpu': i }));
    const sent = await client.filestream(`${E}/${P}/resume01`, { files: { 'wandb-history.jsonl': { offset: 0, content: rows }, 'wandb-events.jsonl': { offset: 0, content: events }, 'output.log': { offset: 0, content: ['hello'] } } });
    expect(sent.status).toBe(200);

    const run = (await status('resume01')).bucket;
    expect(run).toMatchObject({ name: 'resume01', historyLineCount: 12, eventsLineCount: 3, logLineCount: 1 });
    // The tails are JSON arrays of each row's text, in order; wandb-core resumes after the last one.
    expect(JSON.parse(run.historyTail)).toEqual(rows.slice(-10));
    expect(JSON.parse(run.eventsTail)).toEqual(events);
    expect(JSON.parse(run.wandbConfig)).toEqual({ t: { '1': [1] } });
    expect(JSON.parse(run.config)).toEqual(JSON.parse(config));
    // No entity (wandb-core sends null when none is set): the caller's default entity, which has no such project.
    expect(await status('resume01', null)).toBeNull();
  });

  it('GetProjects (api.projects): an entity\'s projects once each, oldest first, in pages; the caller\'s own entity by default; none of another\'s', async () => {
    const page = async (entity: string | null, cursor: string | null) => (await core(doc('get_projects'), { entity, cursor, perPage: 1 })).data!.models;
    const names: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const p: any = await page(E, cursor);
      expect(p.edges.length).toBeLessThanOrEqual(1);
      names.push(...p.edges.map((e: any) => e.node.name));
      if (!p.pageInfo.hasNextPage) break;
      cursor = p.pageInfo.endCursor;
    }
    const stored = emulator.db
      .prepare('SELECT p.name FROM projects p JOIN entities e ON e.id = p.entity_id WHERE e.name = ? ORDER BY p.id')
      .pluck()
      .all(E) as string[];
    expect(stored.length).toBeGreaterThan(1);
    expect(names).toEqual(stored);
    const first = (await page(E, null)).edges[0].node;
    expect(first).toMatchObject({ __typename: 'Project', name: stored[0], entityName: E, isBenchmark: false, user: null });
    expect(first.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const own = (await core(doc('get_projects'), { entity: null, cursor: null })).data!.models.edges.map((e: any) => e.node.entityName);
    expect(new Set(own)).toEqual(new Set(['demo']));
    expect((await page('other', null)).edges).toEqual([]);
    expect((await page('no-such-entity', null)).edges).toEqual([]);
  });
});
