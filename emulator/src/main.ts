/**
 * `npm run emulator -- [--port 4100] [--host 127.0.0.1] [--data .data] [--delay 0] [--no-seed] [--seed-scale 1] [--paging offset|keyset]`:
 * serves the W&B API emulator alone, so any W&B client can be pointed at it
 * (WANDB_BASE_URL=<url> WANDB_API_KEY=<demo key>).
 */
import { parseArgs } from 'node:util';
import { startEmulator } from './server.js';
import { DEMO_API_KEY } from './seed.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.EMULATOR_PORT ?? '4100' },
    host: { type: 'string', default: process.env.EMULATOR_HOST ?? '127.0.0.1' },
    data: { type: 'string', default: process.env.EMULATOR_DATA_DIR ?? '.data' },
    delay: { type: 'string', default: process.env.EMULATOR_DELAY_MS ?? '0' },
    'no-seed': { type: 'boolean', default: false },
    'seed-scale': { type: 'string', default: '1' },
    paging: { type: 'string', default: process.env.EMULATOR_PAGING ?? 'offset' },
  },
});

const port = Number(values.port);
const delayMs = Number(values.delay);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got ${values.port}`);
if (values.paging !== 'offset' && values.paging !== 'keyset') throw new Error(`--paging must be offset or keyset, got ${values.paging}`);
if (!Number.isFinite(delayMs) || delayMs < 0) throw new Error(`--delay must be a non-negative number of ms, got ${values.delay}`);

const started = Date.now();
const emulator = await startEmulator({ port, host: values.host, dataDir: values.data, seed: values['no-seed'] ? false : { historyScale: Number(values['seed-scale']) }, delayMs, paging: values.paging }).catch(
  (error: unknown) => {
    const code = (error as { code?: unknown }).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
    const why = code === 'EADDRINUSE' ? 'is already in use' : 'is not allowed';
    process.stderr.write(`wandb-emulator: port ${port} on ${values.host} ${why}: pass another --port (or set EMULATOR_PORT)\n`);
    process.exit(1);
  },
);
const seeded = emulator.seeded ? ` (seeded ${emulator.seeded.runs} runs, ${emulator.seeded.historyRows} history rows in ${Date.now() - started} ms)` : '';
process.stdout.write(
  [
    `W&B API emulator listening on ${emulator.url}${seeded}`,
    `  GraphQL:     ${emulator.url}/graphql`,
    `  filestream:  ${emulator.url}/files/<entity>/<project>/<run>/file_stream`,
    `  data:        ${values.data}`,
    `  paging:      ${values.paging === 'offset' ? 'offset cursors, as W&B (--paging keyset never skips or repeats)' : 'keyset cursors (W&B pages by offset)'}`,
    `  demo key:    ${DEMO_API_KEY}   (user "demo", entities "demo" and "acme-ml")`,
    `  try:         curl -s -u api:${DEMO_API_KEY} ${emulator.url}/graphql -H 'content-type: application/json' \\`,
    `                 -d '{"query":"{ viewer { username entity } }"}'`,
    '',
  ].join('\n'),
);

const stop = () => {
  void emulator.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
