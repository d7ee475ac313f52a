/**
 * Property-based (fast-check, fixed seed), through real HTTP: random
 * documents (aliases, nested fragments, directives, introspection, list
 * arguments) against the subgraph in front of the emulator, and random
 * malformations of W&B's answers (a value anywhere in the answer replaced
 * by something wrong, too deep, too large or quoting a key) injected by a
 * loopback proxy. Over every case: no HTTP 500, no INTERNAL_SERVER_ERROR,
 * and no key, in any form, in a response body or a log line (the pino
 * stream is captured).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { startEmulator, type Emulator } from '../../emulator/src/server.js';
import { startSubgraph, type Subgraph } from '../../src/http/server.js';
import { DEMO_API_KEY, OTHER_API_KEY } from '../../emulator/src/seed.js';
import { startFaultProxy, type FaultProxy } from './faultProxy.js';

fc.configureGlobal({ seed: 4242, numRuns: 200 });

const TEAM = 'acme-ml';
const PROJECT = 'image-classification';
const CALLER_KEY = DEMO_API_KEY;
const SERVICE_KEY = OTHER_API_KEY;
const AUTH = `Basic ${Buffer.from(`api:${CALLER_KEY}`).toString('base64')}`;
const SECRET_FORMS = [SERVICE_KEY, CALLER_KEY].flatMap((k) => [k, `api:${k}`, Buffer.from(`api:${k}`).toString('base64')]);

let emulator: Emulator;
let proxy: FaultProxy;
let subgraph: Subgraph;
const logs: string[] = [];
const tally = { requests: 0, status500: 0, internal: 0, secrets: 0, byStatus: {} as Record<number, number> };

interface Answer {
  status: number;
  text: string;
  body: { data?: any; errors?: { message: string; extensions?: { code?: string } }[] } | null;
}

async function post(payload: unknown, authorization: string | null = AUTH): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization) headers.authorization = authorization;
  const res = await fetch(subgraph.url, { method: 'POST', headers, body: JSON.stringify(payload) });
  const text = await res.text();
  let body: Answer['body'] = null;
  try {
    body = JSON.parse(text) as Answer['body'];
  } catch {
    // checked below: every answer must be JSON
  }
  return { status: res.status, text, body };
}

/** Throws (so fast-check shrinks and reports) when an answer breaks a rule; counts what it saw. */
function check(answer: Answer): void {
  tally.requests++;
  tally.byStatus[answer.status] = (tally.byStatus[answer.status] ?? 0) + 1;
  const problems: string[] = [];
  if (answer.status >= 500) {
    tally.status500++;
    problems.push(`HTTP ${answer.status}`);
  }
  if (answer.body === null) problems.push('a body that is not JSON');
  const codes = (answer.body?.errors ?? []).map((e) => e.extensions?.code);
  if (codes.includes('INTERNAL_SERVER_ERROR')) {
    tally.internal++;
    problems.push('INTERNAL_SERVER_ERROR');
  }
  if (SECRET_FORMS.some((s) => answer.text.includes(s))) {
    tally.secrets++;
    problems.push('a key in the body');
  }
  if (problems.length > 0) throw new Error(`${problems.join('; ')}: ${answer.text.slice(0, 500)}\nlog: ${logs.slice(-2).join(' | ').slice(0, 500)}`);
}

beforeAll(async () => {
  emulator = await startEmulator({ seed: { historyScale: 0.01 } });
  proxy = await startFaultProxy(emulator.url);
  subgraph = await startSubgraph({
    wandbBaseUrl: proxy.url,
    appUrl: 'https://wandb.example.com',
    serviceKey: SERVICE_KEY,
    policy: { attemptTimeoutMs: 3000, budgetMs: 6000, maxRetries: 1, baseDelayMs: 10, maxDelayMs: 50, maxInFlight: 16 },
    maxResponseBytes: 4 * 1024 * 1024,
    log: (line) => logs.push(line),
  });
});

afterAll(async () => {
  await subgraph.close();
  await proxy.close();
  await emulator.close();
});

// Documents.

const fieldChoices = [
  '__typename',
  '__schema { types { name } }',
  '__type(name: "Run") { name fields { name } }',
  '_service { sdl }',
  `runs(entity: "${TEAM}", project: "${PROJECT}", first: 2) { nodes { runId state } }`,
  `runs(entity: "${TEAM}", project: "${PROJECT}", first: 3) { nodes { summary(keys: $keys) config(keys: $keys) } }`,
  `run(path: "${TEAM}/${PROJECT}/nope") { runId }`,
];

const directive = fc.constantFrom('', ' @include(if: true)', ' @skip(if: false)', ' @include(if: $flag)', ' @skip(if: $flag)', ' @deprecated', ' @nope(x: 1)');

/** A document: a root selection of aliased fields and fragment spreads, with a chain of fragments. */
const document = fc
  .record({
    aliases: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 50, max: 400 }), fc.constant(3000)),
    field: fc.constantFrom(...fieldChoices),
    directives: fc.oneof(fc.array(directive, { maxLength: 3 }), fc.array(directive, { minLength: 40, maxLength: 120 })),
    fragments: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 90, max: 200 }), fc.constant(4000)),
    cycle: fc.boolean(),
    inlineDepth: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 200, max: 2000 })),
    keys: fc.oneof(fc.constant(null), fc.array(fc.string({ maxLength: 12 }), { maxLength: 5 }), fc.integer({ min: 900, max: 5000 }).map((n) => Array.from({ length: n }, (_, i) => `k${i}`))),
    flag: fc.oneof(fc.boolean(), fc.constant('yes' as unknown as boolean)),
  })
  .map(({ aliases, field, directives, fragments, cycle, inlineDepth, keys, flag }) => {
    const d = directives.join('');
    const selections: string[] = [];
    for (let i = 0; i < Math.max(1, aliases); i++) selections.push(`${aliases > 0 ? `a${i}: ` : ''}${field.replace(/^(\w+)/, `$1`)}${i === 0 ? d : ''}`);
    const defs: string[] = [];
    if (fragments > 0) {
      selections.push('...F0');
      for (let i = 0; i < fragments; i++) {
        const next = i + 1 < fragments ? `...F${i + 1}` : cycle ? '...F0' : '__typename';
        defs.push(`fragment F${i} on Query { __typename ${next} }`);
      }
    }
    const inline = `${'... on Query { '.repeat(inlineDepth)}__typename${' }'.repeat(inlineDepth)}`;
    if (inlineDepth > 0) selections.push(inline);
    const query = `query Q($keys: [String!], $flag: Boolean = true) { ${selections.join(' ')} } ${defs.join(' ')}`;
    return { query, variables: { keys, flag } };
  });

describe('random documents', () => {
  it('never answer 500, INTERNAL_SERVER_ERROR or a key', async () => {
    await fc.assert(
      fc.asyncProperty(document, fc.constantFrom<string | null>(AUTH, null, `Bearer ${CALLER_KEY}`, CALLER_KEY, 'Basic'), async (doc, authorization) => {
        check(await post(doc, authorization));
      }),
    );
    // The process still answers a plain query.
    const plain = await post({ query: '{ __typename }' });
    expect(plain.status).toBe(200);
  }, 300_000);
});

// Upstream malformations.

const deepJson = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`;

/** Values that do not belong where they are put. */
const badValue: fc.Arbitrary<(old: unknown) => unknown> = fc.oneof(
  fc.constantFrom<(old: unknown) => unknown>(
    () => null,
    () => undefined,
    () => 42,
    () => -1,
    () => 1e308,
    () => 'zombie',
    () => '',
    () => true,
    () => [],
    () => ({}),
    () => deepJson(3000),
    () => JSON.parse(deepJson(200)),
    () => `W&B: permission denied for API key ${CALLER_KEY} (Authorization: ${AUTH})`,
    () => `api:${SERVICE_KEY}`,
    () => 'x'.repeat(2_000_000),
    (old) => (Array.isArray(old) ? [...old, ...old, ...old] : old),
    (old) => (Array.isArray(old) ? old.map(() => deepJson(500)) : old),
    (old) => (typeof old === 'string' ? old.slice(0, Math.floor(old.length / 2)) : old),
    (old) => (Array.isArray(old) ? old.map((x) => (typeof x === 'string' ? x.replace(/"_step":\s*\d+/, '"_step": 99999999') : x)) : old),
    (old) => (typeof old === 'string' && old.length > 10 ? Buffer.from(`Run:v1:other:${'p'}:${'e'}`).toString('base64') : old),
  ),
);

/** Replaces the value at a path chosen by `choices` (each picks a key at its level) with `bad(old)`. */
function malform(body: any, choices: number[], bad: (old: unknown) => unknown): any {
  let node = body;
  for (let i = 0; i < choices.length; i++) {
    if (node === null || typeof node !== 'object') return body;
    const keys = Object.keys(node);
    if (keys.length === 0) return body;
    const key = keys[choices[i] % keys.length];
    const child = node[key];
    const last = i === choices.length - 1 || child === null || typeof child !== 'object' || Object.keys(child).length === 0;
    if (last) {
      node[key] = bad(child);
      return body;
    }
    node = child;
  }
  return body;
}

const queries = [
  `{ runs(entity: "${TEAM}", project: "${PROJECT}", first: 3) { totalCount nodes { id runId state createdAt tags config summary systemMetrics historyKeys { key } } } }`,
  `{ runs(entity: "${TEAM}", project: "${PROJECT}", first: 2) { nodes { runId sampledHistory(keys: ["train/loss"], samples: 5) history(first: 3) { edges { node { step values } } } } } }`,
  `{ runs(entity: "${TEAM}", project: "${PROJECT}", first: 2) { nodes { runId files(first: 2) { totalCount edges { node { name } } } loggedArtifacts(first: 2) { edges { node { id name metadata } } } } } }`,
  `{ runs(entity: "${TEAM}", project: "${PROJECT}", first: 2) { histories(keys: ["train/loss"], samples: 4) } }`,
];

describe('random malformations of W&B answers', () => {
  let paths: string[] = [];
  beforeAll(async () => {
    const page = await post({ query: `{ runs(entity: "${TEAM}", project: "${PROJECT}", first: 3) { nodes { path } } }` });
    paths = page.body!.data.runs.nodes.map((n: { path: string }) => n.path);
  });

  it('never answer 500, INTERNAL_SERVER_ERROR or a key', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: queries.length }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 9 }),
        badValue,
        fc.constantFrom<string | null>(AUTH, null),
        fc.integer({ min: 1, max: 3 }),
        async (q, choices, bad, authorization, times) => {
          proxy.clear();
          proxy.inject({ kind: 'rewrite', transform: (b) => malform(b, choices, bad) }, times);
          const query = q < queries.length ? queries[q] : `{ run(path: "${paths[choices[0] % paths.length]}") { runId state summary config history(first: 2) { edges { node { step } } } } }`;
          check(await post({ query }, authorization));
        },
      ),
    );
    proxy.clear();
  }, 300_000);

  it('left no key in any log line', () => {
    const text = logs.join('\n');
    for (const form of SECRET_FORMS) expect(text).not.toContain(form);
    expect(tally.status500).toBe(0);
    expect(tally.internal).toBe(0);
    expect(tally.secrets).toBe(0);
  });
});
