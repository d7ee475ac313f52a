/**
 * The deterministic demo dataset: users, a team, projects, ~150 runs with
 * config, summary, history, system metrics, files, a sweep and artifacts
 * with lineage. Everything comes from fixed seeds and fixed dates, so the
 * same call gives byte-identical rows (but for the signing secret).
 *
 * Run metadata (ids, names, configs, states, dates, artifacts) comes from one
 * stream and each run's noise from its own streams, so only the history rows
 * (and the summary values read from them) depend on `historyScale`.
 */
import type { Db } from './store/db.js';
import { addApiKey, addMember, createEntity, createUser, ensureProject } from './store/accounts.js';
import { createRun, updateRun } from './store/runs.js';
import { appendEvents, appendHistory } from './store/history.js';
import { declareFile, writeFileContent } from './store/files.js';
import { createArtifact, useArtifact } from './store/artifacts.js';
import { b64md5, type ManifestEntry } from './store/manifests.js';
import { createSweep } from './store/sweeps.js';

/** The demo user's API key (W&B keys are 40 characters). */
export const DEMO_API_KEY = 'demo5eed5eed5eed5eed5eed5eed5eed5eed5eed';
/** A second user's API key, for isolation tests. */
export const OTHER_API_KEY = 'other5eed5eed5eed5eed5eed5eed5eed5eed000';

export interface SeedOptions {
  /** Multiplies history lengths (default 1); every run keeps at least one row. */
  historyScale?: number;
}

export interface SeedResult {
  demoKey: string;
  otherKey: string;
  /** The team entity holding the main projects. */
  entity: string;
  /** The team entity's projects. */
  projects: string[];
  /** Runs created, in every entity. */
  runs: number;
  /** History rows stored, in every run. */
  historyRows: number;
}

/** Loads the deterministic demo dataset into an empty database (throws if users exist). */
export function seedDemo(db: Db, options: SeedOptions = {}): SeedResult {
  const scale = options.historyScale ?? 1;
  if (!Number.isFinite(scale) || scale <= 0) throw new RangeError(`historyScale must be a positive number, got ${scale}`);
  if (!isEmpty(db)) throw new Error('seedDemo needs an empty database, but it already has users');
  return db.transaction(() => new Seeder(db, scale).seed())();
}

/** True when the database has no users yet (first start). */
export function isEmpty(db: Db): boolean {
  return (db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n === 0;
}

// Private:

const BASE_MS = Date.UTC(2026, 9, 1); // 2026-10-01T00:00:00Z
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CLI_VERSION = '0.28.3';
const PYTHON_VERSION = '3.11.9';
const HISTORY_CHUNK = 5000;
const VAL_EVERY = 50;
const EVENT_EVERY_SECONDS = 30;
const MAX_EVENTS = 200;
const TEAM = 'acme-ml';

type Kind = 'image' | 'llm';

interface ProjectCtx {
  id: number;
  entity: string;
  name: string;
  repo: string;
  userId: number;
  username: string;
  email: string;
  hosts: readonly string[];
  commits: string[];
  seq: number;
}

interface Plan {
  project: ProjectCtx;
  kind: Kind;
  name: string;
  displayName: string;
  createdMs: number;
  state: string;
  jobType: 'train' | 'eval';
  group: string | null;
  tags: string[];
  notes: string | null;
  host: string;
  commit: string;
  sweepName: string | null;
  /** Raw config values (wrapped the W&B way when stored). */
  config: Record<string, unknown>;
  /** Steps the run would log when finished, at scale 1. */
  fullSteps: number;
  /** The part of fullSteps it did log (1 when finished). */
  fraction: number;
  /** Seconds before the first step. */
  startup: number;
  /** Total runtime in seconds (3 decimals). */
  runtime: number;
  /** Final validation accuracy when trained to the end. */
  accFinal: number;
  tokensPerSec: number;
  /** Artifacts used, by id, with the names the log mentions. */
  inputs: { id: number; name: string }[];
  logsModel: boolean;
}

interface Outcome {
  rowId: number;
  endMs: number;
  lastStep: number;
  valLoss: number;
  valAcc: number;
  bestValAcc: number;
}

interface ModelRef {
  id: number;
  name: string;
  model: string;
  acc: number;
  endMs: number;
  config: Record<string, unknown>;
}

class Seeder {
  private readonly rng = new Rng(0x5eed2026);
  private readonly runIds = new Set<string>();
  private runs = 0;
  private historyRows = 0;

  constructor(
    private readonly db: Db,
    private readonly scale: number,
  ) {}

  seed(): SeedResult {
    const db = this.db;
    const demo = createUser(db, { username: 'demo', name: 'Demo User', email: 'demo@example.com' });
    addApiKey(db, demo.id, DEMO_API_KEY, { name: 'demo-key', description: 'Demo key (published in the README)' });
    const teamId = createEntity(db, TEAM, true);
    addMember(db, demo.id, teamId);
    const other = createUser(db, { username: 'other', name: 'Other User', email: 'other@example.com' });
    addApiKey(db, other.id, OTHER_API_KEY, { name: 'other-key', description: 'Second demo user' });

    const created = iso(BASE_MS);
    const project = (entityId: number, entity: string, name: string, repo: string, user: typeof demo, hosts: readonly string[]): ProjectCtx => ({
      id: ensureProject(db, entityId, name, created).id,
      entity,
      name,
      repo,
      userId: user.id,
      username: user.username,
      email: user.email ?? '',
      hosts,
      commits: Array.from({ length: 8 }, () => this.rng.hex(40)),
      seq: 0,
    });
    const gpuNodes = ['gpu-node-01', 'gpu-node-02', 'gpu-node-03', 'gpu-node-04', 'gpu-node-05', 'gpu-node-06'];
    const image = project(teamId, TEAM, 'image-classification', 'vision', demo, gpuNodes);
    const llm = project(teamId, TEAM, 'llm-finetune', 'llm-tuning', demo, ['dgx-a100-01', 'dgx-a100-02', 'dgx-h100-01']);
    const scratch = project(demo.default_entity_id as number, 'demo', 'scratch', 'scratch', demo, ['demo-laptop']);
    const priv = project(other.default_entity_id as number, 'other', 'private-experiments', 'experiments', other, ['other-ws']);

    this.seedImage(image);
    this.seedLlm(llm);
    this.seedSmall(scratch, ['finished', 'crashed'], ['debug']);
    this.seedSmall(priv, ['finished', 'finished', 'failed'], ['baseline']);

    return {
      demoKey: DEMO_API_KEY,
      otherKey: OTHER_API_KEY,
      entity: TEAM,
      projects: [image.name, llm.name],
      runs: this.runs,
      historyRows: this.historyRows,
    };
  }

  // Projects:

  private seedImage(p: ProjectCtx): void {
    const r = this.rng;
    const n = 103;
    const times = sortedTimes(r, n, BASE_MS + 6 * HOUR, BASE_MS + 30 * DAY - 4 * HOUR);
    const datasetRuns = [0, 6];
    const longRun = 10;
    const midRuns = new Map([
      [25, 20_000],
      [70, 21_500],
    ]);
    const sweepFirst = 40;
    const sweepLast = 59;
    const preempted = 33;
    const sweepName = r.chars(8, BASE36);
    const datasets: { id: number; name: string }[] = [];
    const models: ModelRef[] = [];
    const sweepOutcomes: Outcome[] = [];

    for (let i = 0; i < n; i++) {
      const createdMs = times[i];
      const inSweep = i >= sweepFirst && i <= sweepLast;
      const special = datasetRuns.includes(i) || i === longRun || midRuns.has(i);
      const available = models.filter((m) => m.endMs <= createdMs);
      const isEval = !special && !inSweep && available.length > 0 && r.chance(0.14);
      let state: string;
      if (i >= n - 3) state = 'running';
      else if (i === preempted) state = 'preempted';
      else if (special) state = 'finished';
      else if (isEval) state = r.chance(0.9) ? 'finished' : 'crashed';
      else state = randomState(r);

      const plan = this.basePlan(p, 'image', createdMs, state);
      if (isEval) {
        const model = r.pick(available.slice(-6));
        const dataset = datasets[datasets.length - 1];
        plan.jobType = 'eval';
        plan.group = 'eval';
        plan.config = {
          model: model.model,
          checkpoint: `${model.name}:v0`,
          dataset: 'imagenet-subset',
          split: 'val',
          batch_size: 256,
          image_size: 224,
          tta: r.chance(0.3),
        };
        plan.fullSteps = r.int(200, 600);
        plan.accFinal = clamp(model.acc + r.float(-0.006, 0.006), 0.05, 0.97);
        plan.inputs = [model, dataset];
        plan.tags = r.sample(['prod-candidate', 'baseline', 'tta', 'regression-check'], r.int(0, 1));
      } else {
        const config = inSweep ? sweepConfig(r) : imageConfig(r);
        if (i === longRun) Object.assign(config, { model: 'resnet50', optimizer: 'sgd', lr: 0.1, momentum: 0.9, dropout: 0.2, epochs: 90 });
        plan.config = config;
        plan.group = inSweep ? null : groupFor(String(config.model), r);
        plan.sweepName = inSweep ? sweepName : null;
        plan.tags = inSweep ? ['sweep'] : r.sample(TAGS, r.int(0, 2));
        plan.fullSteps = i === longRun ? 200_000 : (midRuns.get(i) ?? r.int(200, 3000));
        plan.accFinal = imageAccuracy(config, plan.fullSteps, r);
        if (i === longRun) plan.tags = ['prod-candidate', 'long-run'];
        if (datasetRuns.includes(i)) plan.tags = ['baseline', 'data-prep'];
        if (datasets.length > 0) plan.inputs = [datasets[datasets.length - 1]];
        plan.logsModel = state === 'finished' && (i === longRun || midRuns.has(i) || (plan.accFinal > 0.6 && r.chance(0.35)));
      }
      this.timing(plan, r);
      const outcome = this.writeRun(plan);

      if (datasetRuns.includes(i)) {
        const version = datasets.length;
        const art = createArtifact(this.db, {
          projectId: p.id,
          typeName: 'dataset',
          collectionName: 'imagenet-subset',
          manifest: seedManifest(r.hex(32), 13_421_772_800 - version * 148_204_544, [['train.tar', 0.96], ['val.tar', 0.04]]),
          description: version === 0 ? 'ImageNet subset: 100 classes, 128k train / 5k val images' : 'Relabelled val split, deduplicated train images',
          metadata: JSON.stringify({ num_classes: 100, train_images: 128_000 - version * 1_412, val_images: 5_000, image_size: 224, source: 'imagenet-1k' }),
          aliases: version === 1 ? ['stable'] : [],
          runId: outcome.rowId,
          now: iso(createdMs + 120_000),
        });
        datasets.push({ id: art.id, name: `imagenet-subset:v${version}` });
      }
      if (plan.logsModel) {
        const collection = `${String(plan.config.model)}-${plan.name}`;
        const art = createArtifact(this.db, {
          projectId: p.id,
          typeName: 'model',
          collectionName: collection,
          manifest: seedManifest(r.hex(32), MODEL_BYTES[String(plan.config.model)] ?? 100_000_000, [['model.pt', 1]]),
          description: `${String(plan.config.model)} trained by ${plan.displayName}`,
          metadata: JSON.stringify({
            architecture: plan.config.model,
            framework: 'pytorch',
            epochs: plan.config.epochs,
            val_acc: outcome.bestValAcc,
            val_loss: outcome.valLoss,
          }),
          aliases: i === longRun ? ['best'] : [],
          runId: outcome.rowId,
          historyStep: outcome.lastStep,
          now: iso(outcome.endMs),
        });
        models.push({ id: art.id, name: collection, model: String(plan.config.model), acc: plan.accFinal, endMs: outcome.endMs, config: plan.config });
      }
      if (inSweep) sweepOutcomes.push(outcome);
    }

    createSweep(this.db, {
      project_id: p.id,
      name: sweepName,
      display_name: 'resnet50-bayes-lr-dropout',
      method: 'bayes',
      state: 'FINISHED',
      description: 'Bayesian search over learning rate, batch size, dropout and optimizer for resnet50',
      best_loss: Math.min(...sweepOutcomes.map((o) => o.valLoss)),
      config: SWEEP_YAML,
      run_count_expected: sweepLast - sweepFirst + 1,
      created_at: iso(times[sweepFirst] - 15 * 60_000),
    });
  }

  private seedLlm(p: ProjectCtx): void {
    const r = this.rng;
    const n = 47;
    const times = sortedTimes(r, n, BASE_MS + 2 * DAY, BASE_MS + 30 * DAY - 6 * HOUR);
    const datasetRuns = [0, 15];
    const preempted = 20;
    const datasets: { id: number; name: string }[] = [];
    const models: ModelRef[] = [];
    for (let i = 0; i < n; i++) {
      const createdMs = times[i];
      const special = datasetRuns.includes(i);
      const available = models.filter((m) => m.endMs <= createdMs);
      const isEval = !special && available.length > 0 && r.chance(0.15);
      let state: string;
      if (i >= n - 2) state = 'running';
      else if (i === preempted) state = 'preempted';
      else if (special) state = 'finished';
      else if (isEval) state = r.chance(0.9) ? 'finished' : 'failed';
      else state = randomState(r);

      const plan = this.basePlan(p, 'llm', createdMs, state);
      if (isEval) {
        const model = r.pick(available.slice(-5));
        plan.jobType = 'eval';
        plan.group = 'eval';
        plan.config = {
          model: model.model,
          checkpoint: `${model.name}:v0`,
          eval_dataset: 'instruct-mix',
          max_seq_len: model.config.max_seq_len,
          batch_size: 16,
          temperature: 0,
        };
        plan.fullSteps = r.int(200, 500);
        plan.accFinal = clamp(model.acc + r.float(-0.004, 0.004), 0.3, 0.9);
        plan.inputs = [model, datasets[datasets.length - 1]];
        plan.tags = r.sample(['prod-candidate', 'regression-check'], r.int(0, 1));
      } else {
        const config = llmConfig(r);
        plan.config = config;
        plan.group = r.pick(['lora-rank-ablation', 'qlora-4bit', 'full-finetune', null]);
        plan.tags = r.sample(TAGS, r.int(0, 2));
        if (special) plan.tags = ['baseline', 'data-prep'];
        plan.fullSteps = r.int(200, 3000);
        plan.accFinal = llmAccuracy(config, r);
        if (datasets.length > 0) plan.inputs = [datasets[datasets.length - 1]];
        plan.logsModel = state === 'finished' && (special || (plan.accFinal > 0.6 && r.chance(0.4)));
      }
      plan.tokensPerSec = r.float(2200, 4200);
      this.timing(plan, r);
      const outcome = this.writeRun(plan);

      if (special) {
        const version = datasets.length;
        const art = createArtifact(this.db, {
          projectId: p.id,
          typeName: 'dataset',
          collectionName: 'instruct-mix',
          manifest: seedManifest(r.hex(32), 84_213_760 - version * 4_915_200, [['alpaca.jsonl', 0.5], ['dolly.jsonl', 0.3], ['oasst1.jsonl', 0.2]]),
          description: version === 0 ? 'Instruction mix: alpaca, dolly, oasst1' : 'Instruction mix with toxic and duplicate samples filtered out',
          metadata: JSON.stringify({ num_examples: 52_000 - version * 3_187, sources: ['alpaca', 'dolly', 'oasst1'], format: 'jsonl' }),
          aliases: [],
          runId: outcome.rowId,
          now: iso(createdMs + 90_000),
        });
        datasets.push({ id: art.id, name: `instruct-mix:v${version}` });
      }
      if (plan.logsModel) {
        const model = String(plan.config.model);
        const collection = `${model}-${String(plan.config.method)}-${plan.name}`;
        const loraR = Number(plan.config.lora_r);
        const art = createArtifact(this.db, {
          projectId: p.id,
          typeName: 'model',
          collectionName: collection,
          manifest: seedManifest(r.hex(32), plan.config.method === 'full' ? 14_483_464_192 : 1_638_400 * loraR, [
            ['README.md', 0],
            ['adapter_config.json', 0],
            ['adapter_model.safetensors', 1],
          ]),
          description: `${String(plan.config.method)} adapter of ${model}`,
          metadata: JSON.stringify({ base_model: model, method: plan.config.method, lora_r: loraR, val_loss: outcome.valLoss }),
          aliases: [],
          runId: outcome.rowId,
          historyStep: outcome.lastStep,
          now: iso(outcome.endMs),
        });
        models.push({ id: art.id, name: collection, model, acc: plan.accFinal, endMs: outcome.endMs, config: plan.config });
      }
    }
  }

  private seedSmall(p: ProjectCtx, states: readonly string[], tags: string[]): void {
    const r = this.rng;
    const times = sortedTimes(r, states.length, BASE_MS + 3 * DAY, BASE_MS + 28 * DAY);
    states.forEach((state, i) => {
      const plan = this.basePlan(p, 'image', times[i], state);
      const config = imageConfig(r);
      plan.config = config;
      plan.tags = tags;
      plan.fullSteps = r.int(200, 400);
      plan.accFinal = imageAccuracy(config, plan.fullSteps, r);
      this.timing(plan, r);
      this.writeRun(plan);
    });
  }

  /** A plan with the fields every run has; the caller fills in the rest. */
  private basePlan(p: ProjectCtx, kind: Kind, createdMs: number, state: string): Plan {
    const r = this.rng;
    p.seq++;
    return {
      project: p,
      kind,
      name: this.newRunId(),
      displayName: `${r.pick(ADJECTIVES)}-${r.pick(NOUNS)}-${p.seq}`,
      createdMs,
      state,
      jobType: 'train',
      group: null,
      tags: [],
      notes: r.chance(0.25) ? r.pick(NOTES) : null,
      host: r.pick(p.hosts),
      commit: r.pick(p.commits),
      sweepName: null,
      config: {},
      fullSteps: 0,
      fraction: 1,
      startup: 0,
      runtime: 0,
      accFinal: 0,
      tokensPerSec: 0,
      inputs: [],
      logsModel: false,
    };
  }

  /** Sets how much of the run was logged and how long it ran. */
  private timing(plan: Plan, r: Rng): void {
    if (plan.state === 'running') plan.fraction = r.float(0.2, 0.9);
    else if (plan.state !== 'finished') plan.fraction = r.float(0.1, 0.8);
    const secPerStep =
      plan.jobType === 'eval'
        ? r.float(0.15, 0.35)
        : plan.kind === 'llm'
          ? r.float(1.2, 3.5)
          : String(plan.config.model).startsWith('vit')
            ? r.float(0.6, 0.9)
            : r.float(0.3, 0.55);
    plan.startup = r3(r.float(15, 60));
    plan.runtime = r3(plan.startup + Math.max(1, Math.round(plan.fullSteps * plan.fraction)) * secPerStep);
  }

  private newRunId(): string {
    for (;;) {
      const id = this.rng.chars(8, BASE36);
      if (!this.runIds.has(id)) {
        this.runIds.add(id);
        return id;
      }
    }
  }

  // Writing a run:

  private writeRun(plan: Plan): Outcome {
    const db = this.db;
    const p = plan.project;
    const createdAt = iso(plan.createdMs);
    const endMs = plan.createdMs + Math.ceil(plan.runtime) * 1000;
    const wandb = { cli_version: CLI_VERSION, python_version: PYTHON_VERSION, framework: 'torch', start_time: plan.createdMs / 1000 };
    const config: Record<string, { value: unknown; desc: null }> = { _wandb: { value: wandb, desc: null } };
    for (const [k, v] of Object.entries(plan.config)) config[k] = { value: v, desc: null };
    const run = createRun(db, p.id, plan.name, p.userId, createdAt, {
      displayName: plan.displayName,
      tags: plan.tags,
      config: JSON.stringify(config),
      groupName: plan.group,
      jobType: plan.jobType,
      notes: plan.notes,
      commit: plan.commit,
      host: plan.host,
      sweepName: plan.sweepName,
      state: 'running',
    });
    this.runs++;
    for (const input of plan.inputs) useArtifact(db, run.id, input.id, input.name.replace(/:.*$/, ''));

    const h = this.writeHistory(plan, run.id);
    this.writeEvents(plan, run.id);
    this.writeFiles(plan, run.id, config, endMs);

    const summary: Record<string, unknown> = { ...h.last, best_val_acc: h.bestValAcc, _wandb: { runtime: Math.ceil(plan.runtime) } };
    updateRun(db, run.id, { state: plan.state, heartbeatAt: iso(endMs), summary: JSON.stringify(summary) }, iso(endMs));
    return { rowId: run.id, endMs, lastStep: h.lastStep, valLoss: h.valLoss, valAcc: h.valAcc, bestValAcc: h.bestValAcc };
  }

  private writeHistory(plan: Plan, runId: number) {
    const r = new Rng(hash(`${plan.name}:history`));
    const fullRows = Math.max(1, Math.round(plan.fullSteps * this.scale));
    const rows = Math.max(1, Math.round(plan.fullSteps * plan.fraction * this.scale));
    const curve = new Curve(plan);
    const span = (plan.runtime - plan.startup) / rows;
    const createdSec = plan.createdMs / 1000;
    const llm = plan.kind === 'llm';
    let chunk: string[] = [];
    let tl = 0, ta = 0, lr = 0, vl = 0, va = 0, tps = 0, rt = 0, ts = 0;
    let best = 0;
    for (let i = 0; i < rows; i++) {
      const p = (i + 1) / fullRows;
      rt = i === rows - 1 ? plan.runtime : r3(plan.startup + (i + 1) * span + (r.next() - 0.5) * 0.4 * span);
      ts = r3(createdSec + rt);
      tl = r6(Math.max(0.001, curve.trainLoss(p) * (1 + 0.12 * (r.next() - 0.5))));
      ta = r6(clamp(curve.trainAcc(p) + 0.03 * (r.next() - 0.5), 0, 1));
      lr = sig6(curve.lr(p));
      let row = `{"_step":${i},"_runtime":${rt},"_timestamp":${ts},"train/loss":${tl},"train/acc":${ta},"lr":${lr}`;
      if (i % VAL_EVERY === 0) {
        vl = r6(Math.max(0.001, curve.valLoss(p) * (1 + 0.03 * (r.next() - 0.5))));
        va = r6(clamp(curve.valAcc(p) + 0.01 * (r.next() - 0.5), 0, 1));
        if (va > best) best = va;
        row += `,"val/loss":${vl},"val/acc":${va}`;
      }
      if (llm) {
        tps = r1(plan.tokensPerSec * (1 + 0.08 * (r.next() - 0.5)));
        row += `,"tokens_per_sec":${tps}`;
      }
      chunk.push(row + '}');
      if (chunk.length === HISTORY_CHUNK) {
        this.historyRows += appendHistory(this.db, runId, chunk);
        chunk = [];
      }
    }
    if (chunk.length > 0) this.historyRows += appendHistory(this.db, runId, chunk);
    const last: Record<string, number> = { _step: rows - 1, _runtime: rt, _timestamp: ts, 'train/loss': tl, 'train/acc': ta, lr, 'val/loss': vl, 'val/acc': va };
    if (llm) last.tokens_per_sec = tps;
    return { last, lastStep: rows - 1, valLoss: vl, valAcc: va, bestValAcc: best };
  }

  private writeEvents(plan: Plan, runId: number): void {
    const r = new Rng(hash(`${plan.name}:events`));
    const count = Math.min(MAX_EVENTS, Math.max(1, Math.floor(plan.runtime / EVENT_EVERY_SECONDS)));
    const every = plan.runtime / count;
    const createdSec = plan.createdMs / 1000;
    const cpu = r.float(15, 60);
    const mem = r.float(20, 55);
    const gpu = plan.jobType === 'eval' ? r.float(40, 70) : r.float(80, 97);
    const gpuMem = plan.kind === 'llm' ? r.float(70, 95) : r.float(30, 75);
    const lines: string[] = [];
    for (let j = 0; j < count; j++) {
      const rt = r3((j + 1) * every);
      const warm = Math.min(1, (j + 1) / 3);
      lines.push(
        `{"_wandb":true,"_timestamp":${r3(createdSec + rt)},"_runtime":${rt},` +
          `"system.cpu":${r1(clamp(cpu * (1 + 0.3 * (r.next() - 0.5)), 0, 100))},` +
          `"system.memory":${r1(clamp(mem + 5 * warm + 2 * (r.next() - 0.5), 0, 100))},` +
          `"system.gpu.0.gpu":${r1(clamp(gpu * warm + 4 * (r.next() - 0.5), 0, 100))},` +
          `"system.gpu.0.memoryAllocated":${r1(clamp(gpuMem * warm + 1 * (r.next() - 0.5), 0, 100))},` +
          `"system.gpu.0.temp":${r1(38 + 30 * warm * (gpu / 100) + 2 * (r.next() - 0.5))}}`,
      );
    }
    appendEvents(this.db, runId, 0, lines);
  }

  private writeFiles(plan: Plan, runId: number, config: Record<string, unknown>, endMs: number): void {
    const startedAt = iso(plan.createdMs + 5_000);
    const ended = iso(endMs);
    const put = (name: string, content: string | Buffer, at: string) => {
      const file = declareFile(this.db, runId, name, at);
      writeFileContent(this.db, file.id, typeof content === 'string' ? Buffer.from(content, 'utf8') : content, at);
    };
    put('config.yaml', `wandb_version: 1\n\n${yaml(config, '')}`, startedAt);
    put('wandb-metadata.json', metadataJson(plan), startedAt);
    put('requirements.txt', plan.kind === 'llm' ? LLM_REQUIREMENTS : IMAGE_REQUIREMENTS, startedAt);
    put('output.log', outputLog(plan), ended);
    if (plan.logsModel) {
      const r = new Rng(hash(`${plan.name}:model`));
      const bytes = Buffer.alloc(r.int(1024, 4096));
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(r.next() * 256);
      Buffer.from('PK\u0003\u0004', 'latin1').copy(bytes, 0);
      put('model.pt', bytes, ended);
    }
  }
}

/** The noise-free learning curves of a run, by progress p in (0, 1]. */
class Curve {
  private readonly lossStart: number;
  private readonly lossFinal: number;
  private readonly accStart: number;
  private readonly k: number;
  private readonly norm: number;
  private readonly lrBase: number;
  private readonly warmup: number;
  private readonly schedule: string;

  constructor(private readonly plan: Plan) {
    const llm = plan.kind === 'llm';
    const acc = plan.accFinal;
    this.lossStart = llm ? 2.45 : 4.6;
    this.lossFinal = llm ? 0.85 + 2.2 * (0.72 - acc) : 0.18 + 1.6 * (1 - acc);
    this.accStart = llm ? 0.42 : 0.01;
    this.k = llm ? 3 : 4.5;
    this.norm = 1 - Math.exp(-this.k);
    const c = plan.config;
    this.lrBase = typeof c.lr === 'number' ? c.lr : 0;
    const sched = c.scheduler as { name?: string; warmup?: number } | undefined;
    this.schedule = sched?.name ?? 'constant';
    this.warmup = Math.min(0.2, (sched?.warmup ?? 0) / Math.max(1, plan.fullSteps));
  }

  private progress(p: number): number {
    return (1 - Math.exp(-this.k * p)) / this.norm;
  }

  trainLoss(p: number): number {
    return this.lossFinal + (this.lossStart - this.lossFinal) * (1 - this.progress(p));
  }

  valLoss(p: number): number {
    return this.trainLoss(p) + (this.plan.kind === 'llm' ? 0.06 : 0.12) * p;
  }

  valAcc(p: number): number {
    return this.accStart + (this.plan.accFinal - this.accStart) * this.progress(p);
  }

  trainAcc(p: number): number {
    return Math.min(0.999, this.valAcc(p) * (1 + 0.06 * p));
  }

  lr(p: number): number {
    if (this.lrBase === 0) return 0;
    const warm = this.warmup > 0 ? Math.min(1, p / this.warmup) : 1;
    switch (this.schedule) {
      case 'cosine':
        return this.lrBase * warm * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, p)));
      case 'step':
        return this.lrBase * warm * Math.pow(0.1, Math.floor(Math.min(0.999, p) * 3));
      case 'linear':
        return this.lrBase * warm * Math.max(0, 1 - p);
      case 'onecycle':
        return this.lrBase * (p < 0.3 ? 0.04 + 0.96 * (p / 0.3) : 0.5 * (1 + Math.cos((Math.PI * (p - 0.3)) / 0.7)));
      default:
        return this.lrBase * warm;
    }
  }
}

// Configs and quality:

const IMAGE_MODELS = ['resnet18', 'resnet50', 'vit-b16', 'vit-s16', 'efficientnet-b0', 'convnext-tiny'];
const MODEL_BASE_ACC: Record<string, number> = {
  resnet18: 0.78,
  resnet50: 0.86,
  'vit-b16': 0.89,
  'vit-s16': 0.84,
  'efficientnet-b0': 0.83,
  'convnext-tiny': 0.88,
};
const MODEL_BYTES: Record<string, number> = {
  resnet18: 46_830_571,
  resnet50: 102_530_333,
  'vit-b16': 346_351_599,
  'vit-s16': 88_257_321,
  'efficientnet-b0': 21_383_197,
  'convnext-tiny': 114_427_869,
};
const LLM_MODELS = ['llama-3.1-8b', 'mistral-7b-v0.3', 'qwen2.5-7b'];
const LLM_BASE_ACC: Record<string, number> = { 'llama-3.1-8b': 0.68, 'mistral-7b-v0.3': 0.66, 'qwen2.5-7b': 0.67 };

function imageConfig(r: Rng): Record<string, unknown> {
  const optimizer = r.pick(['adam', 'sgd', 'adamw']);
  const lr = sig3(optimizer === 'sgd' ? r.logUniform(0.005, 0.3) : r.logUniform(1e-4, 1e-2));
  return {
    lr,
    batch_size: r.pick([32, 64, 128, 256]),
    optimizer,
    epochs: r.int(10, 90),
    model: r.pick(IMAGE_MODELS),
    dropout: r2(r.float(0, 0.5)),
    weight_decay: r.pick([0, 1e-4, 5e-4, 0.05]),
    momentum: optimizer === 'sgd' ? 0.9 : null,
    image_size: 224,
    augmentation: r.pick(['randaugment', 'autoaugment', 'flip-crop', 'none']),
    mixed_precision: r.chance(0.7),
    seed: r.int(0, 9999),
    dataset: 'imagenet-subset',
    scheduler: { name: r.pick(['cosine', 'cosine', 'step', 'onecycle']), warmup: r.pick([0, 500, 500, 1000]) },
  };
}

function sweepConfig(r: Rng): Record<string, unknown> {
  const optimizer = r.pick(['adam', 'sgd', 'adamw']);
  return {
    lr: sig3(r.logUniform(1e-4, 1e-1)),
    batch_size: r.pick([32, 64, 128, 256]),
    optimizer,
    epochs: 30,
    model: 'resnet50',
    dropout: r2(r.float(0, 0.5)),
    weight_decay: 1e-4,
    momentum: optimizer === 'sgd' ? 0.9 : null,
    image_size: 224,
    augmentation: 'randaugment',
    mixed_precision: true,
    seed: r.int(0, 9999),
    dataset: 'imagenet-subset',
    scheduler: { name: 'cosine', warmup: 500 },
  };
}

function imageAccuracy(c: Record<string, unknown>, fullSteps: number, r: Rng): number {
  const bestLr = c.optimizer === 'sgd' ? 0.05 : 1e-3;
  const d = Math.log10(Number(c.lr)) - Math.log10(bestLr);
  const lrPenalty = Math.min(0.45, 0.06 * d * d);
  const dropPenalty = 0.4 * (Number(c.dropout) - 0.2) ** 2;
  const lengthBonus = clamp(0.02 * Math.log10(fullSteps / 1000), -0.02, 0.05);
  return clamp((MODEL_BASE_ACC[String(c.model)] ?? 0.8) - lrPenalty - dropPenalty + lengthBonus + r.float(-0.02, 0.02), 0.2, 0.96);
}

function llmConfig(r: Rng): Record<string, unknown> {
  const method = r.pick(['lora', 'lora', 'qlora', 'full']);
  const loraR = method === 'full' ? null : r.pick([8, 16, 32, 64]);
  return {
    model: r.pick(LLM_MODELS),
    method,
    lr: sig3(method === 'full' ? r.logUniform(5e-6, 3e-5) : r.logUniform(5e-5, 5e-4)),
    batch_size: r.pick([8, 16, 32]),
    grad_accum_steps: r.pick([1, 2, 4, 8]),
    lora_r: loraR,
    lora_alpha: loraR === null ? null : loraR * 2,
    lora_dropout: method === 'full' ? null : r.pick([0.05, 0.1]),
    max_seq_len: r.pick([2048, 4096]),
    optimizer: 'adamw',
    epochs: r.int(1, 3),
    dropout: r.pick([0, 0.1]),
    bf16: true,
    seed: r.int(0, 9999),
    dataset: 'instruct-mix',
    scheduler: { name: r.pick(['cosine', 'linear']), warmup: r.pick([50, 100, 200]) },
  };
}

function llmAccuracy(c: Record<string, unknown>, r: Rng): number {
  const best = c.method === 'full' ? 1.5e-5 : 2e-4;
  const d = Math.log10(Number(c.lr)) - Math.log10(best);
  const rankBonus = c.lora_r === null ? 0.01 : 0.004 * Math.log2(Number(c.lora_r) / 8);
  return clamp((LLM_BASE_ACC[String(c.model)] ?? 0.66) - 0.05 * d * d + rankBonus + r.float(-0.01, 0.01), 0.45, 0.75);
}

function groupFor(model: string, r: Rng): string | null {
  if (model.startsWith('resnet')) return r.pick(['resnet-ablation', 'resnet-ablation', 'augmentation-study', null]);
  if (model.startsWith('vit')) return r.pick(['vit-baseline', 'vit-baseline', 'augmentation-study', null]);
  return r.pick(['augmentation-study', null]);
}

function randomState(r: Rng): string {
  const x = r.next();
  return x < 0.8 ? 'finished' : x < 0.87 ? 'crashed' : x < 0.94 ? 'failed' : 'killed';
}

const SWEEP_YAML = `method: bayes
metric:
  goal: minimize
  name: val/loss
parameters:
  batch_size:
    values: [32, 64, 128, 256]
  dropout:
    distribution: uniform
    max: 0.5
    min: 0
  lr:
    distribution: log_uniform_values
    max: 0.1
    min: 0.0001
  optimizer:
    values: [adam, sgd, adamw]
program: train.py
early_terminate:
  type: hyperband
  min_iter: 3
`;

// Vocabularies:

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';
const TAGS = ['baseline', 'ablation', 'prod-candidate', 'debug', 'augment', 'mixed-precision', 'v2', 'lr-finder'];
const ADJECTIVES = [
  'ancient', 'autumn', 'blooming', 'bold', 'brisk', 'celestial', 'cosmic', 'crimson', 'dainty', 'dashing',
  'deep', 'divine', 'dry', 'eager', 'earthy', 'electric', 'fanciful', 'fast', 'fiery', 'fluent',
  'fresh', 'gentle', 'glamorous', 'golden', 'graceful', 'hardy', 'hopeful', 'icy', 'jolly', 'lemon',
  'lively', 'lucky', 'misty', 'morning', 'noble', 'olive', 'pleasant', 'polar', 'proud', 'quiet',
  'rosy', 'royal', 'rural', 'silver', 'smooth', 'solar', 'stellar', 'sunny', 'swift', 'vivid',
];
const NOUNS = [
  'breeze', 'brook', 'butterfly', 'cherry', 'cloud', 'dawn', 'darkness', 'dream', 'dust', 'field',
  'firebrand', 'firefly', 'flower', 'fog', 'forest', 'frog', 'frost', 'galaxy', 'glade', 'grass',
  'haze', 'hill', 'lake', 'leaf', 'meadow', 'moon', 'morning', 'mountain', 'night', 'oath',
  'paper', 'pine', 'planet', 'pond', 'rain', 'resonance', 'river', 'sea', 'shadow', 'sky',
  'snow', 'sound', 'spaceship', 'star', 'sun', 'sunset', 'surf', 'thunder', 'violet', 'water',
  'wave', 'wind', 'wood',
];
const NOTES = [
  'Baseline with the default recipe.',
  'Trying a higher learning rate with longer warmup.',
  'Loss spikes around epoch 12, investigate data loader.',
  'Re-run of the previous config with a new seed.',
  'Candidate for the next release if val acc holds.',
  'Checking whether mixed precision changes convergence.',
  'Smaller batch to fit on a single GPU.',
  'Label smoothing 0.1 added in code, not in config.',
];

const IMAGE_REQUIREMENTS = `numpy==1.26.4
pillow==11.0.0
pyyaml==6.0.2
timm==1.0.11
torch==2.5.1
torchvision==0.20.1
tqdm==4.67.1
wandb==${CLI_VERSION}
`;

const LLM_REQUIREMENTS = `accelerate==1.1.1
bitsandbytes==0.44.1
datasets==3.1.0
peft==0.13.2
sentencepiece==0.2.0
torch==2.5.1
transformers==4.46.3
trl==0.12.1
wandb==${CLI_VERSION}
`;

// File contents:

function metadataJson(plan: Plan): string {
  const p = plan.project;
  const llm = plan.kind === 'llm';
  const gpuCount = llm ? 8 : plan.host.startsWith('gpu-node') ? 4 : 1;
  const gpu = plan.host.includes('h100') ? 'NVIDIA H100 80GB HBM3' : llm ? 'NVIDIA A100-SXM4-80GB' : p.hosts[0] === 'gpu-node-01' ? 'NVIDIA A100-SXM4-40GB' : 'NVIDIA GeForce RTX 4090';
  const program = plan.jobType === 'eval' ? 'evaluate.py' : 'train.py';
  const args = Object.entries(plan.config)
    .filter(([, v]) => typeof v === 'number' || typeof v === 'string')
    .slice(0, 4)
    .map(([k, v]) => `--${k}=${String(v)}`);
  return JSON.stringify(
    {
      os: 'Linux-5.15.0-119-generic-x86_64-with-glibc2.35',
      python: `CPython ${PYTHON_VERSION}`,
      startedAt: iso(plan.createdMs),
      args,
      program,
      codePath: program,
      git: { remote: `https://github.com/${p.entity}/${p.repo}.git`, commit: plan.commit },
      email: p.email,
      root: `/home/${p.username}/${p.repo}`,
      host: plan.host,
      username: p.username,
      executable: '/usr/bin/python3',
      cpu_count: llm ? 64 : 16,
      cpu_count_logical: llm ? 128 : 32,
      gpu,
      gpu_count: gpuCount,
      disk: { '/': { total: 1_967_317_344_256, used: 734_012_542_976 } },
      memory: { total: llm ? 2_164_203_868_160 : 270_190_665_728 },
      cuda: '12.4',
    },
    null,
    2,
  );
}

function outputLog(plan: Plan): string {
  const p = plan.project;
  const curve = new Curve(plan);
  const stamp = iso(plan.createdMs).replace(/[-:]/g, '').replace('T', '_').replace('Z', '');
  const lines = [
    `wandb: Currently logged in as: ${p.username} (${p.entity}). Use \`wandb login --relogin\` to force relogin`,
    `wandb: Tracking run with wandb version ${CLI_VERSION}`,
    `wandb: Run data is saved locally in /home/${p.username}/${p.repo}/wandb/run-${stamp}-${plan.name}`,
    `wandb: Run \`wandb offline\` to turn off syncing.`,
    `wandb: Syncing run ${plan.displayName}`,
    `wandb: View project at https://wandb.ai/${p.entity}/${p.name}`,
    `wandb: View run at https://wandb.ai/${p.entity}/${p.name}/runs/${plan.name}`,
  ];
  for (const input of plan.inputs) lines.push(`wandb:   using artifact ${input.name}`);
  const fmt = (x: number) => x.toFixed(4);
  if (plan.jobType === 'eval') {
    lines.push(`Evaluating ${String(plan.config.checkpoint)} (${String(plan.config.model)})`);
    const batches = 5;
    for (let b = 1; b <= Math.max(1, Math.round(batches * plan.fraction)); b++) {
      const q = b / batches;
      lines.push(`[${b * 20}%] loss: ${fmt(curve.valLoss(q))} acc: ${fmt(curve.valAcc(q))}`);
    }
  } else {
    const epochs = Number(plan.config.epochs) || 1;
    lines.push(plan.kind === 'llm' ? `Loading ${String(plan.config.model)} (${String(plan.config.method)}), max_seq_len=${String(plan.config.max_seq_len)}` : `Loading ${String(plan.config.model)}, image_size=224, batch_size=${String(plan.config.batch_size)}`);
    const shown = Math.max(1, Math.floor(epochs * plan.fraction));
    const stride = Math.max(1, Math.ceil(shown / 30));
    for (let e = 1; e <= shown; e += stride) {
      const q = Math.min(e / epochs, plan.fraction);
      lines.push(
        `Epoch ${e}/${epochs} - train_loss: ${fmt(curve.trainLoss(q))} - train_acc: ${fmt(curve.trainAcc(q))} - val_loss: ${fmt(curve.valLoss(q))} - val_acc: ${fmt(curve.valAcc(q))} - lr: ${sig6(curve.lr(q))}`,
      );
    }
  }
  switch (plan.state) {
    case 'finished':
      lines.push(`Done. Best val_acc: ${fmt(curve.valAcc(1))}`);
      if (plan.logsModel) lines.push('Saved checkpoint to checkpoints/model.pt', 'wandb: logging artifact model');
      break;
    case 'crashed':
      lines.push(
        'Traceback (most recent call last):',
        `  File "/home/${p.username}/${p.repo}/train.py", line 214, in <module>`,
        '    main()',
        `  File "/home/${p.username}/${p.repo}/train.py", line 188, in main`,
        '    loss.backward()',
        'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.21 GiB is free.',
      );
      break;
    case 'failed':
      lines.push(
        'Traceback (most recent call last):',
        `  File "/home/${p.username}/${p.repo}/train.py", line 97, in <module>`,
        '    main()',
        `ValueError: Expected input batch_size (${String(plan.config.batch_size)}) to match target batch_size (${Math.max(1, Number(plan.config.batch_size) / 2)}).`,
      );
      break;
    case 'killed':
      lines.push('^C', 'KeyboardInterrupt', 'wandb: Run was stopped by the user.');
      break;
    case 'preempted':
      lines.push('wandb: WARNING Received SIGTERM: the node is being preempted. Marking the run as preempted.');
      break;
  }
  if (plan.state !== 'running') {
    lines.push(`wandb: Synced ${plan.displayName}: https://wandb.ai/${p.entity}/${p.name}/runs/${plan.name}`);
  }
  return lines.join('\n') + '\n';
}

/** config.yaml as the W&B client writes it: keys sorted, block style. */
function yaml(value: Record<string, unknown>, indent: string): string {
  let out = '';
  for (const key of Object.keys(value).sort()) {
    const v = value[key];
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      out += `${indent}${key}:\n${yaml(v as Record<string, unknown>, indent + '  ')}`;
    } else {
      out += `${indent}${key}: ${yamlScalar(v)}\n`;
    }
  }
  return out;
}

function yamlScalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(yamlScalar).join(', ')}]`;
  if (typeof v === 'string') {
    return /^[A-Za-z_][\w./-]*$/.test(v) && !/^(true|false|null|yes|no|on|off)$/i.test(v) ? v : JSON.stringify(v);
  }
  return String(v);
}

// Numbers, dates and randomness:

function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19) + 'Z';
}

function r1(x: number): number {
  return Math.round(x * 10) / 10;
}
function r2(x: number): number {
  return Math.round(x * 100) / 100;
}
function r3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
function r6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
function sig3(x: number): number {
  return Number(x.toPrecision(3));
}
function sig6(x: number): number {
  return x === 0 ? 0 : Number(x.toPrecision(6));
}
function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** `n` creation times in [from, to), whole seconds, ascending. */
function sortedTimes(r: Rng, n: number, from: number, to: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push(Math.floor((from + r.next() * (to - from)) / 1000) * 1000);
  return times.sort((a, b) => a - b);
}

/**
 * The files of a demo artifact version: `total` bytes split by weight (a
 * weight of 0 is a small text file of 1 to 4 KiB), the first weighted file
 * taking what rounding leaves, and MD5s derived from `seed`, so that the
 * manifest and the version digest are the same on every seeding.
 */
function seedManifest(seed: string, total: number, files: readonly (readonly [string, number])[]): ManifestEntry[] {
  const sizes = files.map(([path, weight]) => (weight === 0 ? 1024 + (hash(`${seed}:${path}`) % 3072) : Math.floor(total * weight)));
  const first = files.findIndex(([, weight]) => weight > 0);
  sizes[first] += total - sizes.reduce((a, b) => a + b, 0);
  return files.map(([path], i) => ({ path, size: sizes[i], digest: b64md5(`${seed}:${path}`) }));
}

/** FNV-1a, 32 bits: seeds per-run streams from a run's id. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a small, fast, seeded PRNG. */
class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  float(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** `k` distinct items, in the vocabulary's order. */
  sample<T>(items: readonly T[], k: number): T[] {
    const chosen = new Set<number>();
    while (chosen.size < Math.min(k, items.length)) chosen.add(Math.floor(this.next() * items.length));
    return [...chosen].sort((a, b) => a - b).map((i) => items[i]);
  }

  logUniform(lo: number, hi: number): number {
    return Math.exp(this.float(Math.log(lo), Math.log(hi)));
  }

  chars(n: number, alphabet: string): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }

  hex(n: number): string {
    return this.chars(n, '0123456789abcdef');
  }
}
