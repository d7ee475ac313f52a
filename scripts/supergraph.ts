/**
 * `npm run supergraph`: a local supergraph on one machine — the W&B API
 * emulator (demo data), this subgraph on PORT (4001), the demo "company"
 * subgraph (a model registry pointing at W&B runs) on 4002, composed and
 * served by @apollo/gateway on GATEWAY_PORT (4000).
 */
import { loadConfig } from '../src/config.js';
import { stopOnSignals } from '../src/http/shutdown.js';
import { startEmulator } from '../emulator/src/server.js';
import { DEMO_API_KEY } from '../emulator/src/seed.js';
import { startSubgraph, subgraphOptionsFrom } from '../src/http/server.js';
import { composeSupergraph, fetchSubgraphSdl, startApolloGateway } from './federation.js';
import { startCompanySubgraph } from '../test/fixtures/company/server.js';
import { encodeRunId } from '../src/wandb/ids.js';
import { createLogger } from '../src/observability/logger.js';

const config = loadConfig();
const logger = createLogger({ level: config.logLevel });
const gatewayPort = Number(process.env.GATEWAY_PORT ?? 4000);
const companyPort = Number(process.env.COMPANY_PORT ?? 4002);

const emulator = await startEmulator({ port: config.emulator.port, host: config.emulator.host, dataDir: config.emulator.dataDir, seed: true });
const subgraph = await startSubgraph(
  subgraphOptionsFrom(config, { wandbBaseUrl: emulator.url, serviceKey: config.wandbApiKey ?? DEMO_API_KEY, demo: true }, logger),
);

// The company's 50 models point at the demo project's runs: trained by one (held by path), evaluated by two (held by id).
const page = await fetch(subgraph.url, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ query: '{ runs(entity: "acme-ml", project: "image-classification", first: 100, order: "+created_at") { nodes { path } } }' }),
});
const paths = ((await page.json()) as { data: { runs: { nodes: { path: string }[] } } }).data.runs.nodes.map((n) => n.path);
const models = Array.from({ length: 50 }, (_, i) => ({
  id: `model-${i + 1}`,
  name: `classifier-v${i + 1}`,
  trainedBy: paths[i % paths.length],
  evaluatedBy: [paths[(i + 50) % paths.length], paths[(i + 7) % paths.length]].map((p) => {
    const [entity, project, runId] = p.split('/');
    return encodeRunId({ entity, project, runId });
  }),
}));
const company = await startCompanySubgraph(models, companyPort);

const { supergraphSdl } = composeSupergraph([
  { name: 'wandb', url: subgraph.url, sdl: await fetchSubgraphSdl(subgraph.url) },
  { name: 'company', url: company.url, sdl: await fetchSubgraphSdl(company.url) },
]);
const gateway = await startApolloGateway(supergraphSdl, { port: gatewayPort, host: config.host });
const url = gateway.url;

logger.info({ gateway: url, subgraph: subgraph.url, company: company.url, upstream: emulator.url }, 'supergraph started');
process.stdout.write(
  [
    '',
    `Gateway (supergraph): ${url}`,
    `  wandb subgraph:     ${subgraph.url}`,
    `  company subgraph:   ${company.url}`,
    `  W&B API emulator:   ${emulator.url}/graphql   (demo key ${DEMO_API_KEY})`,
    '',
    'Try a federated query (models from the company subgraph, runs from W&B):',
    `  curl -s ${url} -H 'content-type: application/json' \\`,
    `    -d '{"query":"{ models(first: 3) { name trainedBy { path displayName state summary(keys: [\\"val/acc\\"]) history(first: 3, keys: [\\"val/acc\\"]) { edges { node { step values } } } } evaluatedBy { path state } } }"}'`,
    '',
  ].join('\n'),
);

stopOnSignals(logger, [() => gateway.stop(), () => company.stop(), () => subgraph.close(), () => emulator.close()]);
