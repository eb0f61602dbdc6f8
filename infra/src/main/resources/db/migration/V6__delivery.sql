-- The delivery core's bookkeeping.

-- A lease per delivery scope (a sync run today, a journey send next): the attempt holding it is the
-- only one that may send the scope's batches. It renews the lease while it works; another attempt
-- takes it over only once it has expired, so no batch is ever in flight in two attempts at once.
create table delivery_lease (
  scope       varchar(200) not null primary key,
  holder      varchar(300) not null,
  expires_at  timestamp with time zone not null
);

-- A run's final totals, written when it ends, so reading a finished run never sums its batches and
-- its batch records can be purged after the retention (studio.sync.run-retention).
alter table sync_run add column delivered bigint;
alter table sync_run add column rejected bigint;
alter table sync_run add column batches_delivered integer;
-- When the warehouse evaluated the audience for this run: the enter/exit log is ordered by it.
alter table sync_run add column evaluated_at timestamp with time zone;
-- The run's working tables were dropped by the retention: it can no longer be replayed.
alter table sync_run add column purged boolean not null default false;
create index sync_run_by_finish on sync_run (finished_at);

-- Whether the sync's delivered state has been advanced with this batch's accepted rows. Delivery
-- records the batch first; the state follows set-based, per slice or at the end of the run, for
-- every batch still false here.
alter table sync_run_batch add column advanced boolean not null default false;
