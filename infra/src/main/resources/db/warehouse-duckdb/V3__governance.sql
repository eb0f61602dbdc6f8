-- DuckDB's version of V3__governance.sql (db/warehouse): the same tables, "at" quoted (a keyword
-- in DuckDB). A version's scripts for the two engines make the same tables.
-- Every row a run excluded, with its first reason (subset, consent, rule, priority, split,
-- holdout, identifier) and a detail: GET /api/v1/runs/{id}/exclusions and the why answer read it.
-- Purged with the run's other records after studio.sync.run-retention.
create table cs_sync.run_exclusion (
  run_id     text not null,
  sync_key   text not null,
  member_key text not null,
  reason     text not null,
  detail     text,
  "at"       timestamptz not null,
  primary key (run_id, member_key)
);
create index run_exclusion_by_reason on cs_sync.run_exclusion (run_id, reason, member_key);

-- The last removal each sync sent for a key (a mirror exit, a withdrawn consent), for the why
-- answer's lastDelivery: the delivered state forgets a key once its delete is accepted.
create table cs_sync.delivered_removal (
  sync_key   text not null,
  key        text not null,
  run_id     text not null,
  removed_at timestamptz not null,
  primary key (sync_key, key)
);

-- The holdout log: append-only, kept for analysts to join with outcomes (never purged). Its
-- schema is studio.governance.log-schema (cs_logs).
create schema if not exists ${logSchema};
create table ${logSchema}.holdout_log (
  sync_key    text not null,
  run_id      text not null,
  audience    text not null,
  split_group text not null,
  member_key  text not null,
  logged_at   timestamptz not null
);
create index holdout_log_by_run on ${logSchema}.holdout_log (run_id, member_key);
create index holdout_log_by_audience on ${logSchema}.holdout_log (audience, logged_at);
