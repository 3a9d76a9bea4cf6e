#!/bin/sh
# Chorus's database users, made when the postgres container initialises an empty data
# directory: mount this file into /docker-entrypoint-initdb.d/, where the image runs it as
# POSTGRES_USER in POSTGRES_DB. That user owns the database and runs the migrations, which
# grant the two group roles their privileges on the read models; this makes the groups and
# one login user in each, with the passwords from the environment:
#   chorus_gateway   IN ROLE chorus_reader   reads the read models
#   chorus_projector IN ROLE chorus_writer   writes their rows; no schema changes
# Run again by hand with the same variables (docker compose exec postgres sh
# /docker-entrypoint-initdb.d/10-chorus-roles.sh), it changes nothing but the two passwords:
# that is how they are rotated.
: "${POSTGRES_USER:?}" "${POSTGRES_DB:?}"
: "${CHORUS_GATEWAY_DB_PASSWORD:?set CHORUS_GATEWAY_DB_PASSWORD, the password of the gateway's database user chorus_gateway}"
: "${CHORUS_PROJECTOR_DB_PASSWORD:?set CHORUS_PROJECTOR_DB_PASSWORD, the password of the projector's database user chorus_projector}"

psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  --set database="$POSTGRES_DB" \
  --set gateway_password="$CHORUS_GATEWAY_DB_PASSWORD" \
  --set projector_password="$CHORUS_PROJECTOR_DB_PASSWORD" <<'SQL' || exit 1
-- The groups, as the migrations would make them (they find them here and only grant).
SELECT format('CREATE ROLE %I NOLOGIN', r) FROM unnest(ARRAY['chorus_reader', 'chorus_writer']) AS r
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) \gexec
SELECT format('CREATE ROLE %I LOGIN', u) FROM unnest(ARRAY['chorus_gateway', 'chorus_projector']) AS u
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = u) \gexec
GRANT chorus_reader TO chorus_gateway;
GRANT chorus_writer TO chorus_projector;
-- Psql quotes the values: a password may hold any character (a URL needs it percent-encoded).
ALTER ROLE chorus_gateway PASSWORD :'gateway_password';
ALTER ROLE chorus_projector PASSWORD :'projector_password';
-- Where PUBLIC has lost CONNECT, the services keep it. Nobody but the owner creates
-- anything: not temporary tables (no service uses one), nor tables in schema public
-- (Postgres before 15 lets PUBLIC do that).
GRANT CONNECT ON DATABASE :"database" TO chorus_reader, chorus_writer;
REVOKE TEMPORARY ON DATABASE :"database" FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
