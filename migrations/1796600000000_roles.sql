-- Least privilege in Postgres: the gateway reads the read models as chorus_reader, the
-- projector writes their rows as chorus_writer, and only the owner that runs the
-- migrations changes the schema. `npm run projector:rebuild` creates, renames and drops
-- schemas, so it runs as the owner too, never as the writer. Both roles are NOLOGIN
-- groups: a deployment logs in as its own users in them (chorus_gateway IN ROLE
-- chorus_reader, chorus_projector IN ROLE chorus_writer; deploy/compose/postgres-roles.sh).
--
-- Grants name the schema being migrated (current_schema(): node-pg-migrate sets the
-- search path to it), not read_model: a rebuild migrates a staging schema and renames
-- it into place, and the grants and default privileges go with it.
--
-- The roles may already exist: created by a deployment's init script (then the owner
-- needs no CREATEROLE), by another database on the same cluster, or by a concurrent
-- migration (tests migrate many databases on one cluster at once). Otherwise the owner
-- creates them, which takes superuser or CREATEROLE.

-- Up Migration
DO $$
DECLARE
  role_name text;
BEGIN
  FOREACH role_name IN ARRAY ARRAY['chorus_reader', 'chorus_writer'] LOOP
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = role_name) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN', role_name);
      EXCEPTION
        -- A concurrent creator won: 42710 once it has committed, 23505 (pg_authid's unique
        -- index) when both inserted at the same moment.
        WHEN duplicate_object OR unique_violation THEN NULL;
        WHEN insufficient_privilege THEN
          RAISE EXCEPTION 'role % does not exist and this migration''s user may not create it', role_name
            USING HINT = 'create the roles once as a superuser or a role with CREATEROLE: CREATE ROLE chorus_reader NOLOGIN; CREATE ROLE chorus_writer NOLOGIN; (deploy/compose/postgres-roles.sh does), then run the migrations again';
      END;
    END IF;
  END LOOP;
  -- Roles of these names that can log in are someone else's: granting them read-model
  -- privileges would hand those to whoever uses them.
  IF EXISTS (SELECT FROM pg_roles WHERE rolname IN ('chorus_reader', 'chorus_writer') AND rolcanlogin) THEN
    RAISE EXCEPTION 'chorus_reader and chorus_writer must be NOLOGIN group roles; one of them can log in'
      USING HINT = 'ALTER ROLE chorus_reader NOLOGIN; ALTER ROLE chorus_writer NOLOGIN; and log in as members of them instead';
  END IF;
END
$$;

DO $$
DECLARE
  s text := current_schema();
BEGIN
  -- USAGE only: CREATE on the schema stays the owner's, so neither role can add, alter
  -- or drop a table (the owner alone may alter or drop the tables it owns).
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO chorus_reader, chorus_writer', s);
  EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO chorus_reader', s);
  -- No TRUNCATE: the projector writes, upserts and (retention) deletes rows; only a
  -- rebuild replaces whole tables, and it runs as the owner.
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO chorus_writer', s);
  -- The migration runner's own table is no service's business (it was made before this
  -- migration ran, so the defaults below never reach it).
  IF to_regclass(format('%I.pgmigrations', s)) IS NOT NULL THEN
    EXECUTE format('REVOKE ALL ON TABLE %I.pgmigrations FROM chorus_reader, chorus_writer', s);
  END IF;
  -- Tables and sequences later migrations create (as this same owner) get the same.
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT ON TABLES TO chorus_reader', s);
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO chorus_writer', s);
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT ON SEQUENCES TO chorus_reader', s);
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO chorus_writer', s);
END
$$;

-- Nor may the roles create tables in schema public. Postgres 15 and later already keep
-- CREATE there from PUBLIC; older servers grant it, and this takes it back where the
-- migrating role may (a superuser, or the schema's owner); elsewhere it changes nothing.
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_namespace WHERE nspname = 'public' AND pg_has_role(current_user, nspowner, 'USAGE')) THEN
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
  END IF;
END
$$;

-- Down Migration
-- Takes back this schema's grants and defaults. The roles stay: they are cluster-wide,
-- other databases on the cluster may use them, and dropping one would silently take the
-- deployment's login users out of it. CREATE on public is not given back to PUBLIC.
DO $$
DECLARE
  s text := current_schema();
  role_name text;
BEGIN
  FOREACH role_name IN ARRAY ARRAY['chorus_reader', 'chorus_writer'] LOOP
    CONTINUE WHEN NOT EXISTS (SELECT FROM pg_roles WHERE rolname = role_name);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE ALL ON TABLES FROM %I', s, role_name);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE ALL ON SEQUENCES FROM %I', s, role_name);
    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM %I', s, role_name);
    EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM %I', s, role_name);
    EXECUTE format('REVOKE ALL ON SCHEMA %I FROM %I', s, role_name);
  END LOOP;
END
$$;
