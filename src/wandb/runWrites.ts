import type { RunRef } from './ids.js';
import type { RunLocks } from '../fleet/runLocks.js';

/**
 * One write at a time per run. A mutation reads a run and writes it back
 * (createRun checks that the run is new; updateRun merges the summary into
 * the one it read), and two such writes at once would each miss the
 * other's. In this process, writes of a run wait in a queue; in a fleet,
 * the one at the head also takes the run's lease in Redis (`locks`,
 * fleet/runLocks.ts), so replicas take turns too. Queue entries live only
 * while writes wait, so the map holds at most the writes in flight.
 */
export function oneWriteAtATime<T>(ref: RunRef, write: () => Promise<T>, locks?: RunLocks): Promise<T> {
  // W&B's entity and project names are case-insensitive; run ids are not.
  const key = `${ref.entity.toLowerCase()}/${ref.project.toLowerCase()}/${ref.runId}`;
  const mine = (queues.get(key) ?? Promise.resolve()).then(() => (locks ? locks.hold(key, write) : write()));
  const settled = mine.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key);
  });
  return mine;
}

/** The last write queued per run (its settling), while any waits. */
const queues = new Map<string, Promise<void>>();
