-- A purchase's lines and line discounts move into its row as JSON arrays,
-- as a quote's did (migration 0012). The intent writes them as its quote
-- priced them, two values, instead of inserting a row and one or two index
-- entries per line and per discount: the commit's cost no longer grows with
-- the cart. purchase_lines and purchase_line_discounts stay, with the same
-- columns, as views over them; a discount's `discount_id` is now its place
-- among its purchase's discounts (1, 2, ...), in the order they were given.
--
-- Every purchase row is rewritten once here: on a large database this
-- migration takes a while (deploy/README.md, upgrades).

ALTER TABLE purchases
  ADD COLUMN lines jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(lines) = 'array'),
  ADD COLUMN line_discounts jsonb NOT NULL DEFAULT '[]'
    CHECK (jsonb_typeof(line_discounts) = 'array');

UPDATE purchases p SET
  lines = coalesce((SELECT jsonb_agg(to_jsonb(l) - 'purchase_id' ORDER BY l.line_no)
                      FROM purchase_lines l WHERE l.purchase_id = p.purchase_id), '[]'),
  line_discounts = coalesce((SELECT jsonb_agg(to_jsonb(d) - 'purchase_id' - 'discount_id'
                                              ORDER BY d.discount_id)
                               FROM purchase_line_discounts d
                              WHERE d.purchase_id = p.purchase_id), '[]');

DROP VIEW daily_campaign_discounts;
DROP TABLE purchase_line_discounts, purchase_lines;

CREATE VIEW purchase_lines AS
SELECT p.purchase_id, l.line_no, l.sku, l.barcode, l.quantity_milli, l.unit_price_minor,
       l.total_before_minor, l.discount_minor, l.total_minor, l.min_unit_price_minor,
       l.min_total_minor
FROM purchases p, jsonb_to_recordset(p.lines) AS l(line_no integer, sku text, barcode text,
  quantity_milli bigint, unit_price_minor bigint, total_before_minor bigint,
  discount_minor bigint, total_minor bigint, min_unit_price_minor bigint,
  min_total_minor bigint);

CREATE VIEW purchase_line_discounts AS
SELECT d.discount_id, p.purchase_id, d.line_no, d.program_id, d.campaign, d.amount_minor,
       d.campaign_code, d.coupon
FROM purchases p,
     ROWS FROM (jsonb_to_recordset(p.line_discounts) AS (line_no integer, program_id bigint,
       campaign text, amount_minor bigint, campaign_code text, coupon text))
       WITH ORDINALITY AS d(line_no, program_id, campaign, amount_minor, campaign_code, coupon,
                            discount_id);

-- As migration 0010 made it, over the purchase's own discounts.
CREATE VIEW daily_campaign_discounts AS
SELECT (p.created_at AT TIME ZONE s.time_zone)::date AS day,
       p.store_id,
       pr.code AS program,
       pr.vendor,
       d.campaign,
       count(DISTINCT p.purchase_id) AS purchases,
       sum(d.amount_minor) AS discount_minor,
       d.campaign_code
FROM purchases p
CROSS JOIN LATERAL jsonb_to_recordset(p.line_discounts) AS d(program_id bigint, campaign text,
  amount_minor bigint, campaign_code text)
JOIN stores s ON s.store_id = p.store_id
JOIN programs pr ON pr.program_id = d.program_id
WHERE p.status IN ('booked', 'confirmed')
GROUP BY 1, 2, 3, 4, 5, 8;

GRANT SELECT ON purchase_lines, purchase_line_discounts, daily_campaign_discounts TO analyst;

-- Replicas of the previous version keep working while an upgrade rolls
-- (deploy/README.md): they insert a new purchase's lines and discounts as
-- rows, and delete them when a failed order is committed again. On the
-- views, those statements write the purchase's arrays instead, in the
-- order the rows come.
-- The argument names the column the view shows as rows.
CREATE FUNCTION loyalty_purchase_parts_as_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  part text := TG_ARGV[0];
BEGIN
  IF TG_OP = 'DELETE' THEN
    EXECUTE format('UPDATE purchases SET %I = ''[]'' WHERE purchase_id = $1', part)
      USING OLD.purchase_id;
    RETURN OLD;
  END IF;
  EXECUTE format('UPDATE purchases SET %I = %I || $1 WHERE purchase_id = $2', part, part)
    USING jsonb_build_array(to_jsonb(NEW) - 'purchase_id' - 'discount_id'), NEW.purchase_id;
  RETURN NEW;
END $$;
CREATE TRIGGER purchase_lines_as_rows INSTEAD OF INSERT OR DELETE ON purchase_lines
  FOR EACH ROW EXECUTE FUNCTION loyalty_purchase_parts_as_rows('lines');
CREATE TRIGGER purchase_line_discounts_as_rows
  INSTEAD OF INSERT OR DELETE ON purchase_line_discounts
  FOR EACH ROW EXECUTE FUNCTION loyalty_purchase_parts_as_rows('line_discounts');
