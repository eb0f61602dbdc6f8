-- Where a sync's schedule stands, kept here so that a restart of the app (which on the in-process
-- Temporal server starts every scheduler afresh) neither shifts nor drops a tick.
-- schedule_anchor: when the schedule in force was set (create, a real edit of the schedule, or
--   enabling the sync); an interval ticks at anchor + k * every.
-- last_tick_at: when a tick last queued its run; ticks up to then are served.
alter table sync add column schedule_anchor timestamp with time zone;
alter table sync add column last_tick_at timestamp with time zone;

-- Existing syncs: the last run a tick queued is the last tick; one that never ticked counts from
-- this upgrade, as it counted from every start before.
update sync set last_tick_at = (
  select max(r.queued_at) from sync_run r
  where r.sync_key = sync.sync_key and r.run_trigger = 'schedule'
);
update sync set schedule_anchor = coalesce(last_tick_at, current_timestamp);
alter table sync alter column schedule_anchor set not null;
