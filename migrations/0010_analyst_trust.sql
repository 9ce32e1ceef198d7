-- Views analysts can trust: "per day" is the store's day, a purchase's
-- status changes are kept, the journal's references are keys, and quote to
-- purchase conversion has its own view.

-- The store's time zone (the stores file's `time_zone`; IANA name).
ALTER TABLE stores ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';

-- Every status a purchase took, written by the transaction that changed it.
CREATE TABLE purchase_status_history (
  purchase_id bigint NOT NULL REFERENCES purchases (purchase_id),
  status      text NOT NULL,
  changed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX purchase_status_history_purchase_idx
  ON purchase_status_history (purchase_id, changed_at);
CREATE INDEX purchase_status_history_changed_idx ON purchase_status_history (changed_at);

CREATE FUNCTION record_purchase_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO purchase_status_history (purchase_id, status) VALUES (NEW.purchase_id, NEW.status);
  RETURN NULL;
END $$;
CREATE TRIGGER purchases_status_inserted AFTER INSERT ON purchases
  FOR EACH ROW EXECUTE FUNCTION record_purchase_status();
CREATE TRIGGER purchases_status_changed AFTER UPDATE OF status ON purchases
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION record_purchase_status();
-- What is known of purchases before this migration: their status now.
INSERT INTO purchase_status_history (purchase_id, status, changed_at)
SELECT purchase_id, status, updated_at FROM purchases;

-- The journal's references are keys.
ALTER TABLE vendor_operations
  ADD CONSTRAINT vendor_operations_purchase_fk FOREIGN KEY (purchase_id)
    REFERENCES purchases (purchase_id),
  ADD CONSTRAINT vendor_operations_quote_fk FOREIGN KEY (quote_id) REFERENCES quotes (quote_id),
  ADD CONSTRAINT vendor_operations_hold_fk FOREIGN KEY (hold_id) REFERENCES holds (hold_id);

-- Conversion joins purchases to their quotes.
CREATE INDEX purchases_quote_idx ON purchases (quote_id);

-- Every view dates by the store's day.
DROP VIEW daily_store_sales, daily_program_points, vendor_operation_stats,
  daily_campaign_discounts;

CREATE VIEW daily_store_sales AS
SELECT p.store_id,
       (p.created_at AT TIME ZONE s.time_zone)::date AS day,
       count(*)                                      AS purchases,
       sum(p.total_before_minor)                     AS total_before_minor,
       sum(p.discount_minor)                         AS discount_minor,
       sum(p.paid_minor)                             AS paid_minor,
       sum(p.spent_centipoints)                      AS spent_centipoints,
       sum(p.earned_centipoints)                     AS earned_centipoints
FROM purchases p
JOIN stores s ON s.store_id = p.store_id
WHERE p.status IN ('booked', 'confirmed')
GROUP BY p.store_id, day;

-- Only bookings that stand at their vendor: not declined, failed, in doubt
-- or undone.
CREATE VIEW daily_program_points AS
SELECT p.store_id,
       pr.code                                       AS program,
       pr.vendor,
       (p.created_at AT TIME ZONE s.time_zone)::date AS day,
       count(*)                                      AS purchases,
       sum(pp.spent_centipoints)                     AS spent_centipoints,
       sum(pp.earned_centipoints)                    AS earned_centipoints
FROM purchase_programs pp
JOIN purchases p ON p.purchase_id = pp.purchase_id
JOIN stores s ON s.store_id = p.store_id
JOIN programs pr ON pr.program_id = pp.program_id
WHERE p.status IN ('booked', 'confirmed') AND pp.status = 'approved'
GROUP BY p.store_id, pr.code, pr.vendor, day;

-- Percentiles do not add up across days; the latency histogram does
-- (bucket upper bounds in ms, as the Prometheus histogram's).
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

CREATE VIEW daily_campaign_discounts AS
SELECT (p.created_at AT TIME ZONE s.time_zone)::date AS day,
       p.store_id,
       pr.code AS program,
       pr.vendor,
       d.campaign,
       count(DISTINCT p.purchase_id) AS purchases,
       sum(d.amount_minor) AS discount_minor,
       d.campaign_code
FROM purchase_line_discounts d
JOIN purchases p USING (purchase_id)
JOIN stores s ON s.store_id = p.store_id
JOIN programs pr ON pr.program_id = d.program_id
WHERE p.status IN ('booked', 'confirmed')
GROUP BY 1, 2, 3, 4, 5, 8;

-- Quotes per store and day, and how many became a purchase that went
-- through (or was cancelled later).
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
