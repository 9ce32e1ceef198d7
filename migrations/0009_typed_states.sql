-- A program's booking state apart from its reason: purchase_programs.status
-- held both ("declined: <the vendor's words>", "cancel: approved"). Now
-- `status` is one of a fixed set, `reason` says why, and `last_operation`
-- names the operation the state is the outcome of. Existing rows are split
-- the same way the broker used to read them.
ALTER TABLE purchase_programs
  ADD COLUMN reason text,
  ADD COLUMN last_operation text NOT NULL DEFAULT 'book';

UPDATE purchase_programs
   SET last_operation = split_part(status, ': ', 1), status = 'approved'
 WHERE status IN ('confirm: approved', 'cancel: approved', 'restore: approved',
                  'reassign: approved');
UPDATE purchase_programs
   SET reason = substr(status, strpos(status, ': ') + 2),
       status = split_part(status, ': ', 1)
 WHERE strpos(status, ': ') > 0;
UPDATE purchase_programs SET status = replace(status, ' ', '_');
UPDATE purchase_programs SET last_operation = 'cancel'
 WHERE status IN ('undone', 'undo_queued', 'undo_refused');

ALTER TABLE purchase_programs
  ADD CONSTRAINT purchase_programs_status_check CHECK (status IN (
    'pending', 'approved', 'queued', 'undone', 'undo_queued', 'undo_refused', 'declined',
    'failed', 'in_doubt', 'skipped', 'dropped')),
  ADD CONSTRAINT purchase_programs_last_operation_check CHECK (last_operation IN (
    'book', 'confirm', 'cancel', 'restore', 'reassign'));

DROP INDEX purchase_programs_in_doubt_idx;
CREATE INDEX purchase_programs_in_doubt_idx ON purchase_programs (purchase_id)
  WHERE status = 'in_doubt';

-- The journal's operations are the broker's own names.
ALTER TABLE vendor_operations ADD CONSTRAINT vendor_operations_operation_check
  CHECK (operation IN ('identify', 'quote', 'hold', 'release', 'book', 'confirm', 'cancel',
                       'restore', 'reassign', 'get'));

-- Vendors are checked against the broker's catalog at registration (each
-- vendor's factory parses its programs' settings); the database only keeps
-- the name well-formed, so a new vendor needs no migration.
ALTER TABLE programs DROP CONSTRAINT programs_vendor_check;
ALTER TABLE programs ADD CONSTRAINT programs_vendor_check
  CHECK (vendor ~ '^[a-z][a-z0-9_]*$');
