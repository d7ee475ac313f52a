/**
 * The subgraph's mutations through real HTTP against the embedded W&B
 * emulator: every result is the fresh object, every change is really stored
 * (read back through Query.run or straight from the emulator's SQLite
 * database), and every bad input is HTTP 200 with a coded GraphQL error that
 * changed nothing.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startStack, subgraphClient, type Response, type Stack } from '../../helpers/stack.js';
import { clientOperation, storageId, wandbClient } from '../../../emulator/test/helpers/emulator.js';
import { DEMO_API_KEY } from '../../../emulator/src/seed.js';

const TEAM = 'acme-ml';

const RUN_FIELDS = `id path entity project runId displayName state notes tags group jobType config summary createdAt url username`;
const ARTIFACT_FIELDS = `id qualifiedName name type versionIndex digest aliases`;

const CREATE_RUN = `mutation CreateRun($input: CreateRunInput!) { createRun(input: $input) { run { ${RUN_FIELDS} } } }`;
const UPDATE_RUN = `mutation UpdateRun($input: UpdateRunInput!) { updateRun(input: $input) { run { ${RUN_FIELDS} } } }`;
const DELETE_RUN = `mutation DeleteRun($input: DeleteRunInput!) { deleteRun(input: $input) { id deletedArtifacts } }`;
const LOG_ARTIFACT = `mutation LogArtifact($input: LogArtifactInput!) { logArtifact(input: $input) {
  run { id path loggedArtifacts { totalCount edges { node { id name } } } }
  artifact { ${ARTIFACT_FIELDS} } } }`;
const USE_ARTIFACT = `mutation UseArtifact($input: UseArtifactInput!) { useArtifact(input: $input) {
  run { id path usedArtifacts { totalCount edges { node { id name } } } }
  artifact { ${ARTIFACT_FIELDS} } } }`;
const FILE_UPLOAD = `mutation Upload($input: CreateRunFileUploadInput!) { createRunFileUpload(input: $input) {
  uploadUrl uploadHeaders file { id name sizeBytes md5 url mimetype } } }`;
const READ_RUN = `query Run($path: String!) { run(path: $path) { ${RUN_FIELDS} } }`;
const READ_ARTIFACTS = `query Run($path: String!) { run(path: $path) {
  loggedArtifacts { totalCount edges { node { id name aliases } } }
  usedArtifacts { totalCount edges { node { id name aliases } } } } }`;
const READ_FILE = `query File($path: String!, $name: String!) { run(path: $path) { file(name: $name) { id name sizeBytes md5 url mimetype } } }`;
const ARTIFACT_ENTITY = `query Artifacts($reps: [_Any!]!) { _entities(representations: $reps) { ... on Artifact { id name } } }`;

/** W&B's own run upsert, to set up runs with a `_wandb` config key and a summary as the SDK would. */
const WANDB_UPSERT = `mutation Upsert($entity: String, $project: String, $name: String, $config: JSONString, $summary: JSONString) {
  upsertBucket(input: { entityName: $entity, modelName: $project, name: $name, config: $config, summaryMetrics: $summary }) { bucket { id name } inserted } }`;

describe('subgraph mutations', () => {
  let stack: Stack;
  let query: ReturnType<typeof subgraphClient>;
  let wb: ReturnType<typeof wandbClient>;

  beforeAll(async () => {
    stack = await startStack();
    query = subgraphClient(stack);
    wb = wandbClient(stack.emulator, DEMO_API_KEY);
  });
  afterAll(() => stack.close());

  // Helpers:

  const db = () => stack.emulator.db;

  /** The emulator's row of a run, or undefined. */
  function runRow(entity: string, project: string, runId: string): Record<string, any> | undefined {
    return db()
      .prepare(
        `SELECT r.* FROM runs r JOIN projects p ON p.id = r.project_id JOIN entities e ON e.id = p.entity_id
         WHERE e.name = ? AND p.name = ? AND r.name = ?`,
      )
      .get(entity, project, runId) as Record<string, any> | undefined;
  }

  function projectRow(entity: string, project: string): Record<string, any> | undefined {
    return db()
      .prepare('SELECT p.* FROM projects p JOIN entities e ON e.id = p.entity_id WHERE e.name = ? AND p.name = ?')
      .get(entity, project) as Record<string, any> | undefined;
  }

  /** The emulator's row of an artifact by its W&B id (base64 "Artifact:<n>"). */
  function artifactRow(id: string): Record<string, any> | undefined {
    return db().prepare('SELECT * FROM artifacts WHERE id = ?').get(artifactRowId(id)) as Record<string, any> | undefined;
  }

  function artifactRowId(id: string): number {
    const m = /^Artifact:(\d+)$/.exec(Buffer.from(id, 'base64').toString('utf8'));
    if (!m) throw new Error(`not an artifact id: ${id}`);
    return Number(m[1]);
  }

  function artifactId(rowId: number): string {
    return Buffer.from(`Artifact:${rowId}`).toString('base64');
  }

  /** Everything a mutation could change, to prove that a rejected one changed nothing. */
  function snapshot(): Record<string, unknown[]> {
    const all = (sql: string) => db().prepare(sql).all();
    return {
      projects: all('SELECT * FROM projects ORDER BY id'),
      runs: all('SELECT * FROM runs ORDER BY id'),
      artifacts: all('SELECT * FROM artifacts ORDER BY id'),
      aliases: all('SELECT * FROM artifact_aliases ORDER BY id'),
      outputs: all('SELECT * FROM artifact_outputs ORDER BY seq'),
      usages: all('SELECT * FROM artifact_usages ORDER BY seq'),
      files: all('SELECT id, run_id, name, size_bytes, md5, uploaded, updated_at FROM files ORDER BY id'),
    };
  }

  /** Asserts a successful response and returns its data. */
  function ok(res: Response): any {
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
    expect(res.data).toBeTruthy();
    return res.data;
  }

  /** Asserts HTTP 200 with one coded GraphQL error and no data. Returns the code. */
  function failed(res: Response, code: string | string[]): string | undefined {
    expect(res.status).toBe(200);
    expect(res.errors?.length).toBeGreaterThan(0);
    const got = res.errors?.[0]?.extensions?.code;
    if (Array.isArray(code)) expect(code).toContain(got);
    else expect(got).toBe(code);
    expect(res.data ?? null).toBeNull();
    return got;
  }

  /** Runs a mutation that must fail with `code` and leave the database exactly as it was. */
  async function rejects(document: string, input: Record<string, unknown>, code: string | string[]): Promise<Response> {
    const before = snapshot();
    const res = await query(document, { input });
    failed(res, code);
    expect(snapshot()).toEqual(before);
    return res;
  }

  async function createRun(input: Record<string, unknown>): Promise<any> {
    return ok(await query(CREATE_RUN, { input })).createRun.run;
  }

  async function readRun(path: string): Promise<any> {
    return ok(await query(READ_RUN, { path })).run;
  }

  /** A W&B artifact version via the emulator's createArtifact, logged by `runName`. */
  async function makeArtifact(project: string, runName: string | null, collection: string, digest: string, aliases: string[] = []): Promise<string> {
    const res = await wb.gql(clientOperation('create_artifact_2024'), {
      artifactTypeName: 'dataset',
      artifactCollectionNames: [collection],
      entityName: TEAM,
      projectName: project,
      runName,
      digest,
      aliases: aliases.map((alias) => ({ alias, artifactCollectionName: collection })),
    });
    expect(res.errors).toBeUndefined();
    return res.data!.createArtifact.artifact.id as string;
  }

  async function wandbUpsert(project: string, name: string, config: unknown, summary: unknown): Promise<void> {
    const res = await wb.gql(WANDB_UPSERT, { entity: TEAM, project, name, config: JSON.stringify(config), summary: JSON.stringify(summary) });
    expect(res.errors).toBeUndefined();
    expect(res.data!.upsertBucket.inserted).toBe(true);
  }

  function minutesFromNow(iso: string): number {
    return Math.abs(Date.parse(iso) - Date.now()) / 60_000;
  }

  // createRun:

  describe('createRun', () => {
    const P = 'mut-create';

    it('creates a run with the given runId and displayName, RUNNING by default, and stores it', async () => {
      const run = await createRun({ entity: TEAM, project: P, runId: 'given-id_1', displayName: 'first run' });
      expect(run).toMatchObject({
        id: storageId(TEAM, P, 'given-id_1'),
        path: `${TEAM}/${P}/given-id_1`,
        entity: TEAM,
        project: P,
        runId: 'given-id_1',
        displayName: 'first run',
        state: 'RUNNING',
        tags: [],
        config: {},
        summary: {},
        username: 'demo',
      });
      expect(minutesFromNow(run.createdAt)).toBeLessThan(5);

      const row = runRow(TEAM, P, 'given-id_1');
      expect(row).toBeDefined();
      expect(row!.display_name).toBe('first run');
      expect(row!.state).toBe('running');

      const read = await readRun(`${TEAM}/${P}/given-id_1`);
      expect(read).toEqual(run);
    });

    it('generates an 8-character lowercase base-36 runId when none is given', async () => {
      const run = await createRun({ entity: TEAM, project: P });
      expect(run.runId).toMatch(/^[a-z0-9]{8}$/);
      expect(run.path).toBe(`${TEAM}/${P}/${run.runId}`);
      expect(run.id).toBe(storageId(TEAM, P, run.runId));
      // W&B makes up a display name for a run created without one ("smooth-lake-7").
      expect(run.displayName).toMatch(/^[a-z]+-[a-z]+-\d+$/);
      expect(run.state).toBe('RUNNING');
      expect(runRow(TEAM, P, run.runId)).toBeDefined();
      expect((await readRun(run.path)).id).toBe(run.id);

      const other = await createRun({ entity: TEAM, project: P });
      expect(other.runId).toMatch(/^[a-z0-9]{8}$/);
      expect(other.runId).not.toBe(run.runId);
    });

    it('creates a PENDING run when asked', async () => {
      const run = await createRun({ entity: TEAM, project: P, runId: 'queued', state: 'PENDING' });
      expect(run.state).toBe('PENDING');
      expect(runRow(TEAM, P, 'queued')!.state).toBe('pending');
      expect((await readRun(run.path)).state).toBe('PENDING');
    });

    it("creates a run in the caller's personal entity", async () => {
      const run = await createRun({ entity: 'demo', project: 'scratch', runId: 'personal', displayName: 'mine' });
      expect(run).toMatchObject({ path: 'demo/scratch/personal', entity: 'demo', project: 'scratch', displayName: 'mine', username: 'demo' });
      expect(runRow('demo', 'scratch', 'personal')!.display_name).toBe('mine');
    });

    it('creates the project when it does not exist', async () => {
      const project = 'mut-brand-new-project';
      expect(projectRow(TEAM, project)).toBeUndefined();
      const run = await createRun({ entity: TEAM, project, runId: 'firstborn' });
      expect(run.project).toBe(project);
      expect(projectRow(TEAM, project)).toBeDefined();
      expect(runRow(TEAM, project, 'firstborn')).toBeDefined();
      const res = ok(await query(`{ runs(entity: "${TEAM}", project: "${project}") { totalCount nodes { path } } }`));
      expect(res.runs).toEqual({ totalCount: 1, nodes: [{ path: `${TEAM}/${project}/firstborn` }] });
    });

    it('is CONFLICT when the run exists, and changes nothing', async () => {
      await createRun({ entity: TEAM, project: P, runId: 'taken', displayName: 'original' });
      const res = await rejects(CREATE_RUN, { entity: TEAM, project: P, runId: 'taken', displayName: 'usurper', state: 'PENDING' }, 'CONFLICT');
      expect(res.errors![0].message).toContain(`${TEAM}/${P}/taken`);
      expect(runRow(TEAM, P, 'taken')!.display_name).toBe('original');
      expect((await readRun(`${TEAM}/${P}/taken`)).state).toBe('RUNNING');
    });

    it('is CONFLICT for a seeded run too', async () => {
      const seeded = db()
        .prepare(`SELECT r.name FROM runs r JOIN projects p ON p.id = r.project_id WHERE p.name = 'image-classification' ORDER BY r.id LIMIT 1`)
        .pluck()
        .get() as string;
      await rejects(CREATE_RUN, { entity: TEAM, project: 'image-classification', runId: seeded, displayName: 'x' }, 'CONFLICT');
    });

    it.each([
      ['a runId with a space', { runId: 'bad id' }],
      ['a runId with a slash', { runId: 'a/b' }],
      ['an empty runId', { runId: '' }],
      ['a runId of 129 characters', { runId: 'a'.repeat(129) }],
      ['an empty entity', { entity: '' }],
      ['an entity with a slash', { entity: 'acme/ml' }],
      ['an entity with a space', { entity: 'acme ml' }],
      ['an empty project', { project: '' }],
      ['a project with a slash', { project: 'a/b' }],
      ['a project with a colon', { project: 'a:b' }],
    ])('is BAD_USER_INPUT for %s, and creates nothing', async (_, patch) => {
      await rejects(CREATE_RUN, { entity: TEAM, project: 'mut-create-bad', runId: 'okid', ...patch }, 'BAD_USER_INPUT');
      expect(projectRow(TEAM, 'mut-create-bad')).toBeUndefined();
    });

    it('input the schema rejects (bad enum, missing field) is a coded client error, never a 5xx, and creates nothing', async () => {
      const before = snapshot();
      for (const input of [
        { entity: TEAM, project: 'mut-create-bad', runId: 'okid', state: 'BOGUS' },
        { project: 'mut-create-bad', runId: 'okid' },
      ]) {
        const res = await query(CREATE_RUN, { input });
        expect([200, 400]).toContain(res.status);
        expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
        expect(res.data ?? null).toBeNull();
      }
      expect(snapshot()).toEqual(before);
    });

    it("is an error (FORBIDDEN) in another user's entity, and creates nothing", async () => {
      const code = failed(await query(CREATE_RUN, { input: { entity: 'other', project: 'sneaky', runId: 'intruder' } }), ['FORBIDDEN', 'NOT_FOUND']);
      expect(code).toBe('FORBIDDEN');
      expect(projectRow('other', 'sneaky')).toBeUndefined();
      await rejects(CREATE_RUN, { entity: 'other', project: 'private-experiments', runId: 'intruder' }, ['FORBIDDEN', 'NOT_FOUND']);
      expect(runRow('other', 'private-experiments', 'intruder')).toBeUndefined();
    });

    it("does not reveal another user's existing run as CONFLICT", async () => {
      const theirs = db()
        .prepare(`SELECT r.name FROM runs r JOIN projects p ON p.id = r.project_id WHERE p.name = 'private-experiments' ORDER BY r.id LIMIT 1`)
        .pluck()
        .get() as string;
      expect(theirs).toBeTruthy();
      const before = runRow('other', 'private-experiments', theirs);
      await rejects(CREATE_RUN, { entity: 'other', project: 'private-experiments', runId: theirs, displayName: 'hijack' }, ['FORBIDDEN', 'NOT_FOUND']);
      expect(runRow('other', 'private-experiments', theirs)).toEqual(before);
    });
  });

  // updateRun:

  describe('updateRun', () => {
    const P = 'mut-update';
    const WANDB_KEY = { value: { cli_version: '0.28.3', python_version: '3.11.9', t: { '1': [1, 5] } }, desc: null };

    beforeAll(async () => {
      await wandbUpsert(P, 'target', { _wandb: WANDB_KEY, lr: { value: 0.1, desc: null }, epochs: { value: 3, desc: null } }, { acc: 0.5, loss: 1.25, keep: 'me', _step: 9 });
      await wandbUpsert(P, 'meta', {}, {});
    });

    it('changes displayName, notes, tags, group and jobType by id, and stores them', async () => {
      const run = ok(
        await query(UPDATE_RUN, {
          input: { id: storageId(TEAM, P, 'meta'), displayName: 'renamed', notes: 'some notes', tags: ['a', 'b'], group: 'grp-1', jobType: 'eval' },
        }),
      ).updateRun.run;
      expect(run).toMatchObject({ path: `${TEAM}/${P}/meta`, displayName: 'renamed', notes: 'some notes', tags: ['a', 'b'], group: 'grp-1', jobType: 'eval' });

      const row = runRow(TEAM, P, 'meta')!;
      expect(row.display_name).toBe('renamed');
      expect(row.notes).toBe('some notes');
      expect(JSON.parse(row.tags)).toEqual(['a', 'b']);
      expect(row.group_name).toBe('grp-1');
      expect(row.job_type).toBe('eval');
      expect(await readRun(`${TEAM}/${P}/meta`)).toEqual(run);
    });

    it('changes fields by path, leaving absent ones unchanged; tags replace', async () => {
      const run = ok(await query(UPDATE_RUN, { input: { path: `${TEAM}/${P}/meta`, notes: 'newer notes', tags: ['c'] } })).updateRun.run;
      expect(run).toMatchObject({ displayName: 'renamed', notes: 'newer notes', tags: ['c'], group: 'grp-1', jobType: 'eval' });
      const row = runRow(TEAM, P, 'meta')!;
      expect(row.notes).toBe('newer notes');
      expect(JSON.parse(row.tags)).toEqual(['c']);
      expect(row.display_name).toBe('renamed');
      expect((await readRun(`${TEAM}/${P}/meta`)).tags).toEqual(['c']);
    });

    it('null clears displayName, notes, tags, group and jobType, and they read back as none; absent fields stay', async () => {
      await wandbUpsert(P, 'cleared', {}, {});
      const path = `${TEAM}/${P}/cleared`;
      ok(await query(UPDATE_RUN, { input: { path, displayName: 'named', notes: 'n', tags: ['t'], group: 'g', jobType: 'j' } }));
      const run = ok(await query(UPDATE_RUN, { input: { path, displayName: null, notes: null, tags: null, group: null, jobType: null } })).updateRun.run;
      expect(run).toMatchObject({ displayName: null, notes: null, tags: [], group: null, jobType: null });
      expect(await readRun(path)).toEqual(run);
      const row = runRow(TEAM, P, 'cleared')!;
      expect(JSON.parse(row.tags)).toEqual([]);
      expect([row.notes, row.group_name, row.job_type]).toEqual(['', '', '']);
      // An edit of other fields leaves the cleared ones cleared, and the others as they are.
      ok(await query(UPDATE_RUN, { input: { path, notes: 'back' } }));
      expect(await readRun(path)).toMatchObject({ displayName: null, notes: 'back', tags: [], group: null });
    });

    it('replaces the config: values come back unwrapped, stored wrapped, _wandb kept', async () => {
      const config = { lr: 0.01, optimizer: 'adam', layers: [64, 32], opt: { beta: 0.9 }, flag: false, nothing: null, odd: { value: 3 } };
      const run = ok(await query(UPDATE_RUN, { input: { path: `${TEAM}/${P}/target`, config } })).updateRun.run;
      expect(run.config).toEqual(config);
      expect(run.summary).toEqual({ acc: 0.5, loss: 1.25, keep: 'me', _step: 9 });

      const stored = JSON.parse(runRow(TEAM, P, 'target')!.config);
      const wrapped: Record<string, unknown> = { _wandb: WANDB_KEY };
      for (const [k, v] of Object.entries(config)) wrapped[k] = { value: v, desc: null };
      expect(stored).toEqual(wrapped);
      expect(stored.epochs).toBeUndefined();

      expect((await readRun(`${TEAM}/${P}/target`)).config).toEqual(config);
    });

    it('merges the summary and removes keys set to null', async () => {
      const run = ok(
        await query(UPDATE_RUN, { input: { id: storageId(TEAM, P, 'target'), summary: { acc: 0.9, loss: null, extra: { nested: [1, 2] } } } }),
      ).updateRun.run;
      const expected = { acc: 0.9, keep: 'me', _step: 9, extra: { nested: [1, 2] } };
      expect(run.summary).toEqual(expected);
      expect(JSON.parse(runRow(TEAM, P, 'target')!.summary)).toEqual(expected);
      expect((await readRun(`${TEAM}/${P}/target`)).summary).toEqual(expected);
      // The config set before is untouched by a summary-only update.
      expect(run.config.lr).toBe(0.01);
      expect(JSON.parse(runRow(TEAM, P, 'target')!.config)._wandb).toEqual(WANDB_KEY);
    });

    it('replaces the config of a seeded run, keeping its _wandb key', async () => {
      const name = db()
        .prepare(`SELECT r.name FROM runs r JOIN projects p ON p.id = r.project_id WHERE p.name = 'llm-finetune' ORDER BY r.id LIMIT 1`)
        .pluck()
        .get() as string;
      const before = JSON.parse(runRow(TEAM, 'llm-finetune', name)!.config);
      expect(before._wandb).toBeDefined();
      const run = ok(await query(UPDATE_RUN, { input: { path: `${TEAM}/llm-finetune/${name}`, config: { only: 1 } } })).updateRun.run;
      expect(run.config).toEqual({ only: 1 });
      expect(JSON.parse(runRow(TEAM, 'llm-finetune', name)!.config)).toEqual({ _wandb: before._wandb, only: { value: 1, desc: null } });
    });

    const id = storageId(TEAM, P, 'target');
    const path = `${TEAM}/${P}/target`;
    it.each([
      ['both id and path', { id, path, notes: 'x' }],
      ['neither id nor path', { notes: 'x' }],
      ['a malformed id', { id: 'not a run id', notes: 'x' }],
      ['an id of another type', { id: Buffer.from('Artifact:1').toString('base64'), notes: 'x' }],
      ['a malformed path', { path: `${TEAM}/${P}`, notes: 'x' }],
      ['a config that is an array', { path, config: [1, 2] }],
      ['a config that is a string', { path, config: 'lr=0.1' }],
      ['a config that is a number', { path, config: 5 }],
      ['a summary that is an array', { path, summary: [1] }],
      ['an empty tag', { path, tags: ['ok', ''] }],
      ['a tag of 257 characters', { path, tags: ['t'.repeat(257)] }],
    ])('is BAD_USER_INPUT for %s, and changes nothing', async (_, input) => {
      const before = runRow(TEAM, P, 'target');
      await rejects(UPDATE_RUN, input, 'BAD_USER_INPUT');
      expect(runRow(TEAM, P, 'target')).toEqual(before);
    });

    it.each([
      ['by path', { path: `${TEAM}/${P}/missing`, displayName: 'x' }],
      ['by id', { id: storageId(TEAM, P, 'missing'), displayName: 'x' }],
      ['in a missing project', { path: `${TEAM}/no-such-project/missing`, displayName: 'x' }],
    ])('is NOT_FOUND for a missing run %s, and changes nothing', async (_, input) => {
      await rejects(UPDATE_RUN, input, 'NOT_FOUND');
      expect(runRow(TEAM, P, 'missing')).toBeUndefined();
    });

    it("is NOT_FOUND for another user's run, and changes nothing", async () => {
      const theirs = db()
        .prepare(`SELECT r.name FROM runs r JOIN projects p ON p.id = r.project_id WHERE p.name = 'private-experiments' ORDER BY r.id LIMIT 1`)
        .pluck()
        .get() as string;
      const before = runRow('other', 'private-experiments', theirs);
      await rejects(UPDATE_RUN, { path: `other/private-experiments/${theirs}`, displayName: 'hijacked', summary: { x: 1 } }, 'NOT_FOUND');
      expect(runRow('other', 'private-experiments', theirs)).toEqual(before);
    });
  });

  // deleteRun:

  describe('deleteRun', () => {
    const P = 'mut-delete';

    it('deletes a run by id and returns its id', async () => {
      const run = await createRun({ entity: TEAM, project: P, runId: 'doomed' });
      const res = ok(await query(DELETE_RUN, { input: { id: run.id } })).deleteRun;
      expect(res).toEqual({ id: storageId(TEAM, P, 'doomed'), deletedArtifacts: false });
      expect(runRow(TEAM, P, 'doomed')).toBeUndefined();
      expect(await readRun(`${TEAM}/${P}/doomed`)).toBeNull();
    });

    it('deletes a run by path and keeps the artifacts it logged by default', async () => {
      await createRun({ entity: TEAM, project: P, runId: 'keeper' });
      const art = await makeArtifact(P, 'keeper', 'kept-data', 'kept-digest-0', ['golden']);
      expect(artifactRow(art)!.created_by_run_id).toBe(runRow(TEAM, P, 'keeper')!.id);

      const res = ok(await query(DELETE_RUN, { input: { path: `${TEAM}/${P}/keeper` } })).deleteRun;
      expect(res).toEqual({ id: storageId(TEAM, P, 'keeper'), deletedArtifacts: false });
      expect(runRow(TEAM, P, 'keeper')).toBeUndefined();
      expect(await readRun(`${TEAM}/${P}/keeper`)).toBeNull();

      expect(artifactRow(art)).toBeDefined();
      const entities = ok(await query(ARTIFACT_ENTITY, { reps: [{ __typename: 'Artifact', id: art }] }))._entities;
      expect(entities).toEqual([{ id: art, name: 'kept-data:v0' }]);
    });

    it('deletes the artifacts the run logged with deleteArtifacts: true, and no others', async () => {
      await createRun({ entity: TEAM, project: P, runId: 'purged' });
      await createRun({ entity: TEAM, project: P, runId: 'bystander' });
      const mine = [await makeArtifact(P, 'purged', 'purged-data', 'purged-0'), await makeArtifact(P, 'purged', 'purged-data', 'purged-1'), await makeArtifact(P, 'purged', 'purged-model', 'purged-m')];
      const theirs = await makeArtifact(P, 'bystander', 'bystander-data', 'bystander-0');
      for (const a of mine) expect(artifactRow(a)).toBeDefined();

      const res = ok(await query(DELETE_RUN, { input: { path: `${TEAM}/${P}/purged`, deleteArtifacts: true } })).deleteRun;
      expect(res).toEqual({ id: storageId(TEAM, P, 'purged'), deletedArtifacts: true });
      expect(runRow(TEAM, P, 'purged')).toBeUndefined();
      for (const a of mine) expect(artifactRow(a)).toBeUndefined();
      expect(artifactRow(theirs)).toBeDefined();

      const entities = ok(await query(ARTIFACT_ENTITY, { reps: [...mine, theirs].map((id) => ({ __typename: 'Artifact', id })) }))._entities;
      expect(entities).toEqual([null, null, null, { id: theirs, name: 'bystander-data:v0' }]);
      expect((await readRun(`${TEAM}/${P}/bystander`)).runId).toBe('bystander');
    });

    it('is NOT_FOUND the second time', async () => {
      await createRun({ entity: TEAM, project: P, runId: 'twice' });
      ok(await query(DELETE_RUN, { input: { path: `${TEAM}/${P}/twice` } }));
      await rejects(DELETE_RUN, { path: `${TEAM}/${P}/twice` }, 'NOT_FOUND');
    });

    it.each([
      ['by path', { path: `${TEAM}/${P}/never-was` }],
      ['by id', { id: storageId(TEAM, P, 'never-was'), deleteArtifacts: true }],
    ])('is NOT_FOUND for a missing run %s, and deletes nothing', async (_, input) => {
      await rejects(DELETE_RUN, input, 'NOT_FOUND');
    });

    it("is NOT_FOUND for another user's run, which stays", async () => {
      const theirs = db()
        .prepare(`SELECT r.name FROM runs r JOIN projects p ON p.id = r.project_id WHERE p.name = 'private-experiments' ORDER BY r.id LIMIT 1`)
        .pluck()
        .get() as string;
      await rejects(DELETE_RUN, { id: storageId('other', 'private-experiments', theirs), deleteArtifacts: true }, 'NOT_FOUND');
      expect(runRow('other', 'private-experiments', theirs)).toBeDefined();
    });

    it.each([
      ['both id and path', { id: storageId(TEAM, P, 'x'), path: `${TEAM}/${P}/x` }],
      ['neither id nor path', { deleteArtifacts: true }],
      ['a malformed id', { id: '%%%' }],
      ['a malformed path', { path: 'just-a-name' }],
    ])('is BAD_USER_INPUT for %s, and deletes nothing', async (_, input) => {
      await rejects(DELETE_RUN, input, 'BAD_USER_INPUT');
    });
  });

  // logArtifact and useArtifact:

  describe('artifacts', () => {
    const P = 'mut-artifacts';
    const OTHER_P = 'mut-artifacts-elsewhere';
    let v0: string;
    let v1: string;
    let elsewhere: string;

    beforeAll(async () => {
      for (const runId of ['producer', 'logger-1', 'logger-2', 'user-1', 'user-2', 'user-3']) await createRun({ entity: TEAM, project: P, runId });
      await createRun({ entity: TEAM, project: OTHER_P, runId: 'producer' });
      v0 = await makeArtifact(P, 'producer', 'mut-data', 'mut-digest-0');
      v1 = await makeArtifact(P, 'producer', 'mut-data', 'mut-digest-1');
      elsewhere = await makeArtifact(OTHER_P, 'producer', 'far-data', 'far-digest-0');
    });

    const loggedIds = (run: any) => run.loggedArtifacts.edges.map((e: any) => e.node.id);
    const usedIds = (run: any) => run.usedArtifacts.edges.map((e: any) => e.node.id);
    const outputsOf = (entity: string, project: string, runId: string) =>
      db().prepare('SELECT artifact_id FROM artifact_outputs WHERE run_id = ? ORDER BY seq').pluck().all(runRow(entity, project, runId)!.id) as number[];
    const usagesOf = (runId: string) =>
      db().prepare('SELECT artifact_id, used_as FROM artifact_usages WHERE run_id = ? ORDER BY seq').all(runRow(TEAM, P, runId)!.id) as { artifact_id: number; used_as: string | null }[];
    const aliasTarget = (collection: string, alias: string) =>
      db()
        .prepare(
          `SELECT l.artifact_id FROM artifact_aliases l JOIN artifact_collections c ON c.id = l.collection_id JOIN projects p ON p.id = c.project_id
           WHERE p.name = ? AND c.name = ? AND l.alias = ?`,
        )
        .pluck()
        .get(P, collection, alias) as number | undefined;

    it('sets up two versions with latest on v1', () => {
      expect(artifactRow(v0)!.version_index).toBe(0);
      expect(artifactRow(v1)!.version_index).toBe(1);
      expect(aliasTarget('mut-data', 'latest')).toBe(artifactRowId(v1));
    });

    describe('logArtifact', () => {
      it('logs an artifact by artifactId with aliases, and the run lists it in loggedArtifacts', async () => {
        const before = db().prepare('SELECT count(*) FROM artifacts').pluck().get();
        stack.emulator.resetRequests();
        const res = ok(await query(LOG_ARTIFACT, { input: { runPath: `${TEAM}/${P}/logger-1`, artifactId: v0, aliases: ['candidate', 'reviewed'] } })).logArtifact;
        // On the wire: proper ArtifactAliasInput objects, not the plain strings the Python client sends.
        const sent = stack.emulator.requests.filter((r) => /\bcreateArtifact\s*\(/.test(r.query));
        expect(sent).toHaveLength(1);
        expect((sent[0].variables.input as any).aliases).toEqual([
          { alias: 'candidate', artifactCollectionName: 'mut-data' },
          { alias: 'reviewed', artifactCollectionName: 'mut-data' },
        ]);
        expect(res.artifact).toMatchObject({ id: v0, qualifiedName: `${TEAM}/${P}/mut-data:v0`, name: 'mut-data:v0', type: 'dataset', versionIndex: 0, digest: 'mut-digest-0' });
        expect([...res.artifact.aliases].sort()).toEqual(['candidate', 'reviewed']);
        expect(res.run.path).toBe(`${TEAM}/${P}/logger-1`);
        expect(loggedIds(res.run)).toEqual([v0]);
        expect(res.run.loggedArtifacts.totalCount).toBe(1);

        // Stored: an output of the run, aliases on v0, and no new version.
        expect(outputsOf(TEAM, P, 'logger-1')).toEqual([artifactRowId(v0)]);
        expect(aliasTarget('mut-data', 'candidate')).toBe(artifactRowId(v0));
        expect(aliasTarget('mut-data', 'reviewed')).toBe(artifactRowId(v0));
        expect(aliasTarget('mut-data', 'latest')).toBe(artifactRowId(v1));
        expect(db().prepare('SELECT count(*) FROM artifacts').pluck().get()).toBe(before);

        const read = ok(await query(READ_ARTIFACTS, { path: `${TEAM}/${P}/logger-1` })).run;
        expect(read.loggedArtifacts.totalCount).toBe(1);
        expect(read.loggedArtifacts.edges[0].node.id).toBe(v0);
        expect([...read.loggedArtifacts.edges[0].node.aliases].sort()).toEqual(['candidate', 'reviewed']);
        // W&B's side lists them too, beside the version alias.
        const upstream = await wb.gql(clientOperation('artifact_by_name_v0_24'), { entity: TEAM, project: P, name: 'mut-data:reviewed' });
        expect(upstream.data!.project.artifact.aliases.map((l: any) => l.alias).sort()).toEqual(['candidate', 'reviewed', 'v0']);
      });

      it('logs an artifact by name "entity/project/collection:vN" for a run given by id', async () => {
        const res = ok(await query(LOG_ARTIFACT, { input: { runId: storageId(TEAM, P, 'logger-2'), artifactName: `${TEAM}/${P}/mut-data:v1` } })).logArtifact;
        expect(res.artifact).toMatchObject({ id: v1, name: 'mut-data:v1', versionIndex: 1 });
        expect(res.artifact.aliases).toContain('latest');
        expect(loggedIds(res.run)).toEqual([v1]);
        expect(outputsOf(TEAM, P, 'logger-2')).toEqual([artifactRowId(v1)]);
      });

      it('logs an artifact by name "entity/project/collection:alias"', async () => {
        const res = ok(await query(LOG_ARTIFACT, { input: { runPath: `${TEAM}/${P}/logger-2`, artifactName: `${TEAM}/${P}/mut-data:candidate`, aliases: ['second-look'] } }))
          .logArtifact;
        expect(res.artifact.id).toBe(v0);
        expect(res.artifact.aliases).toEqual(expect.arrayContaining(['candidate', 'second-look']));
        expect(loggedIds(res.run)).toEqual([v1, v0]);
        expect(outputsOf(TEAM, P, 'logger-2')).toEqual([artifactRowId(v1), artifactRowId(v0)]);
        expect(aliasTarget('mut-data', 'second-look')).toBe(artifactRowId(v0));
        const read = ok(await query(READ_ARTIFACTS, { path: `${TEAM}/${P}/logger-2` })).run;
        expect(read.loggedArtifacts.edges.map((e: any) => e.node.id)).toEqual([v1, v0]);
      });

      it('is BAD_USER_INPUT for an artifact of another project, and changes nothing', async () => {
        const res = await rejects(LOG_ARTIFACT, { runPath: `${TEAM}/${P}/logger-1`, artifactId: elsewhere, aliases: ['stolen'] }, 'BAD_USER_INPUT');
        expect(res.errors![0].message).toContain(OTHER_P);
        await rejects(LOG_ARTIFACT, { runPath: `${TEAM}/${P}/logger-1`, artifactName: `${TEAM}/${OTHER_P}/far-data:v0` }, 'BAD_USER_INPUT');
        expect(outputsOf(TEAM, P, 'logger-1')).toEqual([artifactRowId(v0)]);
      });

      it.each([
        ['by name with a missing version', { artifactName: `${TEAM}/${P}/mut-data:v9` }],
        ['by name with a missing alias', { artifactName: `${TEAM}/${P}/mut-data:nope` }],
        ['by name with a missing collection', { artifactName: `${TEAM}/${P}/no-such-data:v0` }],
        ['by name in a missing project', { artifactName: `${TEAM}/no-such-project/mut-data:v0` }],
        ['by id', { artifactId: artifactId(987654) }],
      ])('is NOT_FOUND for a missing artifact %s, and changes nothing', async (_, patch) => {
        await rejects(LOG_ARTIFACT, { runPath: `${TEAM}/${P}/logger-1`, ...patch }, 'NOT_FOUND');
      });

      it('is NOT_FOUND for a missing run, and changes nothing', async () => {
        await rejects(LOG_ARTIFACT, { runPath: `${TEAM}/${P}/ghost`, artifactId: v0, aliases: ['ghostly'] }, 'NOT_FOUND');
        await rejects(LOG_ARTIFACT, { runId: storageId(TEAM, P, 'ghost'), artifactId: v0 }, 'NOT_FOUND');
      });

      it.each([
        // Thunks: the artifact ids exist only once beforeAll has run.
        ['both artifactId and artifactName', () => ({ runPath: `${TEAM}/${P}/logger-1`, artifactId: v0, artifactName: `${TEAM}/${P}/mut-data:v0` })],
        ['neither artifactId nor artifactName', () => ({ runPath: `${TEAM}/${P}/logger-1`, aliases: ['x'] })],
        ['both runId and runPath', () => ({ runId: storageId(TEAM, P, 'logger-1'), runPath: `${TEAM}/${P}/logger-1`, artifactId: v0 })],
        ['neither runId nor runPath', () => ({ artifactId: v0 })],
        ['a malformed runId', () => ({ runId: 'garbage!', artifactId: v0 })],
        ['a malformed artifactName', () => ({ runPath: `${TEAM}/${P}/logger-1`, artifactName: 'mut-data:v0' })],
        ['a malformed alias', () => ({ runPath: `${TEAM}/${P}/logger-1`, artifactId: v0, aliases: ['has space'] })],
      ])('is BAD_USER_INPUT for %s, and changes nothing', async (_, input) => {
        expect(v0).toBeTruthy();
        await rejects(LOG_ARTIFACT, input(), 'BAD_USER_INPUT');
      });
    });

    describe('useArtifact', () => {
      it('uses an artifact by artifactId; useAs defaults to the artifact name', async () => {
        const res = ok(await query(USE_ARTIFACT, { input: { runPath: `${TEAM}/${P}/user-1`, artifactId: v0 } })).useArtifact;
        expect(res.artifact).toMatchObject({ id: v0, name: 'mut-data:v0', versionIndex: 0 });
        expect(res.run.path).toBe(`${TEAM}/${P}/user-1`);
        expect(usedIds(res.run)).toEqual([v0]);
        expect(usagesOf('user-1')).toEqual([{ artifact_id: artifactRowId(v0), used_as: 'mut-data:v0' }]);
        const read = ok(await query(READ_ARTIFACTS, { path: `${TEAM}/${P}/user-1` })).run;
        expect(read.usedArtifacts.totalCount).toBe(1);
        expect(read.usedArtifacts.edges[0].node.id).toBe(v0);
        expect(read.loggedArtifacts.totalCount).toBe(0);
      });

      it('uses an artifact by name with useAs, for a run given by id', async () => {
        const res = ok(await query(USE_ARTIFACT, { input: { runId: storageId(TEAM, P, 'user-2'), artifactName: `${TEAM}/${P}/mut-data:latest`, useAs: 'train-data' } }))
          .useArtifact;
        expect(res.artifact.id).toBe(v1);
        expect(usedIds(res.run)).toEqual([v1]);
        expect(usagesOf('user-2')).toEqual([{ artifact_id: artifactRowId(v1), used_as: 'train-data' }]);
      });

      it('uses an artifact by name "…:vN" and lists the run\'s inputs in order', async () => {
        ok(await query(USE_ARTIFACT, { input: { runPath: `${TEAM}/${P}/user-2`, artifactName: `${TEAM}/${P}/mut-data:v0` } }));
        const read = ok(await query(READ_ARTIFACTS, { path: `${TEAM}/${P}/user-2` })).run;
        expect(read.usedArtifacts.edges.map((e: any) => e.node.id)).toEqual([v1, v0]);
        expect(usagesOf('user-2')).toEqual([
          { artifact_id: artifactRowId(v1), used_as: 'train-data' },
          { artifact_id: artifactRowId(v0), used_as: 'mut-data:v0' },
        ]);
      });

      it('uses an artifact of another project of the same entity (W&B allows cross-project inputs)', async () => {
        const res = ok(await query(USE_ARTIFACT, { input: { runPath: `${TEAM}/${P}/user-3`, artifactId: elsewhere } })).useArtifact;
        expect(res.artifact).toMatchObject({ id: elsewhere, qualifiedName: `${TEAM}/${OTHER_P}/far-data:v0` });
        expect(usedIds(res.run)).toEqual([elsewhere]);
        expect(usagesOf('user-3')).toEqual([{ artifact_id: artifactRowId(elsewhere), used_as: 'far-data:v0' }]);
      });

      it.each([
        ['by name', { artifactName: `${TEAM}/${P}/mut-data:v42` }],
        ['by alias', { artifactName: `${TEAM}/${P}/mut-data:nope` }],
        ['by id', { artifactId: artifactId(987654) }],
      ])('is NOT_FOUND for a missing artifact %s, and changes nothing', async (_, patch) => {
        await rejects(USE_ARTIFACT, { runPath: `${TEAM}/${P}/user-1`, useAs: 'x', ...patch }, 'NOT_FOUND');
      });

      it('is NOT_FOUND for a missing run, and changes nothing', async () => {
        await rejects(USE_ARTIFACT, { runPath: `${TEAM}/${P}/ghost`, artifactId: v0 }, 'NOT_FOUND');
        await rejects(USE_ARTIFACT, { runId: storageId(TEAM, P, 'ghost'), artifactName: `${TEAM}/${P}/mut-data:v0` }, 'NOT_FOUND');
      });

      it.each([
        ['both artifactId and artifactName', () => ({ runPath: `${TEAM}/${P}/user-1`, artifactId: v1, artifactName: `${TEAM}/${P}/mut-data:v1` })],
        ['neither artifactId nor artifactName', () => ({ runPath: `${TEAM}/${P}/user-1`, useAs: 'x' })],
        ['both runId and runPath', () => ({ runId: storageId(TEAM, P, 'user-1'), runPath: `${TEAM}/${P}/user-1`, artifactId: v1 })],
        ['neither runId nor runPath', () => ({ artifactId: v1 })],
        ['a malformed runPath', () => ({ runPath: 'a/b/c/d', artifactId: v1 })],
        ['a malformed artifactName', () => ({ runPath: `${TEAM}/${P}/user-1`, artifactName: 'a/b' })],
      ])('is BAD_USER_INPUT for %s, and changes nothing', async (_, input) => {
        expect(v1).toBeTruthy();
        await rejects(USE_ARTIFACT, input(), 'BAD_USER_INPUT');
      });
    });
  });

  // Mutations run one after another in one operation; each must see what the previous ones did.

  describe('several mutations in one operation', () => {
    const P = 'mut-combined';

    it('two summary merges in one operation both apply', async () => {
      await wandbUpsert(P, 'merged-twice', {}, { base: 0 });
      const path = `${TEAM}/${P}/merged-twice`;
      const data = ok(
        await query(
          `mutation($path: String!) {
            a: updateRun(input: { path: $path, summary: { x: 1 } }) { run { summary } }
            b: updateRun(input: { path: $path, summary: { y: 2 } }) { run { summary } } }`,
          { path },
        ),
      );
      expect(data.a.run.summary).toEqual({ base: 0, x: 1 });
      expect(data.b.run.summary).toEqual({ base: 0, x: 1, y: 2 });
      expect(JSON.parse(runRow(TEAM, P, 'merged-twice')!.summary)).toEqual({ base: 0, x: 1, y: 2 });
    });

    it('a run created earlier in the operation can be updated', async () => {
      const path = `${TEAM}/${P}/born-and-named`;
      const data = ok(
        await query(
          `mutation($path: String!) {
            a: createRun(input: { entity: "${TEAM}", project: "${P}", runId: "born-and-named" }) { run { id } }
            b: updateRun(input: { path: $path, displayName: "named" }) { run { id displayName } } }`,
          { path },
        ),
      );
      expect(data.b.run).toEqual({ id: storageId(TEAM, P, 'born-and-named'), displayName: 'named' });
      expect(runRow(TEAM, P, 'born-and-named')!.display_name).toBe('named');
    });

    it('a run deleted earlier in the operation can be created again', async () => {
      await createRun({ entity: TEAM, project: P, runId: 'phoenix', displayName: 'old' });
      const data = ok(
        await query(
          `mutation {
            a: deleteRun(input: { path: "${TEAM}/${P}/phoenix" }) { id }
            b: createRun(input: { entity: "${TEAM}", project: "${P}", runId: "phoenix", displayName: "new" }) { run { displayName } } }`,
        ),
      );
      expect(data.b.run.displayName).toBe('new');
      expect(runRow(TEAM, P, 'phoenix')!.display_name).toBe('new');
    });

    it('the second of two logArtifacts lists both artifacts', async () => {
      await createRun({ entity: TEAM, project: P, runId: 'double-logger' });
      await createRun({ entity: TEAM, project: P, runId: 'maker' });
      const first = await makeArtifact(P, 'maker', 'combo-a', 'combo-a-0');
      const second = await makeArtifact(P, 'maker', 'combo-b', 'combo-b-0');
      const data = ok(
        await query(
          `mutation($first: ID!, $second: ID!) {
            a: logArtifact(input: { runPath: "${TEAM}/${P}/double-logger", artifactId: $first }) { run { loggedArtifacts { totalCount } } }
            b: logArtifact(input: { runPath: "${TEAM}/${P}/double-logger", artifactId: $second }) { run { loggedArtifacts { totalCount edges { node { id } } } } } }`,
          { first, second },
        ),
      );
      expect(data.a.run.loggedArtifacts.totalCount).toBe(1);
      expect(data.b.run.loggedArtifacts.totalCount).toBe(2);
      expect(data.b.run.loggedArtifacts.edges.map((e: any) => e.node.id)).toEqual([first, second]);
    });
  });

  // createRunFileUpload:

  describe('createRunFileUpload', () => {
    const P = 'mut-files';

    beforeAll(async () => {
      await createRun({ entity: TEAM, project: P, runId: 'uploader' });
    });

    const headersOf = (list: string[]) =>
      Object.fromEntries(
        list.map((h) => {
          const i = h.indexOf(':');
          return [h.slice(0, i).trim(), h.slice(i + 1).trim()];
        }),
      );

    async function uploadAndReadBack(input: Record<string, unknown>, name: string, bytes: Buffer): Promise<void> {
      const res = ok(await query(FILE_UPLOAD, { input: { ...input, name } })).createRunFileUpload;
      expect(res.file.name).toBe(name);
      expect(res.file.id).toBeTruthy();
      expect(Array.isArray(res.uploadHeaders)).toBe(true);
      const url = new URL(res.uploadUrl);
      expect(['http:', 'https:']).toContain(url.protocol);
      expect(url.host).toBeTruthy();

      const put = await fetch(res.uploadUrl, { method: 'PUT', headers: headersOf(res.uploadHeaders), body: new Uint8Array(bytes) });
      expect(put.status).toBeGreaterThanOrEqual(200);
      expect(put.status).toBeLessThan(300);

      const file = ok(await query(READ_FILE, { path: `${TEAM}/${P}/uploader`, name })).run.file;
      expect(file).toMatchObject({ id: res.file.id, name, sizeBytes: bytes.length, md5: createHash('md5').update(bytes).digest('base64') });
      const download = await fetch(file.url);
      expect(download.status).toBe(200);
      expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);

      const row = db()
        .prepare('SELECT size_bytes, content, uploaded FROM files WHERE run_id = ? AND name = ?')
        .get(runRow(TEAM, P, 'uploader')!.id, name) as { size_bytes: number; content: Buffer; uploaded: number };
      expect(row.size_bytes).toBe(bytes.length);
      expect(row.uploaded).toBe(1);
      expect(Buffer.from(row.content).equals(bytes)).toBe(true);
    }

    it('returns an absolute upload URL for a run by path; the PUT bytes are served back by Run.file', async () => {
      await uploadAndReadBack({ runPath: `${TEAM}/${P}/uploader` }, 'outputs/report.txt', Buffer.from('hello from the subgraph\n'));
    });

    it('works for a run by id, with binary bytes', async () => {
      await uploadAndReadBack({ runId: storageId(TEAM, P, 'uploader') }, 'weights.bin', Buffer.concat([Buffer.from([0, 255, 0, 10, 13]), randomBytes(4096)]));
    });

    it('handles names with spaces and non-ASCII characters', async () => {
      await uploadAndReadBack({ runPath: `${TEAM}/${P}/uploader` }, 'media/my plot ü #1.txt', Buffer.from('ünïcödé bytes'));
    });

    it('replaces the bytes when the same name is uploaded again', async () => {
      await uploadAndReadBack({ runPath: `${TEAM}/${P}/uploader` }, 'again.txt', Buffer.from('first version, rather long'));
      await uploadAndReadBack({ runPath: `${TEAM}/${P}/uploader` }, 'again.txt', Buffer.from('second'));
      expect(db().prepare('SELECT count(*) FROM files WHERE run_id = ? AND name = ?').pluck().get(runRow(TEAM, P, 'uploader')!.id, 'again.txt')).toBe(1);
    });

    it('declares the file before the upload, empty', async () => {
      const res = ok(await query(FILE_UPLOAD, { input: { runPath: `${TEAM}/${P}/uploader`, name: 'later/empty.json' } })).createRunFileUpload;
      expect(res.file.name).toBe('later/empty.json');
      expect(res.file.sizeBytes).toBe(0);
      const file = ok(await query(READ_FILE, { path: `${TEAM}/${P}/uploader`, name: 'later/empty.json' })).run.file;
      expect(file).toMatchObject({ id: res.file.id, name: 'later/empty.json', sizeBytes: 0 });
    });

    const badNames = ['/abs', 'a/../b', '', 'a//b', '..', './a', 'a/', 'a\\b', '.', 'a\nb'].map((n) => [JSON.stringify(n), n]);
    it.each([...badNames, ['of 513 characters', 'n'.repeat(513)]])('is BAD_USER_INPUT for the name %s, and creates nothing', async (_, name) => {
      await rejects(FILE_UPLOAD, { runPath: `${TEAM}/${P}/uploader`, name }, 'BAD_USER_INPUT');
    });

    it('is NOT_FOUND for a missing run, and creates nothing', async () => {
      await rejects(FILE_UPLOAD, { runPath: `${TEAM}/${P}/ghost`, name: 'a.txt' }, 'NOT_FOUND');
      await rejects(FILE_UPLOAD, { runId: storageId(TEAM, P, 'ghost'), name: 'a.txt' }, 'NOT_FOUND');
    });

    it.each([
      ['both runId and runPath', { runId: storageId(TEAM, P, 'uploader'), runPath: `${TEAM}/${P}/uploader`, name: 'a.txt' }],
      ['neither runId nor runPath', { name: 'a.txt' }],
      ['a malformed runId', { runId: '!!', name: 'a.txt' }],
    ])('is BAD_USER_INPUT for %s, and creates nothing', async (_, input) => {
      await rejects(FILE_UPLOAD, input, 'BAD_USER_INPUT');
    });
  });
});
