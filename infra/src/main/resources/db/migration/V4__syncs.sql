-- Syncs: an audience delivered to a destination on a schedule. mapping, identifier and schedule
-- are JSON (the API's shapes); trigger_secret is sealed (SecretBox) and signs real-time triggers.
create table sync (
  sync_key        varchar(100) not null primary key,
  name            varchar(200) not null,
  audience_key    varchar(100) not null,
  destination_key varchar(100) not null,
  mode            varchar(10)  not null,
  mapping         text         not null,
  identifier      text         not null,
  schedule        text         not null,
  enabled         boolean      not null,
  snapshots       boolean      not null,
  trigger_secret  text         not null,
  created_by      varchar(64)  not null,
  created_at      timestamp with time zone not null,
  updated_by      varchar(64)  not null,
  updated_at      timestamp with time zone not null
);

-- One row per run. Status moves queued -> querying -> diffing -> delivering -> one of succeeded,
-- succeeded_with_errors, failed, interrupted, cancelled. phases is a JSON list of
-- {"phase", "startedAt", "finishedAt"}. workflow_id names the current attempt (replays add one).
-- Delivered and rejected counts are not kept here: they are sums over sync_run_batch.
create table sync_run (
  run_id            varchar(40)  not null primary key,
  sync_key          varchar(100) not null references sync (sync_key) on delete cascade,
  run_trigger       varchar(20)  not null,
  status            varchar(30)  not null,
  workflow_id       varchar(120),
  attempts          integer      not null,
  audience_version  integer,
  members           bigint,
  added             bigint,
  changed           bigint,
  removed           bigint,
  batches           integer,
  batch_size        integer,
  phases            text         not null,
  error             text,
  queued_at         timestamp with time zone not null,
  started_at        timestamp with time zone,
  finished_at       timestamp with time zone
);
create index sync_run_by_sync on sync_run (sync_key, queued_at);
create index sync_run_by_status on sync_run (status);

-- The batches a run has delivered: a replay or a retried activity skips these.
create table sync_run_batch (
  run_id          varchar(40)  not null references sync_run (run_id) on delete cascade,
  batch           integer      not null,
  idempotency_key varchar(80)  not null,
  row_count       integer      not null,
  accepted        integer      not null,
  rejected        integer      not null,
  delivered_at    timestamp with time zone not null,
  primary key (run_id, batch)
);

-- Rows a destination rejected, kept for studio.sync.row-error-retention (7 days by default).
create table sync_row_error (
  id          bigserial    not null primary key,
  run_id      varchar(40)  not null references sync_run (run_id) on delete cascade,
  row_key     text         not null,
  reason      text         not null,
  created_at  timestamp with time zone not null
);
create index sync_row_error_by_run on sync_row_error (run_id);
create index sync_row_error_by_time on sync_row_error (created_at);

-- Membership snapshots of an audience; the member keys live in the warehouse (cs_sync schema).
create table audience_snapshot (
  id                bigserial    not null primary key,
  audience_key      varchar(100) not null,
  audience_version  integer      not null,
  run_id            varchar(40),
  members           bigint       not null,
  taken_by          varchar(64)  not null,
  taken_at          timestamp with time zone not null
);
create index audience_snapshot_by_audience on audience_snapshot (audience_key, taken_at);
