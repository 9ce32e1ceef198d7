-- A purchase's status history and its programs are written from the
-- purchase itself: the history by the purchase's own trigger, from the row
-- being inserted or updated; the programs by the statement that inserts the
-- purchase (or, for an order committed again, by the transaction that takes
-- its row back). As foreign keys, each of their rows also ran a check that
-- looked the purchase up again and locked it (FOR KEY SHARE): two history
-- rows and a program per commit, about 5 % of PostgreSQL's instructions per
-- commit. Their references stay valid because a purchase is never deleted,
-- never renumbered and never truncated, which the triggers below enforce, as
-- migration 0015 does for stores and programs. Before, a purchase could not
-- be deleted either (its history named it, and every purchase has history).
-- The journal's, holds' and outbox's references to purchases stay keys:
-- their rows are written from what the broker remembers, not from the
-- purchase's row.

DO $$
DECLARE
  reference record;
BEGIN
  FOR reference IN
    SELECT conrelid::regclass AS child, conname
      FROM pg_constraint
     WHERE contype = 'f'
       AND confrelid = 'purchases'::regclass
       AND conrelid IN ('purchase_status_history'::regclass, 'purchase_programs'::regclass)
  LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', reference.child, reference.conname);
  END LOOP;
END $$;

CREATE FUNCTION loyalty_keep_purchase_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'purchases are never deleted nor renumbered: their status history and programs name them'
    USING ERRCODE = 'restrict_violation';
END $$;

-- AFTER, for the change of key: a BEFORE row trigger on UPDATE would lock
-- every updated purchase's row before it looked at the columns, even for a
-- status change that never names purchase_id.
CREATE TRIGGER purchases_kept BEFORE DELETE ON purchases
  FOR EACH ROW EXECUTE FUNCTION loyalty_keep_purchase_row();
CREATE TRIGGER purchases_keep_their_id AFTER UPDATE OF purchase_id ON purchases
  FOR EACH ROW WHEN (OLD.purchase_id IS DISTINCT FROM NEW.purchase_id)
  EXECUTE FUNCTION loyalty_keep_purchase_row();
CREATE TRIGGER purchases_kept_whole BEFORE TRUNCATE ON purchases
  FOR EACH STATEMENT EXECUTE FUNCTION loyalty_keep_purchase_row();
