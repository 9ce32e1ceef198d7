-- Nothing secret where analysts read. Vendor credentials move out of
-- `programs` (which every example joins) into a table only the broker's own
-- role reads, and an `analyst` role may read the views, the journal and the
-- records, but neither credentials, key hashes, stored answers, nor the
-- columns that identify a customer.

CREATE TABLE program_credentials (
  program_id  bigint PRIMARY KEY REFERENCES programs (program_id),
  credentials jsonb NOT NULL DEFAULT '{}'
);
INSERT INTO program_credentials (program_id, credentials)
SELECT program_id, credentials FROM programs;
ALTER TABLE programs DROP COLUMN credentials;

-- A credential change is a change of the store's programs: replicas forget
-- what they cached (migration 0008).
CREATE FUNCTION announce_credentials_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('loyalty_store_changed', store_id) FROM programs
    WHERE program_id = CASE WHEN TG_OP = 'DELETE' THEN OLD.program_id ELSE NEW.program_id END;
  RETURN NULL;
END;
$$;
CREATE TRIGGER program_credentials_announce AFTER INSERT OR UPDATE OR DELETE
  ON program_credentials FOR EACH ROW EXECUTE FUNCTION announce_credentials_change();

-- The analysts' role: log in as a role granted `analyst`.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'analyst') THEN
    CREATE ROLE analyst NOLOGIN;
  END IF;
END $$;
GRANT USAGE ON SCHEMA public TO analyst;
GRANT SELECT ON daily_store_sales, daily_program_points, daily_campaign_discounts,
  vendor_operation_stats, daily_quote_conversion TO analyst;
GRANT SELECT ON stores, programs, purchases, purchase_lines, purchase_line_discounts,
  purchase_status_history, quote_lines, quote_line_discounts, vendor_operations,
  reconciliation_mismatches, outbox, admin_audit TO analyst;
-- Every column but the customer's identifiers.
GRANT SELECT (quote_id, store_id, customer_kind, total_before_minor, discount_minor, total_minor,
  spendable_centipoints, earn_centipoints, coupons, created_at, expires_at) ON quotes TO analyst;
GRANT SELECT (quote_id, program_id, used, skip_reason, discount_minor, spendable_centipoints,
  earn_centipoints, vendor_reference, explanation, ledger_held_centipoints, unreachable,
  balance_centipoints) ON quote_programs TO analyst;
GRANT SELECT (purchase_id, program_id, spend_centipoints, spent_centipoints, earned_centipoints,
  vendor_reference, status, balance_after_centipoints, reason, last_operation)
  ON purchase_programs TO analyst;
GRANT SELECT (hold_id, store_id, program_id, quote_id, amount_centipoints, mode, status,
  purchase_id, created_at, expires_at, closed_at) ON holds TO analyst;
