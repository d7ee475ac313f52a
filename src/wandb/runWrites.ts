import type { RunRef } from './ids.js';

/**
 * One write at a time per run in this process. A mutation reads a run and
 * writes it back (createRun checks that the run is new; updateRun merges
 * the summary into the one it read), and two such writes at once would
 * each miss the other's. Replicas do not share this queue (W&B has no
 * compare-and-set); across them createRun still reports a run W&B says
 * was already there (upsertBucket's `inserted`). Entries live only while
 * writes wait, so the map holds at most the writes in flight.
 */
export function oneWriteAtATime<T>(ref: RunRef, write: () => Promise<T>): Promise<T> {
  // W&B's entity and project names are case-insensitive; run ids are not.
  const key = `${ref.entity.toLowerCase()}/${ref.project.toLowerCase()}/${ref.runId}`;
  const mine = (queues.get(key) ?? Promise.resolve()).then(write);
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
