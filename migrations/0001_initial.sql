-- Stores, their loyalty programs and API keys; quotes, purchases, holds,
-- every vendor operation, and idempotency keys.

CREATE TABLE stores (
  store_id   text PRIMARY KEY,
  name       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE programs (
  program_id  bigserial PRIMARY KEY,
  store_id    text NOT NULL REFERENCES stores (store_id),
  code        text NOT NULL,
  vendor      text NOT NULL CHECK (vendor IN ('loyalclient', 'sailplay', 'artix')),
  position    integer NOT NULL,
  base_url    text NOT NULL,
  required    boolean NOT NULL DEFAULT false,
  settings    jsonb NOT NULL DEFAULT '{}'::jsonb,
  credentials jsonb NOT NULL DEFAULT '{}'::jsonb,
  enabled     boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (store_id, code)
);

CREATE TABLE api_keys (
  key_hash   text PRIMARY KEY,
  store_id   text NOT NULL REFERENCES stores (store_id),
  label      text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE INDEX api_keys_store_idx ON api_keys (store_id);

CREATE TABLE quotes (
  quote_id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  store_id              text NOT NULL REFERENCES stores (store_id),
  customer_kind         text,
  customer_value        text,
  total_before_minor    bigint NOT NULL CHECK (total_before_minor >= 0),
  discount_minor        bigint NOT NULL CHECK (discount_minor >= 0),
  total_minor           bigint NOT NULL CHECK (total_minor >= 0),
  spendable_centipoints bigint NOT NULL CHECK (spendable_centipoints >= 0),
  earn_centipoints      bigint NOT NULL CHECK (earn_centipoints >= 0),
  coupons               text[] NOT NULL DEFAULT '{}',
  created_at            timestamptz NOT NULL DEFAULT now(),
  expires_at            timestamptz NOT NULL
);
CREATE INDEX quotes_store_created_idx ON quotes (store_id, created_at);

CREATE TABLE quote_lines (
  quote_id             uuid NOT NULL REFERENCES quotes (quote_id) ON DELETE CASCADE,
  line_no              integer NOT NULL,
  sku                  text NOT NULL,
  barcode              text NOT NULL DEFAULT '',
  quantity_milli       bigint NOT NULL CHECK (quantity_milli > 0),
  unit_price_minor     bigint NOT NULL CHECK (unit_price_minor > 0),
  min_unit_price_minor bigint NOT NULL CHECK (min_unit_price_minor >= 0),
  total_before_minor   bigint NOT NULL,
  discount_minor       bigint NOT NULL,
  total_minor          bigint NOT NULL,
  PRIMARY KEY (quote_id, line_no)
);

CREATE TABLE quote_programs (
  quote_id              uuid NOT NULL REFERENCES quotes (quote_id) ON DELETE CASCADE,
  program_id            bigint NOT NULL REFERENCES programs (program_id),
  used                  boolean NOT NULL,
  skip_reason           text,
  vendor_customer_id    text,
  discount_minor        bigint NOT NULL DEFAULT 0,
  spendable_centipoints bigint NOT NULL DEFAULT 0,
  earn_centipoints      bigint NOT NULL DEFAULT 0,
  vendor_reference      text,
  explanation           text,
  PRIMARY KEY (quote_id, program_id)
);

CREATE TABLE quote_line_discounts (
  quote_id     uuid NOT NULL,
  line_no      integer NOT NULL,
  program_id   bigint NOT NULL REFERENCES programs (program_id),
  campaign     text NOT NULL,
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  FOREIGN KEY (quote_id, line_no) REFERENCES quote_lines (quote_id, line_no) ON DELETE CASCADE
);
CREATE INDEX quote_line_discounts_quote_idx ON quote_line_discounts (quote_id);

CREATE TABLE purchases (
  purchase_id        bigserial PRIMARY KEY,
  store_id           text NOT NULL REFERENCES stores (store_id),
  order_number       text NOT NULL,
  quote_id           uuid NOT NULL REFERENCES quotes (quote_id),
  idempotency_key    text NOT NULL,
  status             text NOT NULL CHECK (status IN ('pending', 'booked', 'confirmed', 'cancelled',
                                                     'declined', 'failed', 'in_doubt')),
  total_before_minor bigint NOT NULL,
  discount_minor     bigint NOT NULL,
  total_minor        bigint NOT NULL,
  spent_centipoints  bigint NOT NULL DEFAULT 0,
  paid_minor         bigint NOT NULL,
  earned_centipoints bigint NOT NULL DEFAULT 0,
  failure_reason     text,
  attempts           integer NOT NULL DEFAULT 1,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (store_id, order_number)
);
CREATE INDEX purchases_status_idx ON purchases (status) WHERE status IN ('pending', 'in_doubt');
CREATE INDEX purchases_store_created_idx ON purchases (store_id, created_at);

CREATE TABLE purchase_lines (
  purchase_id        bigint NOT NULL REFERENCES purchases (purchase_id) ON DELETE CASCADE,
  line_no            integer NOT NULL,
  sku                text NOT NULL,
  barcode            text NOT NULL DEFAULT '',
  quantity_milli     bigint NOT NULL,
  unit_price_minor   bigint NOT NULL,
  total_before_minor bigint NOT NULL,
  discount_minor     bigint NOT NULL,
  total_minor        bigint NOT NULL,
  PRIMARY KEY (purchase_id, line_no)
);

CREATE TABLE purchase_programs (
  purchase_id        bigint NOT NULL REFERENCES purchases (purchase_id) ON DELETE CASCADE,
  program_id         bigint NOT NULL REFERENCES programs (program_id),
  vendor_customer_id text,
  spend_centipoints  bigint NOT NULL DEFAULT 0,
  spent_centipoints  bigint NOT NULL DEFAULT 0,
  earned_centipoints bigint NOT NULL DEFAULT 0,
  vendor_reference   text,
  status             text NOT NULL,
  PRIMARY KEY (purchase_id, program_id)
);

CREATE TABLE holds (
  hold_id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  store_id           text NOT NULL REFERENCES stores (store_id),
  program_id         bigint NOT NULL REFERENCES programs (program_id),
  quote_id           uuid NOT NULL REFERENCES quotes (quote_id),
  vendor_customer_id text NOT NULL,
  amount_centipoints bigint NOT NULL CHECK (amount_centipoints > 0),
  mode               text NOT NULL CHECK (mode IN ('vendor', 'ledger')),
  status             text NOT NULL CHECK (status IN ('active', 'released', 'consumed', 'expired')),
  purchase_id        bigint REFERENCES purchases (purchase_id),
  created_at         timestamptz NOT NULL DEFAULT now(),
  expires_at         timestamptz NOT NULL,
  closed_at          timestamptz
);
CREATE INDEX holds_active_idx ON holds (program_id, vendor_customer_id) WHERE status = 'active';

CREATE TABLE vendor_operations (
  operation_id       bigserial PRIMARY KEY,
  store_id           text NOT NULL REFERENCES stores (store_id),
  program_id         bigint NOT NULL REFERENCES programs (program_id),
  operation          text NOT NULL,
  quote_id           uuid,
  purchase_id        bigint,
  hold_id            uuid,
  outcome            text NOT NULL CHECK (outcome IN ('approved', 'declined', 'failed')),
  maybe_applied      boolean NOT NULL DEFAULT false,
  amount_minor       bigint,
  points_centipoints bigint,
  vendor_reference   text,
  decline_field      text,
  message            text,
  latency_us         bigint NOT NULL,
  started_at         timestamptz NOT NULL
);
CREATE INDEX vendor_operations_purchase_idx ON vendor_operations (purchase_id);
CREATE INDEX vendor_operations_started_idx ON vendor_operations (started_at);

CREATE TABLE idempotency_keys (
  store_id        text NOT NULL REFERENCES stores (store_id),
  idempotency_key text NOT NULL,
  method          text NOT NULL,
  request_hash    text NOT NULL,
  state           text NOT NULL CHECK (state IN ('in_progress', 'completed')),
  status_code     integer,
  status_message  text,
  response        bytea,
  created_at      timestamptz NOT NULL DEFAULT now(),
  completed_at    timestamptz,
  PRIMARY KEY (store_id, idempotency_key)
);
