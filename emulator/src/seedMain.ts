/** `npm run seed -- [--data .data] [--scale 1]`: loads the demo dataset into an empty database. */
import { parseArgs } from 'node:util';
import { openDb } from './store/db.js';
import { isEmpty, seedDemo } from './seed.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: process.env.EMULATOR_DATA_DIR ?? '.data' },
    scale: { type: 'string', default: '1' },
  },
});

const db = openDb(values.data);
if (!isEmpty(db)) {
  process.stdout.write(`${values.data} already holds data; remove it to seed again.\n`);
} else {
  const started = Date.now();
  const result = seedDemo(db, { historyScale: Number(values.scale) });
  process.stdout.write(
    `Seeded ${values.data}: ${result.runs} runs in ${result.projects.length} projects, ${result.historyRows} history rows, in ${Date.now() - started} ms.\nDemo API key: ${result.demoKey}\n`,
  );
}
db.close();
