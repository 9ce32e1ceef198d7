-- The partition upkeep gives way to commits sooner than a deadlock is looked
-- for. Creating or dropping a day's journal partition locks `purchases` and
-- `holds` (the journal's keys name them), and a commit's statements lock
-- both too: the intent `purchases` first, the outcome `holds` first. So the
-- upkeep could meet a commit in a lock cycle; with its lock timeout at one
-- second, the same as PostgreSQL's deadlock_timeout, the cycle was sometimes
-- broken on the commit, and the till was refused. The upkeep now gives up
-- after 200 ms of waiting (keep deadlock_timeout above that): a commit waits
-- behind it at most that long and is never the one refused; the next pass
-- tries again (the days ahead leave time). Same signature and result.
CREATE OR REPLACE FUNCTION loyalty_maintain_partitions(days_ahead integer, quote_days integer,
                                                       journal_days integer,
                                                       OUT created integer, OUT dropped integer)
LANGUAGE plpgsql AS $$
DECLARE
  today date := (now() AT TIME ZONE 'UTC')::date;
  parent text;
BEGIN
  created := 0;
  dropped := 0;
  IF NOT pg_try_advisory_xact_lock(hashtext('loyalty_maintain_partitions')) THEN
    RETURN;
  END IF;
  PERFORM set_config('lock_timeout', '200ms', true);
  FOREACH parent IN ARRAY ARRAY['quotes', 'vendor_operations'] LOOP
    created := created + loyalty_create_day_partitions(parent, today, today + days_ahead);
  END LOOP;
  dropped := dropped + loyalty_drop_day_partitions('quotes', today - quote_days);
  dropped := dropped + loyalty_drop_day_partitions('vendor_operations', today - journal_days);
END $$;
