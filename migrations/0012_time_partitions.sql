-- Tables that do not grow forever. Quotes and the vendor journal are
-- partitioned by day (UTC), created ahead and dropped past their retention
-- by the broker's maintenance (loyalty_maintain_partitions below).
-- Purchases, holds and everything a purchase is made of are kept: a purchase
-- copies its lines and discounts from its quote, so it does not need the
-- quote once it exists.
--
-- A quote's lines, discounts and programs move into the quote's row as JSON
-- arrays: one row per quote, written and read with one index entry, in one
-- partition. quote_lines, quote_line_discounts and quote_programs stay, with
-- the same columns, as views over them. References from purchases, holds
-- and the journal to a quote are no longer keys: the quote may be gone.

ALTER TABLE purchases DROP CONSTRAINT purchases_quote_id_fkey;
ALTER TABLE holds DROP CONSTRAINT holds_quote_id_fkey;
ALTER TABLE vendor_operations DROP CONSTRAINT vendor_operations_quote_fk;
DROP VIEW daily_quote_conversion, vendor_operation_stats;

ALTER TABLE quotes RENAME TO quotes_unpartitioned;
ALTER TABLE vendor_operations RENAME TO vendor_operations_unpartitioned;
ALTER INDEX quotes_pkey RENAME TO quotes_unpartitioned_pkey;
ALTER INDEX quotes_store_created_idx RENAME TO quotes_unpartitioned_store_created_idx;
ALTER INDEX vendor_operations_pkey RENAME TO vendor_operations_unpartitioned_pkey;
ALTER INDEX vendor_operations_purchase_idx RENAME TO vendor_operations_unpartitioned_purchase_idx;
ALTER INDEX vendor_operations_started_idx RENAME TO vendor_operations_unpartitioned_started_idx;

CREATE TABLE quotes (LIKE quotes_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
  -- Objects with the columns of the views below (quote_id and created_at
  -- are the quote's).
  lines          jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(lines) = 'array'),
  line_discounts jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(line_discounts) = 'array'),
  programs       jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(programs) = 'array'),
  PRIMARY KEY (quote_id, created_at),
  FOREIGN KEY (store_id) REFERENCES stores (store_id)
) PARTITION BY RANGE (created_at);
CREATE INDEX quotes_store_created_idx ON quotes (store_id, created_at);

CREATE TABLE vendor_operations (
  LIKE vendor_operations_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
  PRIMARY KEY (operation_id, started_at),
  FOREIGN KEY (store_id) REFERENCES stores (store_id),
  FOREIGN KEY (program_id) REFERENCES programs (program_id),
  FOREIGN KEY (purchase_id) REFERENCES purchases (purchase_id),
  FOREIGN KEY (hold_id) REFERENCES holds (hold_id)
) PARTITION BY RANGE (started_at);
CREATE INDEX vendor_operations_purchase_idx ON vendor_operations (purchase_id);
CREATE INDEX vendor_operations_started_idx ON vendor_operations (started_at);
ALTER SEQUENCE vendor_operations_operation_id_seq OWNED BY vendor_operations.operation_id;

-- The day partitions of `parent` from `first_day` to `last_day` (UTC),
-- each created when missing. Returns how many it created.
CREATE FUNCTION loyalty_create_day_partitions(parent text, first_day date, last_day date)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  day date := first_day;
  created integer := 0;
  partition text;
BEGIN
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

-- The day partitions of `parent` that end on or before `before_day`
-- (UTC), detached then dropped. Returns how many it dropped.
CREATE FUNCTION loyalty_drop_day_partitions(parent text, before_day date)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  partition record;
  dropped integer := 0;
BEGIN
  FOR partition IN
    SELECT c.relname
      FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = parent::regclass
       AND c.relname ~ ('^' || parent || '_[0-9]{8}$')
       AND to_date(right(c.relname, 8), 'YYYYMMDD') < before_day
     ORDER BY c.relname
  LOOP
    EXECUTE format('ALTER TABLE %I DETACH PARTITION %I', parent, partition.relname);
    EXECUTE format('DROP TABLE %I', partition.relname);
    dropped := dropped + 1;
  END LOOP;
  RETURN dropped;
END $$;

-- Upkeep of every partitioned table: `days_ahead` days of partitions exist
-- from today on, and the days older than the retention are gone (quotes
-- after `quote_days`, the journal after `journal_days`). One caller at a time: another
-- replica's call meanwhile does nothing. Creating and detaching a partition
-- locks its parent; waiting behind a long query would hold up every insert
-- queued behind this call, so it gives up after a second instead (and the
-- next pass tries again: the days ahead leave time). Returns the partitions
-- created and dropped.
CREATE FUNCTION loyalty_maintain_partitions(days_ahead integer, quote_days integer,
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
  PERFORM set_config('lock_timeout', '1s', true);
  FOREACH parent IN ARRAY ARRAY['quotes', 'vendor_operations'] LOOP
    created := created + loyalty_create_day_partitions(parent, today, today + days_ahead);
  END LOOP;
  dropped := dropped + loyalty_drop_day_partitions('quotes', today - quote_days);
  dropped := dropped + loyalty_drop_day_partitions('vendor_operations', today - journal_days);
END $$;

-- Partitions for the days that have rows, and for two weeks ahead; then
-- the rows.
DO $$
DECLARE
  today date := (now() AT TIME ZONE 'UTC')::date;
  day date;
BEGIN
  FOR day IN SELECT DISTINCT (created_at AT TIME ZONE 'UTC')::date FROM quotes_unpartitioned
  LOOP
    PERFORM loyalty_create_day_partitions('quotes', day, day);
  END LOOP;
  PERFORM loyalty_create_day_partitions('quotes', today, today + 14);
  FOR day IN
    SELECT DISTINCT (started_at AT TIME ZONE 'UTC')::date FROM vendor_operations_unpartitioned
  LOOP
    PERFORM loyalty_create_day_partitions('vendor_operations', day, day);
  END LOOP;
  PERFORM loyalty_create_day_partitions('vendor_operations', today, today + 14);
END $$;

INSERT INTO quotes SELECT q.*,
  coalesce((SELECT jsonb_agg(to_jsonb(l) - 'quote_id' ORDER BY l.line_no)
              FROM quote_lines l WHERE l.quote_id = q.quote_id), '[]'),
  coalesce((SELECT jsonb_agg(to_jsonb(d) - 'quote_id' ORDER BY d.line_no, d.program_id)
              FROM quote_line_discounts d WHERE d.quote_id = q.quote_id), '[]'),
  coalesce((SELECT jsonb_agg(to_jsonb(p) - 'quote_id' ORDER BY p.program_id)
              FROM quote_programs p WHERE p.quote_id = q.quote_id), '[]')
FROM quotes_unpartitioned q;
INSERT INTO vendor_operations SELECT * FROM vendor_operations_unpartitioned;
DROP TABLE quote_line_discounts, quote_programs, quote_lines, quotes_unpartitioned,
  vendor_operations_unpartitioned;

-- A quote's children, with the columns the tables had and the quote's
-- created_at: a filter on created_at reads only the days it names.
CREATE VIEW quote_lines AS
SELECT q.quote_id, l.line_no, l.sku, l.barcode, l.quantity_milli, l.unit_price_minor,
       l.min_unit_price_minor, l.total_before_minor, l.discount_minor, l.total_minor,
       l.min_total_minor, q.created_at
FROM quotes q, jsonb_to_recordset(q.lines) AS l(line_no integer, sku text, barcode text,
  quantity_milli bigint, unit_price_minor bigint, min_unit_price_minor bigint,
  total_before_minor bigint, discount_minor bigint, total_minor bigint, min_total_minor bigint);

CREATE VIEW quote_line_discounts AS
SELECT q.quote_id, d.line_no, d.program_id, d.campaign, d.amount_minor, d.campaign_code,
       d.coupon, q.created_at
FROM quotes q, jsonb_to_recordset(q.line_discounts) AS d(line_no integer, program_id bigint,
  campaign text, amount_minor bigint, campaign_code text, coupon text);

CREATE VIEW quote_programs AS
SELECT q.quote_id, p.program_id, p.used, p.skip_reason, p.vendor_customer_id, p.discount_minor,
       p.spendable_centipoints, p.earn_centipoints, p.vendor_reference, p.explanation,
       p.ledger_held_centipoints, p.unreachable, p.balance_centipoints, q.created_at
FROM quotes q, jsonb_to_recordset(q.programs) AS p(program_id bigint, used boolean,
  skip_reason text, vendor_customer_id text, discount_minor bigint,
  spendable_centipoints bigint, earn_centipoints bigint, vendor_reference text,
  explanation text, ledger_held_centipoints bigint, unreachable boolean,
  balance_centipoints bigint);

-- The views, as migration 0010 made them, on the partitioned tables.
CREATE VIEW vendor_operation_stats AS
SELECT pr.store_id,
       pr.code AS program,
       pr.vendor,
       o.operation,
       o.outcome,
       (o.started_at AT TIME ZONE s.time_zone)::date AS day,
       count(*) AS operations,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY o.latency_us) / 1000.0 AS p50_latency_ms,
       percentile_cont(0.99) WITHIN GROUP (ORDER BY o.latency_us) / 1000.0 AS p99_latency_ms,
       sum(o.latency_us) / 1000.0 AS total_latency_ms,
       count(*) FILTER (WHERE o.latency_us <= 10000) AS within_10ms,
       count(*) FILTER (WHERE o.latency_us <= 50000) AS within_50ms,
       count(*) FILTER (WHERE o.latency_us <= 100000) AS within_100ms,
       count(*) FILTER (WHERE o.latency_us <= 500000) AS within_500ms,
       count(*) FILTER (WHERE o.latency_us <= 1000000) AS within_1000ms
FROM vendor_operations o
JOIN programs pr ON pr.program_id = o.program_id
JOIN stores s ON s.store_id = pr.store_id
GROUP BY pr.store_id, pr.code, pr.vendor, o.operation, o.outcome, day;

CREATE VIEW daily_quote_conversion AS
SELECT q.store_id,
       (q.created_at AT TIME ZONE s.time_zone)::date AS day,
       count(*) AS quotes,
       count(*) FILTER (WHERE q.customer_kind IS NOT NULL) AS quotes_with_customer,
       count(p.purchase_id) AS purchased,
       round(count(p.purchase_id)::numeric / count(*), 4) AS conversion
FROM quotes q
JOIN stores s ON s.store_id = q.store_id
LEFT JOIN purchases p ON p.quote_id = q.quote_id
  AND p.status IN ('booked', 'confirmed', 'cancelled')
GROUP BY q.store_id, day;

-- The analysts' grants (migration 0011) on the new tables and views: the
-- quote's `programs` holds the vendors' customer ids, as does that column
-- of the quote_programs view.
GRANT SELECT ON vendor_operation_stats, daily_quote_conversion, quote_lines,
  quote_line_discounts, vendor_operations TO analyst;
GRANT SELECT (quote_id, store_id, customer_kind, total_before_minor, discount_minor, total_minor,
  spendable_centipoints, earn_centipoints, coupons, created_at, expires_at, lines,
  line_discounts) ON quotes TO analyst;
GRANT SELECT (quote_id, program_id, used, skip_reason, discount_minor, spendable_centipoints,
  earn_centipoints, vendor_reference, explanation, ledger_held_centipoints, unreachable,
  balance_centipoints, created_at) ON quote_programs TO analyst;
