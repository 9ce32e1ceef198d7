-- Most journal rows are a quote's vendor calls, which belong to no
-- purchase: their NULL purchase_id was an index entry (and a WAL record)
-- each, never looked up. The index on purchase_id now holds only the rows
-- that have one; a lookup by purchase (`purchase_id = ...`) uses it as
-- before. On a large journal this rebuilds the index of every day kept.
DROP INDEX vendor_operations_purchase_idx;
CREATE INDEX vendor_operations_purchase_idx ON vendor_operations (purchase_id)
  WHERE purchase_id IS NOT NULL;
