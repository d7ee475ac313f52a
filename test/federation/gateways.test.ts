/**
 * Real gateways in front of our subgraph and a company subgraph: a
 * federated query over 50 models reaches our subgraph in one _entities call
 * and W&B in at most 2 requests; our errors reach clients with their codes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEMO_API_KEY } from '../../emulator/src/seed.js';
import { startFederatedStack, type FederatedStack } from '../helpers/federation.js';
import { QueryPlanner, prettyFormatQueryPlan } from '@apollo/query-planner';
import { Supergraph, operationFromDocument } from '@apollo/federation-internals';
import { parse } from 'graphql';

const MODELS = `{ models(first: 50) { id name trainedBy { path displayName summary(keys: ["train/loss"]) history(first: 10) { edges { node { step } } } } } }`;

describe('federation through real gateways', () => {
  let fed: FederatedStack;
  beforeAll(async () => {
    fed = await startFederatedStack();
  }, 60_000);
  afterAll(() => fed.close());

  const post = async (url: string, query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`api:${DEMO_API_KEY}`).toString('base64')}` },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, ...((await res.json()) as { data?: any; errors?: any[] }) };
  };

  it('plans the models query as one fetch from the company subgraph, then one _entities fetch from ours', () => {
    const supergraph = Supergraph.build(fed.supergraphSdl);
    const plan = new QueryPlanner(supergraph).buildQueryPlan(operationFromDocument(supergraph.schema, parse(MODELS)));
    const text = prettyFormatQueryPlan(plan);
    expect(text.match(/Fetch\(service: "company"\)/g)).toHaveLength(1);
    expect(text.match(/Fetch\(service: "wandb"\)/g)).toHaveLength(1);
    expect(text).toContain('Flatten(path: "models.@.trainedBy")');
    console.log(text);
  });

  for (const gateway of ['@apollo/gateway', 'Hive Gateway']) {
    describe(gateway, () => {
      const url = () => fed.gateways.find((g) => g.name === gateway)!.url;

      it('resolves 50 models\' training runs with one _entities call and at most 2 upstream requests', async () => {
        fed.wandbProxy.reset();
        fed.stack.emulator.resetRequests();
        const res = await post(url(), MODELS);
        expect(res.errors).toBeUndefined();
        const models = res.data.models;
        expect(models).toHaveLength(50);
        expect(models.map((m: any) => m.trainedBy.path)).toEqual(fed.models.map((m) => m.trainedBy));
        for (const m of models) {
          expect(typeof m.trainedBy.summary['train/loss']).toBe('number');
          const steps = m.trainedBy.history.edges.map((e: any) => e.node.step);
          expect(steps.length).toBeGreaterThan(0);
          expect(steps).toEqual([...steps].sort((a, b) => a - b));
        }
        const toWandb = fed.wandbProxy.bodies.map((b) => JSON.parse(b).query as string);
        expect(toWandb.filter((q) => q.includes('_entities'))).toHaveLength(1);
        expect(toWandb).toHaveLength(1);
        expect(fed.stack.emulator.requestCount()).toBeLessThanOrEqual(2);
        console.log(`${gateway}: ${toWandb.length} request to the wandb subgraph, ${fed.stack.emulator.requestCount()} upstream requests`);
      });

      it('resolves runs referenced by id (evaluatedBy) and by path (trainedBy) to the same run data', async () => {
        const res = await post(url(), '{ model(id: "m3") { trainedBy { id path } evaluatedBy { id path state } } }');
        expect(res.errors).toBeUndefined();
        const m = fed.models[3];
        expect(res.data.model.trainedBy.path).toBe(m.trainedBy);
        expect(res.data.model.evaluatedBy.map((r: any) => r.id)).toEqual(m.evaluatedBy);
        expect(res.data.model.evaluatedBy.every((r: any) => /^[a-z0-9-]+\/[a-z0-9-]+\/[a-z0-9]+$/.test(r.path) && r.state)).toBe(true);
      });

      it('Query.node resolves runs and artifacts by id, with fields from both subgraphs on the run', async () => {
        const direct = await post(fed.stack.subgraph.url, '{ run(path: "acme-ml/image-classification/tanj6ed1") { id loggedArtifacts(first: 1) { edges { node { id qualifiedName } } } } }');
        const run = direct.data.run;
        const artifact = run.loggedArtifacts.edges[0].node;
        const res = await post(
          url(),
          'query N($run: ID!, $artifact: ID!) { r: node(id: $run) { __typename id ... on Run { path state } } a: node(id: $artifact) { __typename id ... on Artifact { qualifiedName } } }',
          { run: run.id, artifact: artifact.id },
        );
        expect(res.errors).toBeUndefined();
        expect(res.data.r).toEqual({ __typename: 'Run', id: run.id, path: 'acme-ml/image-classification/tanj6ed1', state: expect.any(String) });
        expect(res.data.a).toEqual({ __typename: 'Artifact', id: artifact.id, qualifiedName: artifact.qualifiedName });
        const bad = await post(url(), '{ node(id: "bm90LWFuLWlk") { id } }');
        expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      });

      it('passes our error codes through to the client', async () => {
        const bad = await post(url(), '{ run(path: "not-a-path") { id } }');
        expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
        const nested = await post(url(), '{ model(id: "m1") { trainedBy { history(first: 0) { edges { cursor } } } } }');
        expect(nested.errors?.some((e: any) => e.extensions?.code === 'BAD_USER_INPUT')).toBe(true);
        const filters = await post(url(), 'query F($f: JSON) { runs(entity: "acme-ml", project: "image-classification", filters: $f) { totalCount } }', { f: { $where: 1 } });
        expect(filters.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
        expect(filters.errors?.[0].message).toContain('$where');
      });

      it('forwards the caller\'s key: without one, W&B refuses with UNAUTHENTICATED', async () => {
        const res = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ run(path: "acme-ml/image-classification/x") { id } }' }) });
        const body = (await res.json()) as { errors?: any[] };
        expect(body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      });
    });
  }
});
