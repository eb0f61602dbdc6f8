-- Steps and sends are written by the engine in the same transaction as the entry they belong to,
-- so the row-by-row foreign key checks bought nothing but cost the engine 40% of its throughput
-- (docs/benchmarks.md, Journeys). JourneyStore.delete removes a journey's steps and sends itself.
-- [jooq ignore start]
alter table journey_step drop constraint journey_step_entry_id_fkey;
alter table journey_send drop constraint journey_send_entry_id_fkey;
-- [jooq ignore stop]
