-- Views for the usual questions: sales and points per store, program and day.

CREATE VIEW daily_store_sales AS
SELECT p.store_id,
       (p.created_at AT TIME ZONE 'UTC')::date AS day,
       count(*)                                AS purchases,
       sum(p.total_before_minor)               AS total_before_minor,
       sum(p.discount_minor)                   AS discount_minor,
       sum(p.paid_minor)                       AS paid_minor,
       sum(p.spent_centipoints)                AS spent_centipoints,
       sum(p.earned_centipoints)               AS earned_centipoints
FROM purchases p
WHERE p.status IN ('booked', 'confirmed')
GROUP BY p.store_id, day;

CREATE VIEW daily_program_points AS
SELECT p.store_id,
       pr.code                                  AS program,
       pr.vendor,
       (p.created_at AT TIME ZONE 'UTC')::date  AS day,
       count(*)                                 AS purchases,
       sum(pp.spent_centipoints)                AS spent_centipoints,
       sum(pp.earned_centipoints)               AS earned_centipoints
FROM purchase_programs pp
JOIN purchases p ON p.purchase_id = pp.purchase_id
JOIN programs pr ON pr.program_id = pp.program_id
WHERE p.status IN ('booked', 'confirmed')
GROUP BY p.store_id, pr.code, pr.vendor, day;

CREATE VIEW vendor_operation_stats AS
SELECT pr.store_id,
       pr.code AS program,
       pr.vendor,
       o.operation,
       o.outcome,
       (o.started_at AT TIME ZONE 'UTC')::date AS day,
       count(*) AS operations,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY o.latency_us) / 1000.0 AS p50_latency_ms,
       percentile_cont(0.99) WITHIN GROUP (ORDER BY o.latency_us) / 1000.0 AS p99_latency_ms
FROM vendor_operations o
JOIN programs pr ON pr.program_id = o.program_id
GROUP BY pr.store_id, pr.code, pr.vendor, o.operation, o.outcome, day;
