-- What a till reads without parsing text: an error's machine-readable
-- details kept with the idempotent answer, campaigns' code and coupon apart
-- from their name, and each program's balance after a purchase.

-- google.rpc.Status details (ErrorInfo, RetryInfo, ...) of a stored error,
-- so a replay answers byte-identically.
ALTER TABLE idempotency_keys ADD COLUMN status_details bytea;

-- `campaign` is now the vendor's name of the campaign only.
ALTER TABLE quote_line_discounts ADD COLUMN campaign_code text, ADD COLUMN coupon text;
ALTER TABLE purchase_line_discounts ADD COLUMN campaign_code text, ADD COLUMN coupon text;

-- The customer's confirmed points the vendor reported at the quote.
ALTER TABLE quote_programs ADD COLUMN balance_centipoints bigint;
-- That balance less points spent plus points credited at once; NULL where unknown.
ALTER TABLE purchase_programs ADD COLUMN balance_after_centipoints bigint;

-- Campaigns per day with their code and coupon apart (appended columns).
CREATE OR REPLACE VIEW daily_campaign_discounts AS
SELECT date_trunc('day', p.created_at)::date AS day,
       p.store_id,
       pr.code AS program,
       pr.vendor,
       d.campaign,
       count(DISTINCT p.purchase_id) AS purchases,
       sum(d.amount_minor) AS discount_minor,
       d.campaign_code
FROM purchase_line_discounts d
JOIN purchases p USING (purchase_id)
JOIN programs pr ON pr.program_id = d.program_id
WHERE p.status IN ('booked', 'confirmed')
GROUP BY 1, 2, 3, 4, 5, 8;
