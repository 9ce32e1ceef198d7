#include "broker/config/config.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <functional>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

extern char** environ;

namespace loyalty::broker {
namespace {

constexpr char kEnvPrefix[] = "LOYALTY_";
constexpr int kLongestCommitBatchGatherUs = 100'000;

using Setter = std::function<absl::Status(const std::string& value)>;

Setter Text(std::string& field) {
  return [&field](const std::string& value) {
    field = value;
    return absl::OkStatus();
  };
}

Setter PositiveInt(const std::string& path, int& field) {
  return [&field, path](const std::string& value) {
    int parsed = 0;
    if (!absl::SimpleAtoi(value, &parsed) || parsed <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": expected a positive integer, got \"", value, "\""));
    }
    field = parsed;
    return absl::OkStatus();
  };
}

Setter OneOf(const std::string& path, std::string& field, std::vector<std::string> allowed) {
  return [&field, path, allowed = std::move(allowed)](const std::string& value) {
    for (const auto& choice : allowed) {
      if (value == choice) {
        field = value;
        return absl::OkStatus();
      }
    }
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": expected one of ", absl::StrJoin(allowed, ", "), ", got \"", value, "\""));
  };
}

Setter NonNegativeInt(const std::string& path, int& field) {
  return [&field, path](const std::string& value) {
    int parsed = 0;
    if (!absl::SimpleAtoi(value, &parsed) || parsed < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": expected a non-negative integer, got \"", value, "\""));
    }
    field = parsed;
    return absl::OkStatus();
  };
}

// Every accepted key, by dotted path. Anything else is an error.
std::map<std::string, Setter> Schema(BrokerConfig& c) {
  std::map<std::string, Setter> schema;
  schema["grpc.listen"] = Text(c.grpc.listen);
  schema["grpc.max_message_bytes"] =
      PositiveInt("grpc.max_message_bytes", c.grpc.max_message_bytes);
  schema["grpc.keepalive_time_ms"] =
      PositiveInt("grpc.keepalive_time_ms", c.grpc.keepalive_time_ms);
  schema["grpc.keepalive_timeout_ms"] =
      PositiveInt("grpc.keepalive_timeout_ms", c.grpc.keepalive_timeout_ms);
  schema["grpc.shutdown_drain_ms"] =
      NonNegativeInt("grpc.shutdown_drain_ms", c.grpc.shutdown_drain_ms);
  schema["grpc.health_probe_ms"] = PositiveInt("grpc.health_probe_ms", c.grpc.health_probe_ms);
  schema["grpc.readiness_listen"] = Text(c.grpc.readiness_listen);
  schema["grpc.tls.cert_file"] = Text(c.grpc.tls.cert_file);
  schema["grpc.tls.key_file"] = Text(c.grpc.tls.key_file);
  schema["grpc.tls.client_ca_file"] = Text(c.grpc.tls.client_ca_file);
  schema["database.url"] = Text(c.database.url);
  schema["database.pool_size"] = PositiveInt("database.pool_size", c.database.pool_size);
  schema["broker.worker_threads"] = PositiveInt("broker.worker_threads", c.broker.worker_threads);
  schema["broker.default_deadline_ms"] =
      PositiveInt("broker.default_deadline_ms", c.broker.default_deadline_ms);
  schema["broker.vendor_deadline_margin_ms"] =
      PositiveInt("broker.vendor_deadline_margin_ms", c.broker.vendor_deadline_margin_ms);
  schema["broker.quote_ttl_seconds"] =
      PositiveInt("broker.quote_ttl_seconds", c.broker.quote_ttl_seconds);
  schema["broker.auth_cache_seconds"] =
      PositiveInt("broker.auth_cache_seconds", c.broker.auth_cache_seconds);
  schema["broker.ledger_hold_ttl_seconds"] =
      PositiveInt("broker.ledger_hold_ttl_seconds", c.broker.ledger_hold_ttl_seconds);
  schema["broker.maintenance_interval_seconds"] =
      PositiveInt("broker.maintenance_interval_seconds", c.broker.maintenance_interval_seconds);
  schema["broker.recovery_after_seconds"] =
      PositiveInt("broker.recovery_after_seconds", c.broker.recovery_after_seconds);
  schema["broker.outbox_retry_seconds"] =
      PositiveInt("broker.outbox_retry_seconds", c.broker.outbox_retry_seconds);
  schema["broker.reconcile_interval_seconds"] =
      PositiveInt("broker.reconcile_interval_seconds", c.broker.reconcile_interval_seconds);
  schema["broker.reconcile_window_hours"] =
      PositiveInt("broker.reconcile_window_hours", c.broker.reconcile_window_hours);
  schema["broker.reconcile_every_seconds"] =
      PositiveInt("broker.reconcile_every_seconds", c.broker.reconcile_every_seconds);
  schema["broker.reconcile_batch"] =
      PositiveInt("broker.reconcile_batch", c.broker.reconcile_batch);
  schema["broker.vendor_answer_max_bytes"] =
      PositiveInt("broker.vendor_answer_max_bytes", c.broker.vendor_answer_max_bytes);
  schema["broker.vendor_http_client"] =
      OneOf("broker.vendor_http_client", c.broker.vendor_http_client, {"auto", "libcurl"});
  schema["database.connect_timeout_seconds"] =
      PositiveInt("database.connect_timeout_seconds", c.database.connect_timeout_seconds);
  schema["database.statement_timeout_ms"] =
      PositiveInt("database.statement_timeout_ms", c.database.statement_timeout_ms);
  schema["database.hung_after_ms"] =
      PositiveInt("database.hung_after_ms", c.database.hung_after_ms);
  schema["database.commit_batch_gather_us"] =
      NonNegativeInt("database.commit_batch_gather_us", c.database.commit_batch_gather_us);
  schema["broker.max_queued_calls"] =
      PositiveInt("broker.max_queued_calls", c.broker.max_queued_calls);
  schema["broker.max_queue_wait_ms"] =
      PositiveInt("broker.max_queue_wait_ms", c.broker.max_queue_wait_ms);
  schema["broker.program_max_in_flight"] =
      NonNegativeInt("broker.program_max_in_flight", c.broker.program_max_in_flight);
  schema["broker.circuit_failures_to_open"] =
      NonNegativeInt("broker.circuit_failures_to_open", c.broker.circuit_failures_to_open);
  schema["broker.circuit_first_ejection_ms"] =
      PositiveInt("broker.circuit_first_ejection_ms", c.broker.circuit_first_ejection_ms);
  schema["broker.circuit_max_ejection_seconds"] =
      PositiveInt("broker.circuit_max_ejection_seconds", c.broker.circuit_max_ejection_seconds);
  schema["broker.auth_failures_per_minute"] =
      PositiveInt("broker.auth_failures_per_minute", c.broker.auth_failures_per_minute);
  schema["broker.auth_negative_cache_seconds"] =
      PositiveInt("broker.auth_negative_cache_seconds", c.broker.auth_negative_cache_seconds);
  schema["retention.quote_days"] = PositiveInt("retention.quote_days", c.retention.quote_days);
  schema["retention.journal_days"] =
      PositiveInt("retention.journal_days", c.retention.journal_days);
  schema["retention.days_ahead"] = PositiveInt("retention.days_ahead", c.retention.days_ahead);
  schema["privacy.customer_hash_key"] = Text(c.privacy.customer_hash_key);
  schema["admin.listen"] = Text(c.admin.listen);
  schema["admin.tokens_file"] = Text(c.admin.tokens_file);
  schema["metrics.listen"] = Text(c.metrics.listen);
  schema["metrics.state_interval_seconds"] =
      PositiveInt("metrics.state_interval_seconds", c.metrics.state_interval_seconds);
  schema["logging.level"] = [&c](const std::string& value) {
    if (!ParseLogLevel(value, c.logging.level)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "logging.level: expected debug, info, warning or error, got \"", value, "\""));
    }
    return absl::OkStatus();
  };
  return schema;
}

absl::Status Apply(std::map<std::string, Setter>& schema, const std::string& path,
                   const std::string& value, const std::string& source) {
  auto it = schema.find(path);
  if (it == schema.end()) {
    return absl::InvalidArgumentError(absl::StrCat("unknown configuration key ", source));
  }
  return it->second(value);
}

absl::Status Walk(const YAML::Node& node, const std::string& prefix,
                  std::map<std::string, Setter>& schema) {
  if (node.IsNull()) return absl::OkStatus();
  if (!node.IsMap()) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix.empty() ? "configuration" : prefix, ": expected a mapping"));
  }
  for (const auto& entry : node) {
    const std::string key = entry.first.as<std::string>();
    const std::string path = prefix.empty() ? key : absl::StrCat(prefix, ".", key);
    if (entry.second.IsMap()) {
      if (auto status = Walk(entry.second, path, schema); !status.ok()) return status;
    } else if (entry.second.IsScalar()) {
      if (auto status = Apply(schema, path, entry.second.Scalar(), "\"" + path + "\"");
          !status.ok()) {
        return status;
      }
    } else {
      return absl::InvalidArgumentError(absl::StrCat(path, ": expected a single value"));
    }
  }
  return absl::OkStatus();
}

absl::Status Validate(BrokerConfig& c) {
  const TlsConfig& tls = c.grpc.tls;
  c.grpc.tls_enabled =
      !tls.cert_file.empty() || !tls.key_file.empty() || !tls.client_ca_file.empty();
  if (c.grpc.tls_enabled && tls.cert_file.empty()) {
    return absl::InvalidArgumentError("grpc.tls.cert_file is required when TLS is configured");
  }
  if (c.grpc.tls_enabled && tls.key_file.empty()) {
    return absl::InvalidArgumentError("grpc.tls.key_file is required when TLS is configured");
  }
  if (c.grpc.listen.empty()) return absl::InvalidArgumentError("grpc.listen must not be empty");
  // A till would feel a longer wait; the batches gain little beyond a few ms.
  if (c.database.commit_batch_gather_us > kLongestCommitBatchGatherUs) {
    return absl::InvalidArgumentError(absl::StrCat("database.commit_batch_gather_us: at most ",
                                                   kLongestCommitBatchGatherUs, ", got ",
                                                   c.database.commit_batch_gather_us));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<BrokerConfig> ParseConfig(const std::string& yaml_text, const Environment& env) {
  BrokerConfig config;
  auto schema = Schema(config);
  try {
    YAML::Node root = YAML::Load(yaml_text);
    if (auto status = Walk(root, "", schema); !status.ok()) return status;
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("configuration is not valid YAML: ", e.what()));
  }
  for (const auto& [name, value] : env) {
    if (name.rfind(kEnvPrefix, 0) != 0 || name.find("__") == std::string::npos) continue;
    std::string path = absl::AsciiStrToLower(name.substr(sizeof(kEnvPrefix) - 1));
    absl::StrReplaceAll({{"__", "."}}, &path);
    if (auto status = Apply(schema, path, value, "from environment variable " + name);
        !status.ok()) {
      return status;
    }
  }
  if (auto status = Validate(config); !status.ok()) return status;
  return config;
}

absl::StatusOr<BrokerConfig> LoadConfig(const std::string& path, const Environment& env) {
  if (path.empty()) return ParseConfig("", env);
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read configuration file ", path));
  std::stringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str(), env);
}

Environment ProcessEnvironment() {
  Environment env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string text(*entry);
    const size_t eq = text.find('=');
    if (eq != std::string::npos) env[text.substr(0, eq)] = text.substr(eq + 1);
  }
  return env;
}

}  // namespace loyalty::broker
