-- Every quote, purchase, hold, key and journal row names its store and
-- program. As foreign keys, each insert locked that store's or program's
-- row (FOR KEY SHARE): one hot row shared by every till of a store, a
-- WAL record per lock and a shared lock (MultiXact) per concurrent pair, and
-- a quarter of a quote's insert time. Stores and programs are configuration
-- that is switched off, never deleted (switched_off_at): the references
-- below stay valid because these rows cannot go away or change their keys,
-- which the triggers at the end enforce. The references between a purchase
-- and its parts, and from the journal to purchases and holds, stay keys.

DO $$
DECLARE
  reference record;
BEGIN
  FOR reference IN
    SELECT conrelid::regclass AS child, conname
      FROM pg_constraint
     WHERE contype = 'f'
       AND conparentid = 0
       AND confrelid IN ('stores'::regclass, 'programs'::regclass)
       AND conrelid IN ('quotes'::regclass, 'vendor_operations'::regclass,
                        'purchases'::regclass, 'purchase_programs'::regclass,
                        'purchase_line_discounts'::regclass, 'holds'::regclass,
                        'idempotency_keys'::regclass, 'outbox'::regclass)
  LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', reference.child, reference.conname);
  END LOOP;
END $$;

CREATE FUNCTION loyalty_keep_configuration_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- An update that names the key but keeps it (an upsert's SET) is fine.
  IF TG_OP = 'UPDATE' AND to_jsonb(NEW) -> TG_ARGV[0] = to_jsonb(OLD) -> TG_ARGV[0] THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% rows are never deleted nor renamed: purchases and the journal name them; switch off instead',
    TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER stores_kept BEFORE DELETE OR UPDATE OF store_id ON stores
  FOR EACH ROW EXECUTE FUNCTION loyalty_keep_configuration_row('store_id');
CREATE TRIGGER programs_kept BEFORE DELETE OR UPDATE OF program_id ON programs
  FOR EACH ROW EXECUTE FUNCTION loyalty_keep_configuration_row('program_id');
CREATE TRIGGER stores_kept_whole BEFORE TRUNCATE ON stores
  FOR EACH STATEMENT EXECUTE FUNCTION loyalty_keep_configuration_row();
CREATE TRIGGER programs_kept_whole BEFORE TRUNCATE ON programs
  FOR EACH STATEMENT EXECUTE FUNCTION loyalty_keep_configuration_row();
