-- Distribute a service's tenant tables by district on Citus, once one PostgreSQL server no longer holds
-- that service's data. Run as the owner role on the Citus coordinator of that service's database, after
-- `python -m services.common.data.db migrate` has created the tables (see README.md beside this file).
--
-- Every tenant table already has `district` first in every index and unique constraint but its primary
-- key (tests/test_district_first.py checks this; credit codes and project entries became unique per
-- district in the services' migrations 0005_district_first_unique), and every query runs inside one
-- district (app.districts), so a district's rows live together on one worker and a request touches one shard. Small platform tables (the district directory)
-- become reference tables, copied to every worker; outbox, inbox and funding's webhook tables stay local to the coordinator. The
-- idempotency keys (primary key (district, subject, key)) are distributed with the rows they guard, so a
-- mutation's key, effect and transaction stay on its district's shard.

CREATE EXTENSION IF NOT EXISTS citus;

-- Tables whose primary key does not include district must get one that does before distribution:
-- Citus requires the distribution column in every unique constraint, primary keys included.
-- `civic_district_pk` rewrites `PRIMARY KEY (id)` as `PRIMARY KEY (district, id)` for one table.
CREATE OR REPLACE FUNCTION civic_district_pk(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    pk text;
    cols text;
BEGIN
    SELECT conname, pg_get_constraintdef(oid) INTO pk, cols
      FROM pg_constraint WHERE conrelid = tbl AND contype = 'p';
    IF pk IS NOT NULL AND cols NOT LIKE '%district%' THEN
        -- CASCADE drops foreign keys that point at (id); recreate them on (district, <x>_id) after distribution.
        RAISE NOTICE 'primary key of % becomes (district, id); foreign keys to it are dropped', tbl;
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I CASCADE', tbl, pk);
        EXECUTE format('ALTER TABLE %s ADD PRIMARY KEY (district, id)', tbl);
    END IF;
END $$;

-- Distributes every table of the current database that has a `district` column, co-located by district.
CREATE OR REPLACE FUNCTION civic_distribute_by_district(shard_count int DEFAULT 32) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
    t record;
    first_table regclass;
BEGIN
    PERFORM set_config('citus.shard_count', shard_count::text, true);
    FOR t IN
        SELECT c.oid::regclass AS tbl
          FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
          JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'district' AND NOT a.attisdropped
         WHERE n.nspname = 'public' AND c.relkind = 'r'
           AND c.relname NOT IN ('outbox', 'inbox', 'tortoise_migrations', 'district_directory',
                                 -- funding's webhooks: a city's subscription has no district, and the
                                 -- dispatcher reads every district's deliveries; small, they stay local
                                 'webhook_subscription', 'webhook_delivery', 'webhook_attempt')
         ORDER BY c.relname
    LOOP
        PERFORM civic_district_pk(t.tbl);
        IF first_table IS NULL THEN
            PERFORM create_distributed_table(t.tbl::text, 'district');
            first_table := t.tbl;
        ELSE
            PERFORM create_distributed_table(t.tbl::text, 'district', colocate_with => first_table::text);
        END IF;
        RETURN NEXT t.tbl::text;
    END LOOP;
    -- The district -> city map every service keeps: small, read everywhere.
    IF to_regclass('public.district_directory') IS NOT NULL THEN
        PERFORM create_reference_table('district_directory');
        RETURN NEXT 'district_directory (reference)';
    END IF;
END $$;

-- Row-level security: Citus propagates the tables' policies to the shards; the transaction-local
-- app.districts must reach the workers too, which citus.propagate_set_commands = 'local' does for SET LOCAL.
-- Check this on a staging cluster with the isolation tests (services/*/tests/test_isolation.py) first.
DO $$ BEGIN
    EXECUTE format('ALTER DATABASE %I SET citus.propagate_set_commands = %L', current_database(), 'local');
END $$;

SELECT * FROM civic_distribute_by_district(32);
