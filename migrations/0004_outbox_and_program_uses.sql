-- What each program is used for at its store: identifying customers,
-- discounts, points (spending and earning). A program left out of a use is
-- still called, but its contribution to that use is not merged.
ALTER TABLE programs
  ADD COLUMN uses text[] NOT NULL DEFAULT '{identify,discounts,points}'
  CHECK (uses <@ '{identify,discounts,points}'::text[] AND cardinality(uses) > 0);

-- Vendor steps of purchases that the till no longer waits for: bookings
-- that earn points at a vendor that was down, and undoing bookings of a
-- purchase that failed. Written in the same transaction as the purchase's
-- outcome; delivered per program in outbox_id order, one at a time.
CREATE TABLE outbox (
  outbox_id       bigserial PRIMARY KEY,
  purchase_id     bigint NOT NULL REFERENCES purchases (purchase_id),
  program_id      bigint NOT NULL REFERENCES programs (program_id),
  operation       text NOT NULL CHECK (operation IN ('book', 'cancel')),
  status          text NOT NULL DEFAULT 'waiting'
                  CHECK (status IN ('waiting', 'sending', 'delivered', 'in_doubt', 'dropped')),
  attempts        integer NOT NULL DEFAULT 0,
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  -- While 'sending': the sender's lease. A lease that ran out means the
  -- sender died mid-call and the vendor may or may not have acted.
  lease_until     timestamptz,
  finished_at     timestamptz
);
CREATE INDEX outbox_undelivered_idx ON outbox (program_id, outbox_id)
  WHERE status IN ('waiting', 'sending');
CREATE INDEX outbox_purchase_idx ON outbox (purchase_id);
