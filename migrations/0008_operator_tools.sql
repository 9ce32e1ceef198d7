-- An operator's tools: programs switched off apart from the stores file,
-- keys revoked or rotated for good, every admin action audited, and every
-- change to a store's keys or programs announced to each replica at once.

-- Switched off by an operator (`register` never touches these columns).
ALTER TABLE programs
  ADD COLUMN switched_off_at     timestamptz,
  ADD COLUMN switched_off_reason text;

-- Where a key came from: the stores file (`register` revokes such a key once
-- it is gone from the file) or the admin service (a rotation). A rotated
-- key stays valid until expires_at, so two keys work during the switch.
ALTER TABLE api_keys
  ADD COLUMN source         text NOT NULL DEFAULT 'stores_file'
                            CHECK (source IN ('stores_file', 'admin')),
  ADD COLUMN expires_at     timestamptz,
  ADD COLUMN revoked_reason text;

-- Who did what, when and why, through the admin service or the command line.
CREATE TABLE admin_audit (
  audit_id bigserial PRIMARY KEY,
  at       timestamptz NOT NULL DEFAULT now(),
  actor    text NOT NULL,
  action   text NOT NULL,
  store_id text,
  target   text,
  reason   text NOT NULL,
  details  jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX admin_audit_at_idx ON admin_audit (at);
CREATE INDEX admin_audit_store_idx ON admin_audit (store_id, at);

-- Each replica LISTENs on this channel and forgets what it cached of the
-- store named in the payload (keys, programs), in the committing
-- transaction's order.
CREATE FUNCTION announce_store_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('loyalty_store_changed',
                    CASE WHEN TG_OP = 'DELETE' THEN OLD.store_id ELSE NEW.store_id END);
  RETURN NULL;
END;
$$;
CREATE TRIGGER api_keys_announce AFTER INSERT OR UPDATE OR DELETE ON api_keys
  FOR EACH ROW EXECUTE FUNCTION announce_store_change();
CREATE TRIGGER programs_announce AFTER INSERT OR UPDATE OR DELETE ON programs
  FOR EACH ROW EXECUTE FUNCTION announce_store_change();
