/**
 * Two users at once, hundreds of interleaved requests for the same and for
 * different runs: neither ever sees the other's data.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEMO_API_KEY, OTHER_API_KEY } from '../../emulator/src/seed.js';
import { startStack, type Stack } from '../helpers/stack.js';

describe('auth isolation', () => {
  let stack: Stack;
  let demoRuns: string[];
  let otherRuns: string[];

  const basic = (key: string) => `Basic ${Buffer.from(`api:${key}`).toString('base64')}`;
  const ask = async (authorization: string | null, query: string, variables: Record<string, unknown> = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (authorization) headers.authorization = authorization;
    const res = await fetch(stack.subgraph.url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    return (await res.json()) as { data?: any; errors?: any[] };
  };

  beforeAll(async () => {
    stack = await startStack();
    const demo = await ask(basic(DEMO_API_KEY), '{ runs(entity: "acme-ml", project: "llm-finetune", first: 20) { nodes { path } } }');
    demoRuns = demo.data.runs.nodes.map((n: any) => n.path);
    const other = await ask(basic(OTHER_API_KEY), '{ runs(entity: "other", project: "private-experiments", first: 20) { nodes { path } } }');
    otherRuns = other.data.runs.nodes.map((n: any) => n.path);
    expect(demoRuns.length).toBeGreaterThan(10);
    expect(otherRuns).toHaveLength(3);
  });
  afterAll(() => stack.close());

  it('600 interleaved requests from two users never cross', async () => {
    const users = [
      { name: 'demo', auth: basic(DEMO_API_KEY), own: () => demoRuns, foreign: () => otherRuns },
      // The other user authenticates with a Bearer token: both forms reach W&B.
      { name: 'other', auth: `Bearer ${OTHER_API_KEY}`, own: () => otherRuns, foreign: () => demoRuns },
    ];
    const tasks: Promise<void>[] = [];
    for (let i = 0; i < 300; i++) {
      for (const user of users) {
        const own = user.own()[i % user.own().length];
        const foreign = user.foreign()[i % user.foreign().length];
        const kind = i % 4;
        tasks.push(
          (async () => {
            if (kind === 0) {
              // The same run asked by both users in the same tick.
              const res = await ask(user.auth, `{ a: run(path: "${demoRuns[i % demoRuns.length]}") { path username summary } }`);
              if (user.name === 'demo') expect(res.data.a?.path).toBe(demoRuns[i % demoRuns.length]);
              else expect(res.data.a).toBeNull();
            } else if (kind === 1) {
              const res = await ask(user.auth, `{ mine: run(path: "${own}") { path username } theirs: run(path: "${foreign}") { path } }`);
              expect(res.data.mine.path).toBe(own);
              expect(res.data.mine.username).toBe(user.name);
              expect(res.data.theirs).toBeNull();
            } else if (kind === 2) {
              const [entity, project] = foreign.split('/');
              const res = await ask(user.auth, `{ runs(entity: "${entity}", project: "${project}", first: 50) { totalCount nodes { path } } }`);
              expect(res.data.runs.nodes).toEqual([]);
              expect(res.data.runs.totalCount).toBe(0);
            } else {
              const res = await ask(user.auth, 'query E($r: [_Any!]!) { _entities(representations: $r) { ... on Run { path } } }', {
                r: [own, foreign].map((path) => ({ __typename: 'Run', path })),
              });
              expect(res.data._entities).toEqual([{ path: own }, null]);
            }
          })(),
        );
      }
    }
    await Promise.all(tasks);
  });

  it('a caller without a key gets UNAUTHENTICATED when no service key is configured', async () => {
    const res = await ask(null, `{ run(path: "${demoRuns[0]}") { path } }`);
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('a wrong key is UNAUTHENTICATED and its text is in no error', async () => {
    const wrong = 'k'.repeat(40);
    const res = await ask(basic(wrong), `{ run(path: "${demoRuns[0]}") { path } }`);
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const text = JSON.stringify(res);
    expect(text).not.toContain(wrong);
    expect(text).not.toContain(Buffer.from(`api:${wrong}`).toString('base64'));
  });

  it('the service key serves only callers without a key of their own', async () => {
    const withService = await startStack({ serviceKey: OTHER_API_KEY });
    try {
      const post = async (authorization: string | null) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (authorization) headers.authorization = authorization;
        const res = await fetch(withService.subgraph.url, { method: 'POST', headers, body: JSON.stringify({ query: `{ run(path: "${otherRuns[0]}") { path } }` }) });
        return (await res.json()) as { data?: any };
      };
      expect((await post(null)).data.run.path).toBe(otherRuns[0]);
      // A caller with their own key is served with it, not with the service key.
      expect((await post(basic(DEMO_API_KEY))).data.run).toBeNull();
    } finally {
      await withService.close();
    }
  });
});
