-- Reconciliation: the broker's purchases compared with what each vendor that
-- can be asked (SailPlay's purchases/get) has recorded.

-- When a purchase was last compared; reconciliation claims the oldest first,
-- so replicas share the work and every purchase of the window comes round.
ALTER TABLE purchases ADD COLUMN reconciled_at timestamptz;

-- What reconciliation found: one row per purchase, program and kind of
-- disagreement; `resolved_at` is set once a later comparison agrees (or, for
-- an in-doubt booking reconciliation settled, at once).
CREATE TABLE reconciliation_mismatches (
  mismatch_id  bigserial PRIMARY KEY,
  purchase_id  bigint NOT NULL REFERENCES purchases (purchase_id),
  program_id   bigint NOT NULL REFERENCES programs (program_id),
  kind         text NOT NULL CHECK (kind IN ('missing_at_vendor', 'not_cancelled_at_vendor',
                                              'not_confirmed_at_vendor', 'earned',
                                              'in_doubt_settled')),
  broker_value text NOT NULL,
  vendor_value text NOT NULL,
  found_at     timestamptz NOT NULL DEFAULT now(),
  resolved_at  timestamptz,
  UNIQUE (purchase_id, program_id, kind)
);
CREATE INDEX reconciliation_open_idx ON reconciliation_mismatches (program_id)
  WHERE resolved_at IS NULL;

-- What each pass looks for, without reading every purchase and program.
CREATE INDEX purchases_updated_idx ON purchases (updated_at)
  WHERE status IN ('booked', 'confirmed', 'cancelled');
CREATE INDEX purchase_programs_in_doubt_idx ON purchase_programs (purchase_id)
  WHERE status LIKE 'in doubt%';
