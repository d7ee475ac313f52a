/**
 * The emulator's SQLite schema, as an ordered list of migrations. A database
 * records the number of migrations applied in `PRAGMA user_version`; opening
 * it applies the rest in one transaction each. Never edit a shipped entry:
 * append a new one.
 */
export const migrations: readonly string[] = [
  /* 1: the W&B model — users, entities, projects, runs, history, files, artifacts. */ `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

  CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    email TEXT,
    default_entity_id INTEGER
  );
  -- API keys are stored as SHA-256 digests, never in clear.
  CREATE TABLE api_keys (
    key_digest TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE
  );
  CREATE TABLE entities (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    is_team INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE memberships (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    entity_id INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, entity_id)
  ) WITHOUT ROWID;
  CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    entity_id INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (entity_id, name)
  );
  CREATE TABLE sweeps (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    display_name TEXT,
    method TEXT NOT NULL,
    state TEXT NOT NULL,
    description TEXT,
    best_loss REAL,
    config TEXT NOT NULL,
    run_count_expected INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT,
    UNIQUE (project_id, name)
  );
  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    display_name TEXT,
    state TEXT NOT NULL DEFAULT 'running',
    user_id INTEGER REFERENCES users(id),
    config TEXT NOT NULL DEFAULT '{}',
    summary TEXT NOT NULL DEFAULT '{}',
    system_metrics TEXT NOT NULL DEFAULT '{}',
    tags TEXT NOT NULL DEFAULT '[]',
    group_name TEXT,
    job_type TEXT,
    commit_hash TEXT,
    notes TEXT,
    description TEXT,
    host TEXT,
    sweep_name TEXT,
    created_at TEXT NOT NULL,
    heartbeat_at TEXT,
    updated_at TEXT,
    history_line_count INTEGER NOT NULL DEFAULT 0,
    last_step INTEGER,
    event_count INTEGER NOT NULL DEFAULT 0,
    log_line_count INTEGER NOT NULL DEFAULT 0,
    UNIQUE (project_id, name)
  );
  CREATE INDEX runs_project_created ON runs (project_id, created_at, id);
  CREATE INDEX runs_project_sweep ON runs (project_id, sweep_name);

  -- The distinct sets of keys that history rows of a run hold. A row points
  -- at its key set, so "rows holding every key of K" is a range read over the
  -- few key sets that contain K instead of a scan of every row's JSON.
  CREATE TABLE history_keysets (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    keys TEXT NOT NULL,
    UNIQUE (run_id, keys)
  );
  -- One history row per (run, step), kept as the JSON text it was logged as.
  CREATE TABLE history (
    run_id INTEGER NOT NULL,
    step INTEGER NOT NULL,
    keyset_id INTEGER NOT NULL,
    row TEXT NOT NULL,
    PRIMARY KEY (run_id, step)
  ) WITHOUT ROWID;
  CREATE INDEX history_keyset_step ON history (run_id, keyset_id, step);
  -- Value types seen per history key, for historyKeys.
  CREATE TABLE history_key_types (
    run_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    type TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (run_id, key, type)
  ) WITHOUT ROWID;
  -- System-metric rows (wandb-events.jsonl), by line number.
  CREATE TABLE events (
    run_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    row TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE log_lines (
    run_id INTEGER NOT NULL,
    number INTEGER NOT NULL,
    line TEXT NOT NULL,
    level TEXT,
    label TEXT,
    timestamp TEXT,
    PRIMARY KEY (run_id, number)
  ) WITHOUT ROWID;
  -- How many lines of each filestream file were ingested, so that a resent
  -- chunk is not applied twice.
  CREATE TABLE filestream_offsets (
    run_id INTEGER NOT NULL,
    file TEXT NOT NULL,
    next_offset INTEGER NOT NULL,
    PRIMARY KEY (run_id, file)
  ) WITHOUT ROWID;

  CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    size_bytes INTEGER NOT NULL DEFAULT 0,
    mimetype TEXT,
    md5 TEXT,
    content BLOB,
    uploaded INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    UNIQUE (run_id, name)
  );

  CREATE TABLE artifact_types (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    UNIQUE (project_id, name)
  );
  CREATE TABLE artifact_collections (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    type_id INTEGER NOT NULL REFERENCES artifact_types(id),
    name TEXT NOT NULL,
    UNIQUE (project_id, name)
  );
  CREATE TABLE artifacts (
    id INTEGER PRIMARY KEY,
    collection_id INTEGER NOT NULL REFERENCES artifact_collections(id) ON DELETE CASCADE,
    version_index INTEGER NOT NULL,
    digest TEXT NOT NULL,
    description TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL DEFAULT 'COMMITTED',
    size INTEGER NOT NULL DEFAULT 0,
    file_count INTEGER NOT NULL DEFAULT 0,
    commit_hash TEXT,
    history_step INTEGER,
    ttl_duration_seconds INTEGER NOT NULL DEFAULT -2,
    created_by_run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT,
    UNIQUE (collection_id, version_index)
  );
  CREATE INDEX artifacts_created_by ON artifacts (created_by_run_id, id);
  CREATE INDEX artifacts_digest ON artifacts (collection_id, digest);
  CREATE TABLE artifact_aliases (
    id INTEGER PRIMARY KEY,
    collection_id INTEGER NOT NULL REFERENCES artifact_collections(id) ON DELETE CASCADE,
    alias TEXT NOT NULL,
    artifact_id INTEGER NOT NULL REFERENCES artifacts(id) ON DELETE CASCADE,
    UNIQUE (collection_id, alias)
  );
  CREATE TABLE artifact_tags (
    artifact_id INTEGER NOT NULL REFERENCES artifacts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    PRIMARY KEY (artifact_id, name)
  ) WITHOUT ROWID;
  -- Inputs of runs; seq orders a run's inputs for keyset paging.
  CREATE TABLE artifact_usages (
    seq INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    artifact_id INTEGER NOT NULL REFERENCES artifacts(id) ON DELETE CASCADE,
    used_as TEXT,
    UNIQUE (run_id, artifact_id)
  );
  `,
  /* 2: runs that logged an artifact. A version logged again by another run
     (same digest, deduplicated) is an output of both, as on W&B. */ `
  CREATE TABLE artifact_outputs (
    seq INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    artifact_id INTEGER NOT NULL REFERENCES artifacts(id) ON DELETE CASCADE,
    UNIQUE (run_id, artifact_id)
  );
  INSERT INTO artifact_outputs (run_id, artifact_id)
    SELECT created_by_run_id, id FROM artifacts WHERE created_by_run_id IS NOT NULL ORDER BY id;
  `,
  /* 3: API key labels; manifests of artifact versions; the version alias vN
     that W&B lists among a version's aliases. */ `
  ALTER TABLE api_keys ADD COLUMN name TEXT;
  ALTER TABLE api_keys ADD COLUMN description TEXT;
  CREATE TABLE artifact_manifests (
    artifact_id INTEGER PRIMARY KEY REFERENCES artifacts(id) ON DELETE CASCADE,
    digest TEXT NOT NULL,
    content BLOB NOT NULL,
    created_at TEXT NOT NULL
  );
  INSERT OR IGNORE INTO artifact_aliases (collection_id, alias, artifact_id)
    SELECT collection_id, 'v' || version_index, id FROM artifacts ORDER BY id;
  `,
  /* 4: a stop asked for with stopRun, until the run's client completes it. */ `
  ALTER TABLE runs ADD COLUMN stop_requested INTEGER NOT NULL DEFAULT 0;
  `,
];
