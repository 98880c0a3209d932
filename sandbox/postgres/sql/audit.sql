-- Change tracking the server under test cannot bypass.
--
-- * `sandbox_audit` belongs to the internal superuser; PUBLIC has no access, so
--   the app roles can neither read, write, truncate nor alter the log.
-- * DML: statement-level AFTER triggers with transition tables on every table
--   (one log row per statement with the exact row count, instead of one per
--   row), plus a BEFORE TRUNCATE trigger. Tables are owned by the superuser, so
--   `ALTER TABLE ... DISABLE TRIGGER` is refused to the app roles.
-- * DDL: event triggers on ddl_command_end and sql_drop (CREATE TABLE,
--   SELECT ... INTO, ALTER, DROP, GRANT, ...). Tables the app creates get the
--   same DML triggers attached at once, so later writes to them are seen too.
-- * All functions are SECURITY DEFINER with a fixed search_path, so they run
--   as the superuser whoever fires them, and cannot be hijacked.
-- Sequence advances (nextval/setval) and role changes do not pass through
-- triggers; the fingerprint query reads them directly.

CREATE SCHEMA sandbox_audit;
REVOKE ALL ON SCHEMA sandbox_audit FROM PUBLIC;

CREATE TABLE sandbox_audit.change_log (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    xid        xid8 NOT NULL DEFAULT pg_current_xact_id(),
    actor      name NOT NULL DEFAULT session_user,
    object     text NOT NULL,
    operation  text NOT NULL,
    row_count  bigint NOT NULL,
    detail     text NOT NULL DEFAULT ''
);
REVOKE ALL ON sandbox_audit.change_log FROM PUBLIC;

CREATE FUNCTION sandbox_audit.log_dml() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n bigint;
BEGIN
    IF TG_LEVEL = 'ROW' THEN
        n := 1;  -- fallback for tables where transition tables are not allowed
    ELSIF TG_OP = 'TRUNCATE' THEN
        EXECUTE format('SELECT count(*) FROM %I.%I', TG_TABLE_SCHEMA, TG_TABLE_NAME) INTO n;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT count(*) INTO n FROM old_rows;
    ELSE
        SELECT count(*) INTO n FROM new_rows;
    END IF;
    IF n > 0 OR TG_OP = 'TRUNCATE' THEN
        INSERT INTO sandbox_audit.change_log (object, operation, row_count)
        VALUES (format('%I.%I', TG_TABLE_SCHEMA, TG_TABLE_NAME), TG_OP, n);
    END IF;
    RETURN NULL;
END
$$;

-- Attach the DML triggers to one table (idempotent).
CREATE FUNCTION sandbox_audit.track(rel regclass) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = rel AND tgname = 'sandbox_audit_insert') THEN
        RETURN;
    END IF;
    BEGIN
        EXECUTE format('CREATE TRIGGER sandbox_audit_insert AFTER INSERT ON %s '
                       'REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT '
                       'EXECUTE FUNCTION sandbox_audit.log_dml()', rel);
        EXECUTE format('CREATE TRIGGER sandbox_audit_update AFTER UPDATE ON %s '
                       'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT '
                       'EXECUTE FUNCTION sandbox_audit.log_dml()', rel);
        EXECUTE format('CREATE TRIGGER sandbox_audit_delete AFTER DELETE ON %s '
                       'REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT '
                       'EXECUTE FUNCTION sandbox_audit.log_dml()', rel);
    EXCEPTION WHEN feature_not_supported OR wrong_object_type OR invalid_object_definition THEN
        -- e.g. inheritance children: fall back to row-level triggers.
        EXECUTE format('CREATE TRIGGER sandbox_audit_insert AFTER INSERT OR UPDATE OR DELETE ON %s '
                       'FOR EACH ROW EXECUTE FUNCTION sandbox_audit.log_dml()', rel);
    END;
    EXECUTE format('CREATE TRIGGER sandbox_audit_truncate BEFORE TRUNCATE ON %s '
                   'FOR EACH STATEMENT EXECUTE FUNCTION sandbox_audit.log_dml()', rel);
END
$$;

CREATE FUNCTION sandbox_audit.log_ddl() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
        -- Temporary objects vanish with the session: not a lasting change.
        CONTINUE WHEN r.schema_name IS NOT NULL AND r.schema_name LIKE 'pg\_temp%';
        -- Our own trigger creation below (fired for CREATE TABLE) is not the app's doing.
        CONTINUE WHEN r.command_tag = 'CREATE TRIGGER'
                  AND coalesce(r.object_identity, '') LIKE 'sandbox\_audit\_% on %';
        INSERT INTO sandbox_audit.change_log (object, operation, row_count, detail)
        VALUES (coalesce(r.object_identity, r.object_type), 'DDL', 1, r.command_tag);
        IF r.object_type IN ('table', 'partitioned table')
           AND r.command_tag IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO') THEN
            PERFORM sandbox_audit.track(r.objid::regclass);
        END IF;
    END LOOP;
END
$$;

CREATE FUNCTION sandbox_audit.log_drop() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT * FROM pg_event_trigger_dropped_objects() WHERE original AND NOT is_temporary LOOP
        INSERT INTO sandbox_audit.change_log (object, operation, row_count, detail)
        VALUES (coalesce(r.object_identity, r.object_type), 'DROP', 1, r.object_type);
    END LOOP;
END
$$;

REVOKE ALL ON FUNCTION sandbox_audit.log_dml(), sandbox_audit.track(regclass),
    sandbox_audit.log_ddl(), sandbox_audit.log_drop() FROM PUBLIC;

CREATE EVENT TRIGGER sandbox_audit_ddl ON ddl_command_end EXECUTE FUNCTION sandbox_audit.log_ddl();
CREATE EVENT TRIGGER sandbox_audit_drop ON sql_drop EXECUTE FUNCTION sandbox_audit.log_drop();

SELECT sandbox_audit.track(c.oid)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
ORDER BY c.oid;
