-- The checked columns of the tables the broker writes take their domain as
-- their type, and the tables' CHECK constraints on them go, except where an
-- index is over the column (below).
--
-- 0019 put the allowed values into domains, but the constraints that cast to
-- them are still table constraints, and PostgreSQL reads every table
-- constraint back from text and plans it in each statement that writes the
-- table: eight for a batch of quotes, about twenty for a commit, a tenth of
-- PostgreSQL's instructions per commit (callgrind,
-- bench/postgres_instructions.sh). A column whose type is a domain is
-- checked with the domain's expression, read once per connection and kept
-- with the type. Nothing is refused differently: a value outside a domain is
-- a check violation (SQLSTATE 23514), named after the domain's constraint.
--
-- Without rewriting a table or an index: a column moves to a domain of the
-- same base type without a rewrite only while the domain has no constraint,
-- so each domain's constraint is taken off for the moment (the table's CHECK
-- still guards every row until this transaction commits), the columns change
-- type, and the constraint is put back, which reads the columns once to
-- check them. The status columns that partial indexes are built over
-- (purchases, purchase_programs, holds, outbox) keep their table CHECK: a new
-- type would rebuild those indexes, with the table locked meanwhile. The
-- views over the columns are made again as they were (definition, options,
-- owner, grants and comments, the columns' too, triggers).

-- Figures that a quote or a hold must never have negative (or zero).
CREATE DOMAIN loyalty_non_negative AS bigint CHECK (VALUE >= 0);
CREATE DOMAIN loyalty_positive AS bigint CHECK (VALUE > 0);

-- The views over these tables, and the views over those: each dropped and
-- made again. Any other view (an extension's, an analyst's own elsewhere)
-- is left alone.
CREATE TEMPORARY TABLE loyalty_saved_views ON COMMIT DROP AS
  WITH RECURSIVE dependent(oid) AS (
    SELECT r.ev_class
      FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
     WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
       AND d.refobjid IN ('purchases'::regclass, 'purchase_programs'::regclass,
                          'holds'::regclass, 'idempotency_keys'::regclass, 'outbox'::regclass,
                          'vendor_operations'::regclass, 'quotes'::regclass)
    UNION
    SELECT r.ev_class
      FROM dependent v
      JOIN pg_depend d ON d.refobjid = v.oid AND d.refclassid = 'pg_class'::regclass
                      AND d.classid = 'pg_rewrite'::regclass
      JOIN pg_rewrite r ON r.oid = d.objid AND r.ev_class <> v.oid
  )
  SELECT c.oid, c.oid::regclass::text AS name, c.relowner, c.relacl, c.reloptions,
         pg_get_viewdef(c.oid) AS definition, obj_description(c.oid, 'pg_class') AS comment
    FROM pg_class c
   WHERE c.relkind = 'v' AND c.oid IN (SELECT oid FROM dependent);

-- Grants and comments of the views' columns (analysts read some views by
-- column, migration 0011).
CREATE TEMPORARY TABLE loyalty_saved_view_columns ON COMMIT DROP AS
  SELECT v.name, v.relowner, a.attname, a.attacl,
         col_description(v.oid, a.attnum) AS comment
    FROM loyalty_saved_views v JOIN pg_attribute a ON a.attrelid = v.oid
   WHERE a.attnum > 0 AND (a.attacl IS NOT NULL OR col_description(v.oid, a.attnum) IS NOT NULL);

-- The views' own triggers (purchase_lines' INSTEAD OF, migration 0016) go
-- with them.
CREATE TEMPORARY TABLE loyalty_saved_view_triggers ON COMMIT DROP AS
  SELECT pg_get_triggerdef(t.oid) AS definition
    FROM pg_trigger t JOIN loyalty_saved_views v ON v.oid = t.tgrelid
   WHERE NOT t.tgisinternal;

CREATE TEMPORARY TABLE loyalty_saved_domain_checks ON COMMIT DROP AS
  SELECT k.contypid::regtype AS domain, k.conname, pg_get_constraintdef(k.oid) AS definition
    FROM pg_constraint k
   WHERE k.contypid IN ('loyalty_json_array'::regtype, 'loyalty_program_operation'::regtype,
                        'loyalty_hold_mode'::regtype, 'loyalty_key_state'::regtype,
                        'loyalty_outbox_operation'::regtype, 'loyalty_vendor_operation'::regtype,
                        'loyalty_vendor_outcome'::regtype, 'loyalty_non_negative'::regtype,
                        'loyalty_positive'::regtype);

DO $$
DECLARE
  v record;
  c record;
BEGIN
  -- Dependents first: a view is made after the views it reads.
  FOR v IN SELECT name FROM loyalty_saved_views ORDER BY oid DESC LOOP
    EXECUTE format('DROP VIEW %s', v.name);
  END LOOP;
  FOR c IN SELECT * FROM loyalty_saved_domain_checks LOOP
    EXECUTE format('ALTER DOMAIN %s DROP CONSTRAINT %I', c.domain, c.conname);
  END LOOP;
END $$;

ALTER TABLE purchases
  ALTER COLUMN lines TYPE loyalty_json_array,
  ALTER COLUMN line_discounts TYPE loyalty_json_array,
  DROP CONSTRAINT purchases_lines_check,
  DROP CONSTRAINT purchases_line_discounts_check;
ALTER TABLE purchase_programs
  ALTER COLUMN last_operation TYPE loyalty_program_operation,
  DROP CONSTRAINT purchase_programs_last_operation_check;
ALTER TABLE holds
  ALTER COLUMN mode TYPE loyalty_hold_mode,
  ALTER COLUMN amount_centipoints TYPE loyalty_positive,
  DROP CONSTRAINT holds_mode_check,
  DROP CONSTRAINT holds_amount_centipoints_check;
ALTER TABLE idempotency_keys
  ALTER COLUMN state TYPE loyalty_key_state,
  DROP CONSTRAINT idempotency_keys_state_check;
ALTER TABLE outbox
  ALTER COLUMN operation TYPE loyalty_outbox_operation,
  DROP CONSTRAINT outbox_operation_check;
-- Partitioned: each day's table follows its parent.
ALTER TABLE vendor_operations
  ALTER COLUMN operation TYPE loyalty_vendor_operation,
  ALTER COLUMN outcome TYPE loyalty_vendor_outcome,
  DROP CONSTRAINT vendor_operations_operation_check,
  DROP CONSTRAINT vendor_operations_outcome_check;
ALTER TABLE quotes
  ALTER COLUMN lines TYPE loyalty_json_array,
  ALTER COLUMN line_discounts TYPE loyalty_json_array,
  ALTER COLUMN programs TYPE loyalty_json_array,
  ALTER COLUMN total_before_minor TYPE loyalty_non_negative,
  ALTER COLUMN discount_minor TYPE loyalty_non_negative,
  ALTER COLUMN total_minor TYPE loyalty_non_negative,
  ALTER COLUMN spendable_centipoints TYPE loyalty_non_negative,
  ALTER COLUMN earn_centipoints TYPE loyalty_non_negative,
  DROP CONSTRAINT quotes_lines_check,
  DROP CONSTRAINT quotes_line_discounts_check,
  DROP CONSTRAINT quotes_programs_check,
  DROP CONSTRAINT quotes_total_before_minor_check,
  DROP CONSTRAINT quotes_discount_minor_check,
  DROP CONSTRAINT quotes_total_minor_check,
  DROP CONSTRAINT quotes_spendable_centipoints_check,
  DROP CONSTRAINT quotes_earn_centipoints_check;

DO $$
DECLARE
  v record;
  c record;
  g record;
  t record;
BEGIN
  FOR c IN SELECT * FROM loyalty_saved_domain_checks LOOP
    EXECUTE format('ALTER DOMAIN %s ADD CONSTRAINT %I %s', c.domain, c.conname, c.definition);
  END LOOP;
  FOR v IN SELECT * FROM loyalty_saved_views ORDER BY oid LOOP
    EXECUTE format('CREATE VIEW %s %s AS %s',
                   v.name,
                   CASE WHEN v.reloptions IS NULL THEN ''
                        ELSE format('WITH (%s)', array_to_string(v.reloptions, ', ')) END,
                   v.definition);
    IF v.relowner <> (SELECT relowner FROM pg_class WHERE oid = v.name::regclass) THEN
      EXECUTE format('ALTER VIEW %s OWNER TO %s', v.name, v.relowner::regrole);
    END IF;
    FOR g IN SELECT a.privilege_type, a.grantee, a.is_grantable
               FROM aclexplode(v.relacl) AS a
              WHERE a.grantee <> v.relowner LOOP
      EXECUTE format('GRANT %s ON %s TO %s%s', g.privilege_type, v.name,
                     CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE g.grantee::regrole::text END,
                     CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
    IF v.comment IS NOT NULL THEN
      EXECUTE format('COMMENT ON VIEW %s IS %L', v.name, v.comment);
    END IF;
  END LOOP;
  FOR g IN SELECT s.name, s.attname, a.privilege_type, a.grantee, a.is_grantable
             FROM loyalty_saved_view_columns s, aclexplode(s.attacl) AS a
            WHERE a.grantee <> s.relowner LOOP
    EXECUTE format('GRANT %s (%I) ON %s TO %s%s', g.privilege_type, g.attname, g.name,
                   CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE g.grantee::regrole::text END,
                   CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
  END LOOP;
  FOR c IN SELECT * FROM loyalty_saved_view_columns WHERE comment IS NOT NULL LOOP
    EXECUTE format('COMMENT ON COLUMN %s.%I IS %L', c.name, c.attname, c.comment);
  END LOOP;
  FOR t IN SELECT * FROM loyalty_saved_view_triggers LOOP
    EXECUTE t.definition;
  END LOOP;
END $$;
