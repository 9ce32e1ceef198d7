-- A new purchase's intent is one statement run on its own, outside a
-- transaction block: no BEGIN and COMMIT round trips around it. When it has
-- claimed the idempotency key but may not write the purchase (the quote is
-- another order's, or the order number is taken), it calls this function to
-- fail as a whole, so that the claim is not kept either; the broker then
-- takes the transaction's path, which decides what to answer.
CREATE FUNCTION loyalty_intent_gives_way() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the purchase intent gives way to its transaction'
    USING ERRCODE = 'LY001';
END $$;
