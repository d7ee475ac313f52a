import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayRuntime } from '@graphql-hive/gateway';
import { composeSupergraph, fetchSubgraphSdl, startApolloGateway } from '../../scripts/federation.js';
import { startCompanySubgraph, type ModelData } from '../fixtures/company/server.js';
import { startRecordingProxy, type RecordingProxy } from './proxy.js';
import { startStack, subgraphClient, type Stack } from './stack.js';
import { storageId } from '../../emulator/test/helpers/emulator.js';

export interface FederatedStack {
  stack: Stack;
  /** Records what the gateways send to our subgraph. */
  wandbProxy: RecordingProxy;
  models: ModelData[];
  supergraphSdl: string;
  gateways: { name: string; url: string }[];
  close(): Promise<void>;
}

/**
 * The emulator, our subgraph (behind a recording proxy), the company
 * subgraph with 50 models pointing at seeded runs, the composed supergraph,
 * and both gateways in front: @apollo/gateway and Hive Gateway. Both
 * forward the caller's Authorization header to the subgraphs.
 */
export async function startFederatedStack(): Promise<FederatedStack> {
  const stack = await startStack();
  const page = await subgraphClient(stack)('{ runs(entity: "acme-ml", project: "image-classification", first: 100) { nodes { path runId } } }');
  const paths: string[] = page.data.runs.nodes.map((n: { path: string }) => n.path);
  const models: ModelData[] = Array.from({ length: 50 }, (_, i) => ({
    id: `m${i}`,
    name: `model-${i}`,
    trainedBy: paths[i],
    evaluatedBy: [paths[50 + (i % 50)], paths[(i + 7) % 100]].map((p) => storageId(...(p.split('/') as [string, string, string]))),
  }));
  const company = await startCompanySubgraph(models);
  const wandbProxy = await startRecordingProxy(stack.subgraph.url);
  const { supergraphSdl } = composeSupergraph([
    { name: 'wandb', url: wandbProxy.url, sdl: await fetchSubgraphSdl(stack.subgraph.url) },
    { name: 'company', url: company.url, sdl: await fetchSubgraphSdl(company.url) },
  ]);

  const apollo = await startApolloGateway(supergraphSdl, { port: 0, host: '127.0.0.1' });
  const apolloUrl = apollo.url;

  const hive = createGatewayRuntime({
    supergraph: supergraphSdl,
    logging: false,
    propagateHeaders: { fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') }) },
  });
  const hiveServer: Server = createServer(hive);
  await new Promise<void>((resolve) => hiveServer.listen(0, '127.0.0.1', resolve));
  const hiveUrl = `http://127.0.0.1:${(hiveServer.address() as AddressInfo).port}/graphql`;

  return {
    stack,
    wandbProxy,
    models,
    supergraphSdl,
    gateways: [
      { name: '@apollo/gateway', url: apolloUrl },
      { name: 'Hive Gateway', url: hiveUrl },
    ],
    close: async () => {
      await apollo.stop();
      await hive.dispose();
      await new Promise<void>((resolve) => {
        hiveServer.close(() => resolve());
        hiveServer.closeAllConnections();
      });
      await company.stop();
      await wandbProxy.close();
      await stack.close();
    },
  };
}
