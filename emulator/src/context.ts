import type { Db } from './store/db.js';
import type { UserRow } from './store/types.js';
import type { UrlSigner } from './storage.js';
import type { PagingMode } from './cursor.js';

/** What every emulator resolver gets: the database, the caller, and how to build URLs. */
export interface EmulatorContext {
  db: Db;
  user: UserRow;
  /** Absolute base URL of this emulator as the caller reached it, e.g. http://127.0.0.1:4100 */
  baseUrl: string;
  signer: UrlSigner;
  /** The current time as W&B prints it: YYYY-MM-DDTHH:MM:SSZ. */
  now: () => string;
  /** How runs, files and artifacts are paged: W&B's offsets (default) or keyset. */
  paging: PagingMode;
}
