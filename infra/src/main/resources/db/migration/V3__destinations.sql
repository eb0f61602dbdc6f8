-- Where syncs deliver. config holds the type's settings without secrets; secrets holds the
-- sealed (AES-GCM, SecretBox) values of the secret fields, never returned by the API.
create table destination (
  destination_key varchar(100) not null primary key,
  name            varchar(200) not null,
  type            varchar(20)  not null,
  config          text         not null,
  secrets         text         not null,
  created_by      varchar(64)  not null,
  created_at      timestamp with time zone not null,
  updated_by      varchar(64)  not null,
  updated_at      timestamp with time zone not null
);
