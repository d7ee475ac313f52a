/**
 * Query.node(id) (Relay's Node) over real HTTP: runs and artifacts come
 * back by the ids the subgraph gave them, with type-specific fields; an id
 * of something missing or not visible to the caller is null; an id that is
 * neither type's is BAD_USER_INPUT.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OTHER_API_KEY } from '../../../emulator/src/seed.js';
import { startStack, subgraphClient, upstreamRequests, type Stack } from '../../helpers/stack.js';
import { storageId } from '../../../emulator/test/helpers/emulator.js';

const NODE = `query N($id: ID!) { node(id: $id) { __typename id ... on Run { path displayName summary(keys: ["val/acc"]) } ... on Artifact { qualifiedName type } } }`;

describe('Query.node', () => {
  let stack: Stack;
  let query: ReturnType<typeof subgraphClient>;
  let run: any;

  beforeAll(async () => {
    stack = await startStack();
    query = subgraphClient(stack);
    const res = await query(`{ run(path: "acme-ml/image-classification/tanj6ed1") { id path displayName summary(keys: ["val/acc"]) loggedArtifacts(first: 5) { edges { node { id qualifiedName type } } } } }`);
    run = res.data.run;
    expect(run.loggedArtifacts.edges.length).toBeGreaterThan(0);
  }, 60_000);
  afterAll(() => stack.close());

  it('returns a run by its id, with the same fields as run(path), in one upstream request', async () => {
    const { count } = await upstreamRequests(stack, async () => {
      const res = await query(NODE, { id: run.id });
      expect(res.errors).toBeUndefined();
      expect(res.data.node).toEqual({ __typename: 'Run', id: run.id, path: run.path, displayName: run.displayName, summary: run.summary });
    });
    expect(count).toBe(1);
  });

  it('returns an artifact by its id', async () => {
    for (const { node } of run.loggedArtifacts.edges) {
      const res = await query(NODE, { id: node.id });
      expect(res.errors).toBeUndefined();
      expect(res.data.node).toEqual({ __typename: 'Artifact', id: node.id, qualifiedName: node.qualifiedName, type: node.type });
    }
  });

  it("is null for a run that does not exist or that the caller may not see", async () => {
    expect((await query(NODE, { id: storageId('acme-ml', 'image-classification', 'nosuchrun') })).data).toEqual({ node: null });
    const asOther = await subgraphClient(stack, OTHER_API_KEY)(NODE, { id: run.id });
    expect(asOther.errors).toBeUndefined();
    expect(asOther.data.node).toBeNull();
    expect((await query(NODE, { id: Buffer.from('Artifact:999999').toString('base64') })).data).toEqual({ node: null });
  });

  it('refuses ids of neither type with BAD_USER_INPUT, without asking W&B', async () => {
    for (const id of ['', 'not base64!', Buffer.from('File:12').toString('base64'), Buffer.from('Run:v1:x').toString('base64'), 'A'.repeat(5000)]) {
      const { count } = await upstreamRequests(stack, async () => {
        const res = await query(NODE, { id });
        expect(res.status).toBeLessThan(500);
        expect((res.errors ?? []).map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      });
      expect(count).toBe(0);
    }
  });
});
