-- A day's partition created once however many callers ask at the same
-- moment. loyalty_create_day_partitions looked for each day's table, then
-- created it: two callers at once (two replicas' upkeep passes, a
-- migration, an operator, the tests) both found it missing and the second
-- failed with "relation already exists". Callers for the same parent now take
-- turns (a lock held to the end of the caller's transaction), so the second
-- sees the first's tables. Same signature and result: how many it created.
CREATE OR REPLACE FUNCTION loyalty_create_day_partitions(parent text, first_day date,
                                                         last_day date)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  day date := first_day;
  created integer := 0;
  partition text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('loyalty_create_day_partitions:' || parent));
  WHILE day <= last_day LOOP
    partition := parent || '_' || to_char(day, 'YYYYMMDD');
    IF to_regclass(partition) IS NULL THEN
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', partition,
                     parent, day::timestamp AT TIME ZONE 'UTC',
                     (day + 1)::timestamp AT TIME ZONE 'UTC');
      created := created + 1;
    END IF;
    day := day + 1;
  END LOOP;
  RETURN created;
END $$;
