-- Index entries that every write paid for and no lookup needed.
--
-- Most journal rows are a quote's vendor calls, which belong to no
-- purchase: their NULL purchase_id was an index entry (and a WAL record)
-- each, never looked up. The index on purchase_id now holds only the rows
-- that have one; a lookup by purchase (`purchase_id = ...`, as a join to
-- purchases makes) uses it as before. On a large journal this rebuilds the
-- index of every day kept.
DROP INDEX vendor_operations_purchase_idx;
CREATE INDEX vendor_operations_purchase_idx ON vendor_operations (purchase_id)
  WHERE purchase_id IS NOT NULL;

-- A purchase's quote_id was indexed twice: by purchases_one_per_quote_idx
-- (migration 0005: unique among purchases not failed or declined) and by
-- purchases_quote_idx (migration 0010, for the conversion view). The first
-- serves the view as well, since the view joins only purchases that went
-- through; the second cost an entry on every insert and every status change.
DROP INDEX purchases_quote_idx;
