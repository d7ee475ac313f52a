/**
 * `npm start`: the subgraph on PORT (default 4001). With no WANDB_BASE_URL,
 * it first starts the embedded W&B API emulator on a SQLite file under
 * .data/ (seeded with the demo dataset on first run) and uses the demo key
 * as the service key; with WANDB_BASE_URL and WANDB_API_KEY, it talks to
 * that W&B instead. The emulator is a dev-only workspace package, loaded by
 * dynamic import in demo mode only: a production install has neither it nor SQLite.
 */
import { loadConfig } from './config.js';
import { stopOnSignals } from './http/shutdown.js';
import { startSubgraph, subgraphOptionsFrom } from './http/server.js';
import { createLogger } from './observability/logger.js';
import { prepareDashboard } from './http/dashboard.js';
import { startTracing } from './observability/tracing.js';

/** What the demo uses of the emulator package (its index.ts; test/unit/demoEntry.test.ts checks the two agree). */
export interface DemoEmulator {
  url: string;
  seeded: { runs: number; historyRows: number } | null;
  close(): Promise<void>;
}
export interface EmulatorPackage {
  startEmulator(options: { port: number; host: string; dataDir: string; delayMs: number; seed: boolean }): Promise<DemoEmulator>;
  DEMO_API_KEY: string;
}
// A name in a variable, so that neither tsc's build nor a bundler follows it into the product.
const emulatorPackage = 'wandb-emulator';

const config = loadConfig();
// Before anything else: with OTEL_EXPORTER_OTLP_ENDPOINT set, the SDK is loaded and spans are exported.
const tracing = await startTracing();
const logger = createLogger({ level: config.logLevel });
const started = Date.now();
let emulator: DemoEmulator | null = null;
let demoKey = '';
let baseUrl = config.wandbBaseUrl;
let serviceKey = config.wandbApiKey;
if (!baseUrl) {
  const { startEmulator, DEMO_API_KEY } = (await import(emulatorPackage)) as EmulatorPackage;
  demoKey = DEMO_API_KEY;
  emulator = await startEmulator({
    port: config.emulator.port,
    host: config.emulator.host,
    dataDir: config.emulator.dataDir,
    delayMs: config.emulator.delayMs,
    seed: true,
  });
  baseUrl = emulator.url;
  serviceKey ??= demoKey;
}
// The demo serves the dashboard app under /dashboard/, building it first when its build is stale.
const dashboard = emulator ? await prepareDashboard().catch((error: unknown) => ({ dir: null, reason: error instanceof Error ? error.message : String(error) })) : null;
const subgraph = await startSubgraph({
  ...subgraphOptionsFrom(config, { wandbBaseUrl: baseUrl, serviceKey, demo: emulator !== null }, logger),
  dashboardDir: dashboard?.dir ?? null,
});
logger.info(
  { url: subgraph.url, upstream: new URL(baseUrl).origin, emulator: emulator !== null, redis: config.redisUrl !== null, tracing: tracing !== null, startupMs: Date.now() - started },
  'subgraph started',
);

const lines = [''];
lines.push(`Subgraph:  ${subgraph.url}   (W&B runs, Apollo Federation 2)`);
if (dashboard?.dir) {
  const built = 'builtMs' in dashboard && dashboard.builtMs !== null ? `built in ${dashboard.builtMs} ms` : 'up-to-date build';
  lines.push(`Dashboard: ${new URL('/dashboard/', subgraph.url).href}   (${built})`);
} else if (dashboard && 'reason' in dashboard) {
  lines.push(`Dashboard: not served (${dashboard.reason})`);
}
if (emulator) {
  const seeded = emulator.seeded
    ? `seeded ${emulator.seeded.runs} runs and ${emulator.seeded.historyRows} history rows in ${Date.now() - started} ms`
    : `data from ${config.emulator.dataDir}`;
  lines.push(`W&B API:   ${emulator.url}/graphql   (embedded emulator, ${seeded})`);
  lines.push(`Demo key:  ${demoKey}   (user "demo"; used when a caller sends no Authorization)`);
} else {
  lines.push(`W&B API:   ${baseUrl}/graphql`);
}
lines.push(
  '',
  'Try:',
  `  curl -s ${subgraph.url} -H 'content-type: application/json' \\`,
  `    -d '{"query":"{ runs(entity: \\"acme-ml\\", project: \\"image-classification\\", first: 3, order: \\"-summary_metrics.val/acc\\") { totalCount nodes { path displayName state summary(keys: [\\"val/acc\\"]) } } }"}'`,
  '',
);
process.stdout.write(lines.join('\n'));

stopOnSignals(logger, [() => subgraph.close(), async () => emulator?.close(), async () => tracing?.shutdown()]);
