-- The journeys' holdout log in the warehouse (journey spec, section 6), for analysts to join with
-- outcome data. Copied from the app store's journey_holdout by id (holdout_id makes the copy
-- idempotent); append-only, never purged.
create table ${logSchema}.journey_holdouts (
  holdout_id  bigint not null primary key,
  journey_key text not null,
  version     integer not null,
  node        text not null,
  split_group text not null,
  person_key  text not null,
  held_at     timestamptz not null
);
create index journey_holdouts_by_journey on ${logSchema}.journey_holdouts (journey_key, node, held_at);
