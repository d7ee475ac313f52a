/** The emulator and the subgraph in one process, for the load test to measure from outside. */
import { startStack } from '../../helpers/stack.js';

const stack = await startStack();
process.stdout.write(`READY ${stack.subgraph.url}\n`);
process.once('SIGTERM', () => {
  void stack.close().then(() => process.exit(0));
});
