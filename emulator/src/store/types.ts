/** Rows of the emulator's tables, as the GraphQL resolvers receive them. */

export interface UserRow {
  id: number;
  username: string;
  name: string;
  email: string | null;
  default_entity_id: number | null;
}

/** An API key's public face: never the key itself, which is stored only as a digest. */
export interface ApiKeyRow {
  id: number;
  user_id: number;
  name: string;
  description: string | null;
}

export interface EntityRow {
  id: number;
  name: string;
  is_team: number;
}

export interface ProjectRow {
  id: number;
  entity_id: number;
  entity_name: string;
  name: string;
  created_at: string;
}

export interface RunRow {
  id: number;
  project_id: number;
  project_name: string;
  entity_name: string;
  name: string;
  display_name: string | null;
  state: string;
  user_id: number | null;
  config: string;
  summary: string;
  system_metrics: string;
  tags: string;
  group_name: string | null;
  job_type: string | null;
  commit_hash: string | null;
  notes: string | null;
  description: string | null;
  host: string | null;
  sweep_name: string | null;
  created_at: string;
  heartbeat_at: string | null;
  updated_at: string | null;
  history_line_count: number;
  last_step: number | null;
  event_count: number;
  log_line_count: number;
  /** 1 from stopRun until the run's client completes it (Run.stopped). */
  stop_requested: number;
  /**
   * Set on a run reached through the legacy upload path (`model { bucket }`),
   * where W&B's `files(names)` declares the named files so that their
   * `url(upload: true)` can be PUT to.
   */
  upload_context?: boolean;
}

export interface SweepRow {
  id: number;
  project_id: number;
  name: string;
  display_name: string | null;
  method: string;
  state: string;
  description: string | null;
  best_loss: number | null;
  config: string;
  run_count_expected: number | null;
  created_at: string;
  updated_at: string | null;
}

export interface FileRow {
  id: number;
  run_id: number;
  name: string;
  size_bytes: number;
  mimetype: string | null;
  md5: string | null;
  uploaded: number;
  updated_at: string;
  /** Set on the file that holds an artifact version's manifest (not a run file): that version's id. */
  manifest_of?: number;
}

export interface ArtifactTypeRow {
  id: number;
  project_id: number;
  name: string;
}

export interface CollectionRow {
  id: number;
  project_id: number;
  type_id: number;
  name: string;
}

export interface ArtifactRow {
  id: number;
  collection_id: number;
  version_index: number;
  digest: string;
  description: string | null;
  metadata: string;
  state: string;
  size: number;
  file_count: number;
  commit_hash: string | null;
  history_step: number | null;
  ttl_duration_seconds: number;
  created_by_run_id: number | null;
  created_at: string;
  updated_at: string | null;
}

export interface AliasRow {
  id: number;
  collection_id: number;
  alias: string;
  artifact_id: number;
}

/** An artifact version's manifest (W&B manifest v1 JSON), stored beside the version. */
export interface ManifestRow {
  artifact_id: number;
  digest: string;
  size: number;
  md5: string;
  created_at: string;
}
