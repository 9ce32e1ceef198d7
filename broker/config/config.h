#pragma once

// The broker's configuration: one YAML file, checked strictly (an unknown key
// or a bad value stops the start with a message naming it), with environment
// overrides: LOYALTY_<SECTION>__<KEY>, e.g. LOYALTY_DATABASE__URL or
// LOYALTY_GRPC__TLS__KEY_FILE.

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "broker/common/logging.h"

namespace loyalty::broker {

struct TlsConfig {
  std::string cert_file;
  std::string key_file;
  // Set to require and verify client certificates (mutual TLS).
  std::string client_ca_file;
};

struct BrokerConfig {
  struct Grpc {
    std::string listen = "127.0.0.1:50051";
    int max_message_bytes = 4 * 1024 * 1024;
    int keepalive_time_ms = 30000;
    int keepalive_timeout_ms = 10000;
    // On shutdown, health answers NOT_SERVING this long before the listener
    // closes, so load balancers stop sending calls first.
    int shutdown_drain_ms = 0;
    // How often health asks PostgreSQL whether it answers.
    int health_probe_ms = 2000;
    // Plain HTTP GET /ready (200 or 503, as health says) for load balancers
    // that cannot speak grpc.health.v1; empty turns it off.
    std::string readiness_listen;
    bool tls_enabled = false;
    TlsConfig tls;
  } grpc;
  struct Database {
    // libpq connection string; empty means the PG* environment variables.
    std::string url;
    int pool_size = 8;
    // libpq's connect_timeout; at least 2.
    int connect_timeout_seconds = 2;
    // The server's statement_timeout for the broker's sessions.
    int statement_timeout_ms = 5000;
    // Work outside any call (recovery, outbox, maintenance) is cut when the
    // database has not answered it in this long. Work for a call is cut at
    // the call's deadline.
    int hung_after_ms = 15000;
    // The longest a batch of commits' intents (or outcomes) waits for more to
    // share its statement, only after a batch that had company; 0: never.
    int commit_batch_gather_us = 1000;
  } database;
  struct Broker {
    int worker_threads = 32;
    // Used when the caller sets no deadline.
    int default_deadline_ms = 5000;
    // Kept back from the caller's deadline to write the outcome and answer.
    int vendor_deadline_margin_ms = 20;
    int quote_ttl_seconds = 900;
    int auth_cache_seconds = 30;
    // Lifetime of holds kept in the broker's own ledger.
    int ledger_hold_ttl_seconds = 600;
    // How often the maintenance worker runs (expired holds, ...).
    int maintenance_interval_seconds = 30;
    // A purchase pending this long was interrupted (its broker stopped
    // mid-commit) and is finished or undone by recovery. Keep it above the
    // longest commit: default_deadline_ms and any deadline tills send.
    int recovery_after_seconds = 60;
    // First wait before an undelivered outbox entry is tried again; doubles
    // with each attempt up to five minutes.
    int outbox_retry_seconds = 5;
    // Reconciliation with the vendors that can be asked: how often a pass
    // runs, how far back purchases are compared, how soon one is compared
    // again, and how many purchases one pass compares at most.
    int reconcile_interval_seconds = 300;
    int reconcile_window_hours = 48;
    int reconcile_every_seconds = 3600;
    int reconcile_batch = 200;
    // A vendor answer longer than this fails the call, read no further.
    int vendor_answer_max_bytes = 1 << 20;
    // "auto": plain http:// to an address (IPv4, IPv6, localhost) through
    // the broker's own HTTP/1.1 client, the rest (https://, host names, a
    // proxy in the environment) through libcurl; "libcurl": all of it
    // through libcurl.
    std::string vendor_http_client = "auto";
    // Calls waiting for a worker: beyond this many, or after waiting this
    // long, a call is shed with RESOURCE_EXHAUSTED (and RetryInfo).
    int max_queued_calls = 256;
    int max_queue_wait_ms = 500;
    // Per program: calls in flight at most (the bulkhead; 0: half the
    // worker threads, since a call in flight holds a worker), failed calls
    // in a row that open its circuit (0: never), and how long it then rests
    // (doubling with each opening in a row, up to the maximum).
    int program_max_in_flight = 0;
    int circuit_failures_to_open = 5;
    int circuit_first_ejection_ms = 5000;
    int circuit_max_ejection_seconds = 300;
    // Failed authentications a peer may make per minute before its unknown
    // keys are refused without a lookup; how long an unknown key is
    // remembered as unknown.
    int auth_failures_per_minute = 30;
    int auth_negative_cache_seconds = 10;
  } broker;
  // Quotes (with their lines, programs and discounts) and the vendor
  // journal are kept in day partitions (UTC): this many days of them exist
  // ahead, and days older than their retention are dropped by the
  // maintenance worker. Purchases are kept.
  struct Retention {
    int quote_days = 35;
    int journal_days = 90;
    int days_ahead = 14;
  } retention;
  struct Privacy {
    // Key of the keyed hash (HMAC-SHA-256) of the customer's identifier
    // that analysts may read (quotes.customer_hash): repeat customers are
    // counted without their phone numbers. Empty: no hash is written. Keep
    // it as secret as the database password; changing it starts new hashes.
    std::string customer_hash_key;
  } privacy;
  struct Admin {
    // The operators' gRPC service (AdminService), apart from the tills'
    // port; empty turns it off.
    std::string listen;
    // Lines of "<operator name> <sha256 hex of the operator's token>".
    std::string tokens_file;
  } admin;
  struct Metrics {
    // Prometheus endpoint (GET /metrics); empty turns it off.
    std::string listen = "127.0.0.1:9464";
    // How often state kept in PostgreSQL (holds, unfinished purchases) is read.
    int state_interval_seconds = 15;
  } metrics;
  struct Logging {
    LogLevel level = LogLevel::kInfo;
  } logging;
};

using Environment = std::map<std::string, std::string>;

// Parses YAML text, then applies overrides from `env`.
absl::StatusOr<BrokerConfig> ParseConfig(const std::string& yaml_text, const Environment& env);
// Reads the file at `path` (empty: defaults only) and parses it.
absl::StatusOr<BrokerConfig> LoadConfig(const std::string& path, const Environment& env);
// The process environment as a map.
Environment ProcessEnvironment();

}  // namespace loyalty::broker
