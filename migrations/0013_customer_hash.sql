-- The customer's identifier as analysts may see it: a keyed hash
-- (HMAC-SHA-256 of "<kind>:<value>" under the broker's
-- privacy.customer_hash_key), equal for equal identifiers and meaningless
-- without the key. customer_value stays for the broker alone: a booking
-- sends the identifier to the vendors. No index: analysts aggregate over
-- days, and every quote would pay for one.
ALTER TABLE quotes ADD COLUMN customer_hash text;
GRANT SELECT (customer_hash) ON quotes TO analyst;
