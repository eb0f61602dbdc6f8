-- DuckDB's version of V1__sync_tables.sql (db/warehouse): the same tables, with the delivered
-- fields as JSON (DuckDB has no jsonb) and "at" quoted (a keyword there). Applied by
-- WarehouseMigrations' DuckDB runner; a version's scripts for the two engines make the same tables.
-- Each audience's current members and their enter/exit log, ordered by the evaluation that
-- observed each change (never by when a run started).
create table if not exists cs_sync.audience_member (
  audience_key text not null,
  member_key   text not null,
  version      integer not null,
  since        timestamptz not null,
  run_id       text,
  primary key (audience_key, member_key)
);
create table if not exists cs_sync.membership_log (
  audience_key text not null,
  member_key   text not null,
  "at"         timestamptz not null,
  change       text not null,
  version      integer not null,
  run_id       text
);
create index if not exists membership_log_member on cs_sync.membership_log (audience_key, member_key, "at");

-- The newest evaluation each audience's log holds: an older one (a late replay, a slower run of a
-- second sync) is not logged after it.
create table cs_sync.audience_evaluation (
  audience_key text not null primary key,
  evaluated_at timestamptz not null,
  run_id       text
);

create table if not exists cs_sync.snapshot_member (
  snapshot_id bigint not null,
  member_key  text not null,
  primary key (snapshot_id, member_key)
);

-- What each sync's destination has accepted: key, row hash, the fields last sent (a mirror removal
-- is sent with them), and the run that sent them. Advanced from the batch ledger, set-based.
create table cs_sync.delivered_state (
  sync_key  text not null,
  key       text not null,
  h         bigint,
  fields    json not null,
  run_id    text not null,
  synced_at timestamptz not null,
  primary key (sync_key, key)
);
