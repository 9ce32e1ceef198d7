-- Which program and campaign gave which discount on each line of a
-- purchase, kept with the purchase (quotes may be cleaned up; purchases stay).
CREATE TABLE purchase_line_discounts (
  discount_id  bigserial PRIMARY KEY,
  purchase_id  bigint NOT NULL REFERENCES purchases (purchase_id) ON DELETE CASCADE,
  line_no      integer NOT NULL,
  program_id   bigint NOT NULL REFERENCES programs (program_id),
  campaign     text NOT NULL,
  amount_minor bigint NOT NULL CHECK (amount_minor > 0)
);
CREATE INDEX purchase_line_discounts_purchase_idx ON purchase_line_discounts (purchase_id);

-- Discounts given per campaign and day, for purchases that went through.
CREATE VIEW daily_campaign_discounts AS
SELECT date_trunc('day', p.created_at)::date AS day,
       p.store_id,
       pr.code AS program,
       pr.vendor,
       d.campaign,
       count(DISTINCT p.purchase_id) AS purchases,
       sum(d.amount_minor) AS discount_minor
FROM purchase_line_discounts d
JOIN purchases p USING (purchase_id)
JOIN programs pr ON pr.program_id = d.program_id
WHERE p.status IN ('booked', 'confirmed')
GROUP BY 1, 2, 3, 4, 5;
