#include "broker/storage/registration.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/common/hashing.h"
#include "broker/storage/queries.h"

namespace loyalty::broker {
namespace {

struct ProgramEntry {
  std::string code, vendor, base_url, settings_json, credentials_json;
  bool required = false;
  std::vector<std::string> uses = {"identify", "discounts", "points"};
};

struct KeyEntry {
  std::string label, key;
};

struct StoreEntry {
  std::string id, name;
  std::string time_zone = "UTC";  // IANA name: the analysts' "day" is the store's
  std::vector<ProgramEntry> programs;
  std::vector<KeyEntry> keys;
};

absl::Status CheckKeys(const YAML::Node& node, const std::string& where,
                       const std::set<std::string>& allowed) {
  if (!node.IsMap()) return absl::InvalidArgumentError(absl::StrCat(where, ": expected a mapping"));
  for (const auto& entry : node) {
    const std::string key = entry.first.as<std::string>();
    if (!allowed.count(key)) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": unknown key \"", key, "\""));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Required(const YAML::Node& node, const char* key,
                                     const std::string& where) {
  if (!node[key] || !node[key].IsScalar() || node[key].Scalar().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ".", key, " is required"));
  }
  return node[key].Scalar();
}

// "${NAME}" reads the environment variable NAME; anything else is literal.
absl::StatusOr<std::string> Resolve(const std::string& value, const std::string& where,
                                    const Environment& env) {
  if (value.size() > 3 && value.rfind("${", 0) == 0 && value.back() == '}') {
    const std::string name = value.substr(2, value.size() - 3);
    auto it = env.find(name);
    if (it == env.end() || it->second.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": environment variable ", name, " is not set"));
    }
    return it->second;
  }
  return value;
}

// A mapping of single values, each "${NAME}" read from `env`.
absl::StatusOr<std::map<std::string, std::string>> StringMap(const YAML::Node& node,
                                                             const std::string& where,
                                                             const Environment& env) {
  std::map<std::string, std::string> out;
  if (!node) return out;
  if (!node.IsMap()) return absl::InvalidArgumentError(absl::StrCat(where, ": expected a mapping"));
  for (const auto& entry : node) {
    const std::string key = entry.first.as<std::string>();
    if (!entry.second.IsScalar()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ".", key, ": expected a single value"));
    }
    auto value = Resolve(entry.second.Scalar(), absl::StrCat(where, ".", key), env);
    if (!value.ok()) return value.status();
    out[key] = *value;
  }
  return out;
}

// As stored (jsonb text).
absl::StatusOr<std::string> MapJson(const std::map<std::string, std::string>& values,
                                    const std::string& where) {
  try {
    return nlohmann::json(values).dump();
  } catch (const nlohmann::json::exception&) {  // found by fuzz/config_files_fuzzer
    return absl::InvalidArgumentError(absl::StrCat(where, ": keys and values must be UTF-8 text"));
  }
}

// A non-empty list of "identify", "discounts", "points", each at most once.
absl::StatusOr<std::vector<std::string>> Uses(const YAML::Node& node, const std::string& where) {
  static const std::set<std::string> kKnown = {"identify", "discounts", "points"};
  if (!node.IsSequence() || node.size() == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": expected a non-empty list of identify, discounts, points"));
  }
  std::vector<std::string> uses;
  for (const auto& item : node) {
    const std::string use = item.IsScalar() ? item.Scalar() : "";
    if (!kKnown.count(use)) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": unknown use \"", use, "\""));
    }
    if (std::find(uses.begin(), uses.end(), use) != uses.end()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": \"", use, "\" given twice"));
    }
    uses.push_back(use);
  }
  return uses;
}

absl::StatusOr<std::vector<StoreEntry>> ParseLoaded(const YAML::Node& root,
                                                    const connectors::VendorCatalog& vendors,
                                                    const Environment& env) {
  if (auto s = CheckKeys(root, "stores file", {"stores"}); !s.ok()) return s;
  if (!root["stores"].IsSequence()) return absl::InvalidArgumentError("stores: expected a list");
  std::vector<StoreEntry> stores;
  int si = 0;
  for (const auto& s : root["stores"]) {
    const std::string where = absl::StrCat("stores[", si++, "]");
    if (auto st = CheckKeys(s, where, {"id", "name", "time_zone", "api_keys", "programs"});
        !st.ok()) {
      return st;
    }
    StoreEntry store;
    auto id = Required(s, "id", where);
    if (!id.ok()) return id.status();
    store.id = *id;
    store.name = s["name"] ? s["name"].as<std::string>() : store.id;
    if (s["time_zone"]) store.time_zone = s["time_zone"].as<std::string>();
    int ki = 0;
    for (const auto& k : s["api_keys"]) {
      const std::string kw = absl::StrCat(where, ".api_keys[", ki++, "]");
      if (auto st = CheckKeys(k, kw, {"label", "key"}); !st.ok()) return st;
      auto label = Required(k, "label", kw);
      auto key = Required(k, "key", kw);
      if (!label.ok()) return label.status();
      if (!key.ok()) return key.status();
      auto resolved = Resolve(*key, kw + ".key", env);
      if (!resolved.ok()) return resolved.status();
      if (resolved->size() < 16) {
        return absl::InvalidArgumentError(absl::StrCat(kw, ".key must be at least 16 characters"));
      }
      store.keys.push_back({*label, *resolved});
    }
    int pi = 0;
    for (const auto& p : s["programs"]) {
      const std::string pw = absl::StrCat(where, ".programs[", pi++, "]");
      if (auto st = CheckKeys(
              p, pw, {"code", "vendor", "base_url", "required", "uses", "settings", "credentials"});
          !st.ok()) {
        return st;
      }
      ProgramEntry program;
      auto code = Required(p, "code", pw);
      auto vendor = Required(p, "vendor", pw);
      auto base_url = Required(p, "base_url", pw);
      for (const auto* r : {&code, &vendor, &base_url}) {
        if (!r->ok()) return r->status();
      }
      if (!vendors.Vendors().contains(*vendor)) {
        return absl::InvalidArgumentError(
            absl::StrCat(pw, ".vendor: unknown vendor \"", *vendor, "\""));
      }
      program.code = *code;
      program.vendor = *vendor;
      auto resolved_url = Resolve(*base_url, pw + ".base_url", env);
      if (!resolved_url.ok()) return resolved_url.status();
      program.base_url = *resolved_url;
      program.required = p["required"] ? p["required"].as<bool>() : false;
      if (p["uses"]) {
        auto uses = Uses(p["uses"], pw + ".uses");
        if (!uses.ok()) return uses.status();
        program.uses = *uses;
      }
      connectors::ProgramConfig as_called;  // what the vendor's factory checks
      as_called.code = program.code;
      as_called.vendor = program.vendor;
      auto settings = StringMap(p["settings"], pw + ".settings", env);
      if (!settings.ok()) return settings.status();
      auto credentials = StringMap(p["credentials"], pw + ".credentials", env);
      if (!credentials.ok()) return credentials.status();
      auto settings_json = MapJson(*settings, pw + ".settings");
      if (!settings_json.ok()) return settings_json.status();
      auto credentials_json = MapJson(*credentials, pw + ".credentials");
      if (!credentials_json.ok()) return credentials_json.status();
      program.settings_json = *std::move(settings_json);
      program.credentials_json = *std::move(credentials_json);
      as_called.settings = *std::move(settings);
      as_called.secrets = *std::move(credentials);
      if (auto checked = vendors.Check(as_called); !checked.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(pw, ".", checked.message()));
      }
      store.programs.push_back(std::move(program));
    }
    stores.push_back(std::move(store));
  }
  return stores;
}

absl::StatusOr<std::vector<StoreEntry>> Parse(const std::string& yaml_text,
                                              const connectors::VendorCatalog& vendors,
                                              const Environment& env) {
  try {
    return ParseLoaded(YAML::Load(yaml_text), vendors, env);
  } catch (const YAML::Exception& e) {
    // Not YAML, or a value of the wrong shape (a list where a name goes).
    return absl::InvalidArgumentError(absl::StrCat("stores file: ", e.what()));
  }
}

}  // namespace

absl::StatusOr<RegistrationSummary> ReadStoresFile(const std::string& yaml_text,
                                                   const connectors::VendorCatalog& vendors,
                                                   const Environment& env) {
  auto stores = Parse(yaml_text, vendors, env);
  if (!stores.ok()) return stores.status();
  RegistrationSummary summary;
  for (const auto& store : *stores) {
    ++summary.stores;
    summary.programs += static_cast<int>(store.programs.size());
    summary.api_keys += static_cast<int>(store.keys.size());
  }
  return summary;
}

absl::StatusOr<RegistrationSummary> RegisterStores(ConnectionPool& pool,
                                                   const std::string& yaml_text,
                                                   const connectors::VendorCatalog& vendors,
                                                   const Environment& env) {
  auto stores = Parse(yaml_text, vendors, env);
  if (!stores.ok()) return stores.status();
  RegistrationSummary summary;
  absl::Status status = pool.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    for (const auto& store : *stores) {
      // PostgreSQL knows the time zones the views convert with.
      if (!tx.exec_prepared1(q::kKnownTimeZone, store.time_zone)[0].as<bool>()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "stores[", summary.stores, "].time_zone: unknown time zone \"", store.time_zone, "\""));
      }
      tx.exec_prepared0(q::kUpsertStore, store.id, store.name, store.time_zone);
      ++summary.stores;
      int position = 0;
      for (const auto& p : store.programs) {
        const int64_t program_id =
            tx.exec_prepared1(q::kUpsertProgram, store.id, p.code, p.vendor, position++, p.base_url,
                              p.required, p.settings_json, nlohmann::json(p.uses).dump())[0]
                .as<int64_t>();
        tx.exec_prepared0(q::kUpsertProgramCredentials, program_id, p.credentials_json);
        ++summary.programs;
      }
      std::string hashes = "{";
      for (const auto& k : store.keys) {
        const std::string hash = Sha256Hex(k.key);
        const pqxx::row kept = tx.exec_prepared1(q::kUpsertApiKey, hash, store.id, k.label);
        if (kept[0].as<bool>()) ++summary.api_keys_kept_revoked;
        ++summary.api_keys;
        absl::StrAppend(&hashes, hashes.size() > 1 ? "," : "", hash);  // hex: no quoting needed
      }
      hashes += "}";
      summary.api_keys_revoked +=
          tx.exec_prepared(q::kRevokeKeysGoneFromFile, store.id, hashes).affected_rows();
    }
    tx.commit();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return summary;
}

// The statements this file runs, prepared on every connection (queries.h).
const std::vector<NamedQuery>& RegistrationQueries() {
  static const std::vector<NamedQuery> kQueries = {
      {q::kUpsertStore,
       "INSERT INTO stores (store_id, name, time_zone) VALUES ($1, $2, $3) "
       "ON CONFLICT (store_id) DO UPDATE SET name = EXCLUDED.name, time_zone = EXCLUDED.time_zone"},
      {q::kKnownTimeZone, "SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1)"},
      {q::kUpsertProgram,
       "INSERT INTO programs (store_id, code, vendor, position, base_url, required, settings, "
       "enabled, uses) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, true, "
       "ARRAY(SELECT jsonb_array_elements_text($8::jsonb))) "
       "ON CONFLICT (store_id, code) DO UPDATE SET vendor = EXCLUDED.vendor, "
       "position = EXCLUDED.position, base_url = EXCLUDED.base_url, required = EXCLUDED.required, "
       "settings = EXCLUDED.settings, enabled = true, uses = EXCLUDED.uses "
       "RETURNING program_id"},
      {q::kUpsertProgramCredentials,
       // Apart from `programs`: only the broker's role reads them (migration 0011).
       "INSERT INTO program_credentials (program_id, credentials) VALUES ($1, $2::jsonb) "
       "ON CONFLICT (program_id) DO UPDATE SET credentials = EXCLUDED.credentials"},
      {q::kUpsertApiKey,
       "INSERT INTO api_keys (key_hash, store_id, label) VALUES ($1, $2, $3) "
       // A revoked key stays revoked: the answer says so.
       "ON CONFLICT (key_hash) DO UPDATE SET label = EXCLUDED.label "
       "RETURNING revoked_at IS NOT NULL"},
      {q::kRevokeKeysGoneFromFile,
       "UPDATE api_keys SET revoked_at = now(), revoked_reason = 'gone from the stores file' "
       "WHERE store_id = $1 AND source = 'stores_file' AND revoked_at IS NULL "
       "AND NOT (key_hash = ANY ($2::text[]))"},
  };
  return kQueries;
}

}  // namespace loyalty::broker
