-- The allowed values of the written tables' status columns, and the JSON
-- arrays' shape, checked by domains.
--
-- PostgreSQL keeps a table's CHECK constraints as text and, on every
-- statement that writes the table, reads each one back into an expression
-- and plans it. A list of allowed values is long as text (each value with
-- its type, collation and bytes spelled out): on the commit path this was
-- about a tenth of PostgreSQL's instructions (a profile of its backends
-- under callgrind). A domain's check is read and planned once per
-- connection, kept with the type. The constraints keep their names and
-- their meaning (a value outside the list is refused with a check
-- violation, SQLSTATE 23514); each now casts its column to the domain that
-- lists the values, so the list is written once, in the domain (`\dD`).
-- The columns keep their type, and the views over them are untouched.
-- Each ALTER TABLE reads its table once to check its rows.
CREATE DOMAIN loyalty_purchase_status AS text
  CHECK (VALUE IN ('pending', 'booked', 'confirmed', 'cancelled', 'declined', 'failed', 'in_doubt'));
CREATE DOMAIN loyalty_program_status AS text
  CHECK (VALUE IN ('pending', 'approved', 'queued', 'undone', 'undo_queued', 'undo_refused',
                   'declined', 'failed', 'in_doubt', 'skipped', 'dropped'));
CREATE DOMAIN loyalty_program_operation AS text
  CHECK (VALUE IN ('book', 'confirm', 'cancel', 'restore', 'reassign'));
CREATE DOMAIN loyalty_hold_status AS text
  CHECK (VALUE IN ('active', 'released', 'consumed', 'expired'));
CREATE DOMAIN loyalty_hold_mode AS text CHECK (VALUE IN ('vendor', 'ledger'));
CREATE DOMAIN loyalty_key_state AS text CHECK (VALUE IN ('in_progress', 'completed'));
CREATE DOMAIN loyalty_outbox_operation AS text CHECK (VALUE IN ('book', 'cancel'));
CREATE DOMAIN loyalty_outbox_status AS text
  CHECK (VALUE IN ('waiting', 'sending', 'delivered', 'in_doubt', 'dropped'));
CREATE DOMAIN loyalty_vendor_operation AS text
  CHECK (VALUE IN ('identify', 'quote', 'hold', 'release', 'book', 'confirm', 'cancel', 'restore',
                   'reassign', 'get'));
CREATE DOMAIN loyalty_vendor_outcome AS text CHECK (VALUE IN ('approved', 'declined', 'failed'));
CREATE DOMAIN loyalty_json_array AS jsonb CHECK (jsonb_typeof(VALUE) = 'array');

ALTER TABLE purchases
  DROP CONSTRAINT purchases_status_check,
  ADD CONSTRAINT purchases_status_check CHECK (status::loyalty_purchase_status IS NOT NULL),
  DROP CONSTRAINT purchases_lines_check,
  ADD CONSTRAINT purchases_lines_check CHECK (lines::loyalty_json_array IS NOT NULL),
  DROP CONSTRAINT purchases_line_discounts_check,
  ADD CONSTRAINT purchases_line_discounts_check
    CHECK (line_discounts::loyalty_json_array IS NOT NULL);
ALTER TABLE purchase_programs
  DROP CONSTRAINT purchase_programs_status_check,
  ADD CONSTRAINT purchase_programs_status_check CHECK (status::loyalty_program_status IS NOT NULL),
  DROP CONSTRAINT purchase_programs_last_operation_check,
  ADD CONSTRAINT purchase_programs_last_operation_check
    CHECK (last_operation::loyalty_program_operation IS NOT NULL);
ALTER TABLE holds
  DROP CONSTRAINT holds_status_check,
  ADD CONSTRAINT holds_status_check CHECK (status::loyalty_hold_status IS NOT NULL),
  DROP CONSTRAINT holds_mode_check,
  ADD CONSTRAINT holds_mode_check CHECK (mode::loyalty_hold_mode IS NOT NULL);
ALTER TABLE idempotency_keys
  DROP CONSTRAINT idempotency_keys_state_check,
  ADD CONSTRAINT idempotency_keys_state_check CHECK (state::loyalty_key_state IS NOT NULL);
ALTER TABLE outbox
  DROP CONSTRAINT outbox_operation_check,
  ADD CONSTRAINT outbox_operation_check CHECK (operation::loyalty_outbox_operation IS NOT NULL),
  DROP CONSTRAINT outbox_status_check,
  ADD CONSTRAINT outbox_status_check CHECK (status::loyalty_outbox_status IS NOT NULL);
-- Partitioned: each day's table takes the parent's constraints.
ALTER TABLE vendor_operations
  DROP CONSTRAINT vendor_operations_operation_check,
  ADD CONSTRAINT vendor_operations_operation_check
    CHECK (operation::loyalty_vendor_operation IS NOT NULL),
  DROP CONSTRAINT vendor_operations_outcome_check,
  ADD CONSTRAINT vendor_operations_outcome_check
    CHECK (outcome::loyalty_vendor_outcome IS NOT NULL);
ALTER TABLE quotes
  DROP CONSTRAINT quotes_lines_check,
  ADD CONSTRAINT quotes_lines_check CHECK (lines::loyalty_json_array IS NOT NULL),
  DROP CONSTRAINT quotes_line_discounts_check,
  ADD CONSTRAINT quotes_line_discounts_check CHECK (line_discounts::loyalty_json_array IS NOT NULL),
  DROP CONSTRAINT quotes_programs_check,
  ADD CONSTRAINT quotes_programs_check CHECK (programs::loyalty_json_array IS NOT NULL);
