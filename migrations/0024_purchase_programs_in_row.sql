-- A purchase's programs move into its row as a JSON array, as its lines did
-- (migration 0016). A commit inserted a program row at its intent and
-- updated it at its outcome, in both cases a writing CTE of its own (the
-- table opened and locked, its key checked, its index entry written, a
-- status change never a HOT update): about an eighth of PostgreSQL's work
-- per commit. Now the intent writes the purchase with its programs, and the
-- outcome writes them back with the purchase's new status, in the same row.
-- purchase_programs stays, with the same columns, as a view over them, and
-- takes the previous version's writes (below).
--
-- The array holds each program's booking with the columns the table had
-- (`purchase_id` aside); its type refuses a program without a numeric id, a
-- state or an operation outside the broker's (as the table's checks did).
-- A program is one of the store's, which the broker alone writes: the
-- reference to `programs` is no longer checked by the database.
--
-- The array holds the vendor's customer ids, which `analyst` may not read:
-- it reads every column of `purchases` but `programs` (by name; `SELECT *`
-- is refused, as it is on `quotes`), and `purchase_programs` as before.
--
-- Every purchase row with programs is rewritten once here: on a large
-- database this migration takes a while (deploy/README.md, upgrades).

CREATE DOMAIN loyalty_purchase_programs AS jsonb
  CHECK (jsonb_typeof(VALUE) = 'array' AND NOT jsonb_path_exists(VALUE,
    '$[*] ? (!(@.program_id.type() == "number")
             || !(@.status == "pending" || @.status == "approved" || @.status == "queued"
                  || @.status == "undone" || @.status == "undo_queued"
                  || @.status == "undo_refused" || @.status == "declined"
                  || @.status == "failed" || @.status == "in_doubt" || @.status == "skipped"
                  || @.status == "dropped")
             || !(@.last_operation == "book" || @.last_operation == "confirm"
                  || @.last_operation == "cancel" || @.last_operation == "restore"
                  || @.last_operation == "reassign"))'));

ALTER TABLE purchases ADD COLUMN programs loyalty_purchase_programs NOT NULL DEFAULT '[]';

UPDATE purchases p SET programs = pp.programs
  FROM (SELECT purchase_id, jsonb_agg(to_jsonb(x) - 'purchase_id' ORDER BY program_id) AS programs
          FROM purchase_programs x GROUP BY purchase_id) pp
 WHERE pp.purchase_id = p.purchase_id;

DROP VIEW daily_program_points;
DROP TABLE purchase_programs;

CREATE VIEW purchase_programs AS
SELECT p.purchase_id, r.program_id, r.vendor_customer_id, r.spend_centipoints,
       r.spent_centipoints, r.earned_centipoints, r.vendor_reference, r.status,
       r.balance_after_centipoints, r.reason, r.last_operation
FROM purchases p, jsonb_to_recordset(p.programs) AS r(program_id bigint,
  vendor_customer_id text, spend_centipoints bigint, spent_centipoints bigint,
  earned_centipoints bigint, vendor_reference text, status text,
  balance_after_centipoints bigint, reason text, last_operation text);
-- What an insert that names only some columns gets, as from the table.
ALTER VIEW purchase_programs ALTER COLUMN spend_centipoints SET DEFAULT 0;
ALTER VIEW purchase_programs ALTER COLUMN spent_centipoints SET DEFAULT 0;
ALTER VIEW purchase_programs ALTER COLUMN earned_centipoints SET DEFAULT 0;
ALTER VIEW purchase_programs ALTER COLUMN last_operation SET DEFAULT 'book';

-- As migration 0010 made it, over the view.
CREATE VIEW daily_program_points AS
SELECT p.store_id,
       pr.code                                       AS program,
       pr.vendor,
       (p.created_at AT TIME ZONE s.time_zone)::date AS day,
       count(*)                                      AS purchases,
       sum(pp.spent_centipoints)                     AS spent_centipoints,
       sum(pp.earned_centipoints)                    AS earned_centipoints
FROM purchase_programs pp
JOIN purchases p ON p.purchase_id = pp.purchase_id
JOIN stores s ON s.store_id = p.store_id
JOIN programs pr ON pr.program_id = pp.program_id
WHERE p.status IN ('booked', 'confirmed') AND pp.status = 'approved'
GROUP BY p.store_id, pr.code, pr.vendor, day;

-- Reconciliation and the in-doubt gauge look up purchases with a program in
-- doubt (the table's purchase_programs_in_doubt_idx did this).
CREATE INDEX purchases_programs_in_doubt_idx ON purchases (purchase_id)
  WHERE programs @> '[{"status": "in_doubt"}]';

GRANT SELECT ON daily_program_points TO analyst;
GRANT SELECT (purchase_id, program_id, spend_centipoints, spent_centipoints, earned_centipoints,
  vendor_reference, status, balance_after_centipoints, reason, last_operation)
  ON purchase_programs TO analyst;
DO $$
DECLARE
  readable text;
BEGIN
  SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO readable
    FROM pg_attribute
   WHERE attrelid = 'purchases'::regclass AND attnum > 0 AND NOT attisdropped
     AND attname <> 'programs';
  REVOKE SELECT ON purchases FROM analyst;
  EXECUTE format('GRANT SELECT (%s) ON purchases TO analyst', readable);
END $$;

-- Replicas of the previous version keep working while an upgrade rolls
-- (deploy/README.md): they insert a new purchase's programs as rows (in the
-- statement that inserts the purchase), update them with the outcome and
-- when a program's booking changes later, and delete them when a failed
-- order is committed again. On the view, those statements write the
-- purchase's array instead: a program keeps its place in it, a second row
-- for the same program is refused, as the table's key did, and so is a row
-- for no purchase.
CREATE FUNCTION loyalty_purchase_programs_as_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  program jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF EXISTS (SELECT 1 FROM purchases
                WHERE purchase_id = NEW.purchase_id
                  AND programs @> jsonb_build_array(jsonb_build_object('program_id',
                                                                       NEW.program_id))) THEN
      RAISE EXCEPTION 'purchase % already has program %', NEW.purchase_id, NEW.program_id
        USING ERRCODE = 'unique_violation';
    END IF;
    UPDATE purchases SET programs = programs || jsonb_build_array(to_jsonb(NEW) - 'purchase_id')
     WHERE purchase_id = NEW.purchase_id;
    -- A row with nowhere to go is refused, not dropped.
    IF NOT FOUND THEN
      RAISE EXCEPTION 'no purchase % for program %', NEW.purchase_id, NEW.program_id
        USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    program := to_jsonb(NEW) - 'purchase_id';
    UPDATE purchases p
       SET programs = (SELECT jsonb_agg(CASE WHEN (a.e ->> 'program_id')::bigint = OLD.program_id
                                             THEN program ELSE a.e END ORDER BY a.n)
                         FROM jsonb_array_elements(p.programs) WITH ORDINALITY AS a(e, n))
     WHERE p.purchase_id = OLD.purchase_id;
    RETURN NEW;
  END IF;
  UPDATE purchases p
     SET programs = coalesce((SELECT jsonb_agg(a.e ORDER BY a.n)
                                FROM jsonb_array_elements(p.programs) WITH ORDINALITY AS a(e, n)
                               WHERE (a.e ->> 'program_id')::bigint <> OLD.program_id), '[]')
   WHERE p.purchase_id = OLD.purchase_id;
  RETURN OLD;
END $$;
CREATE TRIGGER purchase_programs_as_rows INSTEAD OF INSERT OR UPDATE OR DELETE
  ON purchase_programs FOR EACH ROW EXECUTE FUNCTION loyalty_purchase_programs_as_rows();
