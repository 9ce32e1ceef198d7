-- Line floors kept with every quote and purchase line, so a commit books
-- the floors the quote priced with (min_total_minor: the floor of the whole
-- line, min_unit_price_minor x quantity).
ALTER TABLE quote_lines
  ADD COLUMN min_total_minor bigint NOT NULL DEFAULT 0 CHECK (min_total_minor >= 0);
ALTER TABLE purchase_lines
  ADD COLUMN min_unit_price_minor bigint NOT NULL DEFAULT 0 CHECK (min_unit_price_minor >= 0),
  ADD COLUMN min_total_minor bigint NOT NULL DEFAULT 0 CHECK (min_total_minor >= 0);

-- Points the broker's ledger held for the customer's other quotes when this
-- quote was priced: a commit may spend only what the quote offered, less
-- what other tills have held since.
-- `unreachable`: the program was skipped because it could not be reached
-- (not because it declined, e.g. did not know the customer): a commit
-- records it as left out.
ALTER TABLE quote_programs
  ADD COLUMN ledger_held_centipoints bigint NOT NULL DEFAULT 0
  CHECK (ledger_held_centipoints >= 0),
  ADD COLUMN unreachable boolean NOT NULL DEFAULT false;

-- A quote backs one purchase: a second order on the same quote is refused
-- (a failed or declined attempt leaves it free).
CREATE UNIQUE INDEX purchases_one_per_quote_idx ON purchases (quote_id)
  WHERE status NOT IN ('failed', 'declined');

-- One operation at a time on a booked purchase (confirm, cancel, restore,
-- reassign, outbox delivery): taken before any vendor is called, with a
-- lease so a broker that dies mid-call does not block the purchase forever.
ALTER TABLE purchases
  ADD COLUMN busy_with  text,
  ADD COLUMN busy_until timestamptz;
