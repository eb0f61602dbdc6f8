-- Retries of rejected journey sends (POST /api/v1/journeys/{key}/sends/retry): a row's attempt
-- counts its retries, and a retried row's batch key is <journey-version-node>-retry<attempt>-<first
-- entry>, a new idempotency key the destination has never seen, kept on every delivery attempt of
-- that retry. Status 'retrying': queued by a user, waiting for the engine to re-check governance.
alter table journey_send add column attempt integer not null default 0;
