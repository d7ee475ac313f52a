import type { Db } from './store/db.js';
import type { RunRow } from './store/types.js';
import { appendEvents, appendHistory } from './store/history.js';
import { appendLogLines } from './store/logs.js';
import { updateRun } from './store/runs.js';
import { QueryInputError } from './runFilters.js';
import { parseWandbJson } from './wandbJson.js';

/** W&B's filestream request body (what wandb's sender POSTs to file_stream). */
interface FileStreamBody {
  files?: Record<string, { offset: number; content: string[] }>;
  complete?: boolean;
  exitcode?: number | null;
  preempting?: boolean;
}

/**
 * Applies one filestream request to a run, in one transaction: history,
 * events, summary and console lines at their offsets, then the run's
 * heartbeat and state (`complete` with `exitcode` 0 finishes it, another
 * code fails it; `preempting` marks it so). Lines below a file's ingested
 * offset were applied before (a client resend) and are skipped, so a resent
 * chunk never duplicates rows. Throws QueryInputError on a malformed body.
 */
export function ingestFileStream(db: Db, run: RunRow, body: unknown, now: string): { exitcode: null; limits: Record<string, never> } {
  const request = parseBody(body);
  db.transaction(() => {
    const offsets = db.prepare('SELECT next_offset FROM filestream_offsets WHERE run_id = ? AND file = ?');
    const saveOffset = db.prepare(
      `INSERT INTO filestream_offsets (run_id, file, next_offset) VALUES (?, ?, ?)
       ON CONFLICT (run_id, file) DO UPDATE SET next_offset = max(next_offset, excluded.next_offset)`,
    );
    for (const [file, chunk] of Object.entries(request.files ?? {})) {
      if (file === 'wandb-summary.json') {
        // The summary file is rewritten whole: its last line is the summary now.
        const latest = chunk.content[chunk.content.length - 1];
        if (latest !== undefined) updateRun(db, run.id, { summary: jsonObjectText(latest, file) }, now);
        continue;
      }
      const ingested = (offsets.get(run.id, file) as { next_offset: number } | undefined)?.next_offset ?? 0;
      const skip = Math.max(0, ingested - chunk.offset);
      const fresh = chunk.content.slice(skip);
      if (fresh.length === 0) continue;
      const start = chunk.offset + skip;
      if (file === 'wandb-history.jsonl') appendHistory(db, run.id, fresh);
      else if (file === 'wandb-events.jsonl') appendEvents(db, run.id, start, fresh);
      else if (file === 'output.log') appendLogLines(db, run.id, start, fresh);
      saveOffset.run(run.id, file, start + fresh.length);
    }
    let state: string | undefined;
    // A run stopped with stopRun stays killed when its client, seeing it stopped, completes it.
    const stopped = run.stop_requested === 1;
    if (request.complete) state = stopped ? undefined : request.exitcode === 0 || request.exitcode === undefined || request.exitcode === null ? 'finished' : 'failed';
    else if (request.preempting) state = 'preempting';
    else if (run.state === 'pending' || run.state === 'preempting') state = 'running';
    updateRun(db, run.id, { heartbeatAt: now, state, ...(request.complete && stopped ? { stopRequested: false } : {}) }, now);
  })();
  return { exitcode: null, limits: {} };
}

// Private:

function parseBody(body: unknown): FileStreamBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new QueryInputError('filestream body must be a JSON object');
  }
  const b = body as Record<string, unknown>;
  if (b.files !== undefined) {
    if (typeof b.files !== 'object' || b.files === null || Array.isArray(b.files)) {
      throw new QueryInputError('filestream "files" must be an object of {offset, content}');
    }
    for (const [name, chunk] of Object.entries(b.files)) {
      const c = chunk as { offset?: unknown; content?: unknown };
      if (typeof c !== 'object' || c === null || !Number.isInteger(c.offset) || (c.offset as number) < 0 || !Array.isArray(c.content) || !c.content.every((l) => typeof l === 'string')) {
        throw new QueryInputError(`filestream file ${JSON.stringify(name)} must be {offset: non-negative integer, content: string[]}`);
      }
    }
  }
  if (b.exitcode !== undefined && b.exitcode !== null && !Number.isInteger(b.exitcode)) {
    throw new QueryInputError('filestream "exitcode" must be an integer');
  }
  return b as FileStreamBody;
}

function jsonObjectText(line: string, file: string): string {
  try {
    const value: unknown = parseWandbJson(line);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return line;
  } catch {
    // fall through to the error below
  }
  throw new QueryInputError(`${file} content must be a JSON object`);
}
