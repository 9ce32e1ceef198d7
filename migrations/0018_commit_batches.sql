-- A purchase's outcome consumes the holds linked to it that are still open
-- (active, or expired while the purchase was being recovered). No index led
-- there: every outcome read the whole holds table, which keeps every hold
-- ever taken. This one has only the open holds a purchase named, so it stays
-- small and costs no entry for holds that no commit names.
CREATE INDEX holds_open_purchase_idx ON holds (purchase_id)
  WHERE purchase_id IS NOT NULL AND status IN ('active', 'expired');

-- The rows of a batch that concurrent commits write in one statement
-- (their intents, their outcomes), from the JSON array the broker sends.
-- The planner counts a JSON array's rows as a hundred, and for a hundred
-- rows it joins by reading whole tables (purchases, idempotency keys) on
-- every batch; a batch has a few, each looked up by its index. ROWS 1 says
-- so, and STRICT keeps the planner from inlining the function and losing
-- the estimate. The plan is made once per connection.
CREATE FUNCTION loyalty_batch_items(batch jsonb) RETURNS SETOF jsonb
  LANGUAGE plpgsql IMMUTABLE STRICT ROWS 1 AS $$
BEGIN
  RETURN QUERY SELECT jsonb_array_elements(batch);
END $$;
