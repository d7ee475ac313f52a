/**
 * `npm start`: with no WANDB_BASE_URL, starts the embedded W&B API emulator
 * on a SQLite file under .data/ (seeded with the demo dataset on first run)
 * and prints where to reach it and the demo API key.
 */
import { loadConfig } from './config.js';
import { startEmulator } from './emulator/server.js';
import { DEMO_API_KEY } from './emulator/seed.js';

const config = loadConfig();
if (config.wandbBaseUrl) {
  process.stdout.write(`WANDB_BASE_URL is set (${config.wandbBaseUrl}); the subgraph that talks to it is not built yet, so there is nothing to start.\n`);
  process.exit(0);
}

const started = Date.now();
const emulator = await startEmulator({
  port: config.emulator.port,
  host: config.emulator.host,
  dataDir: config.emulator.dataDir,
  delayMs: config.emulator.delayMs,
  seed: true,
});
const seeded = emulator.seeded
  ? `seeded ${emulator.seeded.runs} runs and ${emulator.seeded.historyRows} history rows in ${Date.now() - started} ms`
  : `data from ${config.emulator.dataDir}`;
process.stdout.write(
  [
    '',
    `W&B API emulator: ${emulator.url}/graphql  (${seeded})`,
    `Demo API key:     ${DEMO_API_KEY}`,
    `                  user "demo", member of "demo" and "acme-ml"`,
    '',
    'Point any W&B client at it:',
    `  WANDB_BASE_URL=${emulator.url} WANDB_API_KEY=${DEMO_API_KEY} python -c "import wandb; print(len(wandb.Api().runs('acme-ml/image-classification')))"`,
    'or query it directly:',
    `  curl -s -u api:${DEMO_API_KEY} ${emulator.url}/graphql -H 'content-type: application/json' \\`,
    `    -d '{"query":"{ project(entityName: \\"acme-ml\\", name: \\"image-classification\\") { runCount runs(first: 3) { edges { node { name displayName state summaryMetrics } } } } }"}'`,
    '',
  ].join('\n'),
);

const stop = () => {
  void emulator.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
