#include "broker/storage/pg_store_directory.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "absl/time/clock.h"
#include "broker/common/error_reasons.h"
#include "broker/common/hashing.h"
#include "broker/storage/queries.h"

namespace loyalty::broker {
namespace {

std::map<std::string, std::string> StringMap(const std::string& json_text) {
  std::map<std::string, std::string> values;
  const auto parsed = nlohmann::json::parse(json_text, nullptr, false);
  if (!parsed.is_object()) return values;
  for (const auto& [key, value] : parsed.items()) {
    values[key] = value.is_string() ? value.get<std::string>() : value.dump();
  }
  return values;
}

ProgramUses UsesFromJson(const std::string& json_text) {
  ProgramUses uses{false, false, false};
  const auto parsed = nlohmann::json::parse(json_text, nullptr, false);
  if (!parsed.is_array()) return ProgramUses{};
  for (const auto& use : parsed) {
    if (use == "identify") uses.identify = true;
    if (use == "discounts") uses.discounts = true;
    if (use == "points") uses.points = true;
  }
  return uses;
}

// Each program's settings are parsed once here, by its vendor's factory: a
// program whose settings no longer parse is refused at every call.
void LoadPrograms(pqxx::read_transaction& tx, const connectors::VendorCatalog& vendors,
                  StoreContext& store) {
  for (const auto& row : tx.exec_prepared(q::kProgramsOfStore, store.store_id)) {
    auto program = std::make_shared<connectors::ProgramConfig>();
    program->id = row["program_id"].as<int64_t>();
    program->code = row["code"].as<std::string>();
    program->vendor = row["vendor"].as<std::string>();
    program->base_url = row["base_url"].as<std::string>();
    program->settings = StringMap(row["settings"].as<std::string>());
    program->secrets = StringMap(row["credentials"].as<std::string>());
    program->switched_off = row["switched_off"].as<bool>();
    vendors.Prepare(*program);
    store.programs.push_back(StoreProgram{program, row["required"].as<bool>(),
                                          UsesFromJson(row["uses"].as<std::string>())});
  }
}

}  // namespace

absl::StatusOr<std::shared_ptr<const StoreContext>> PgStoreDirectory::ForStore(
    const std::string& store_id) {
  auto store = std::make_shared<StoreContext>();
  store->store_id = store_id;
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    LoadPrograms(tx, vendors_, *store);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return std::shared_ptr<const StoreContext>(std::move(store));
}

bool PgStoreDirectory::CacheUsable() const { return announcements_ != Announcements::kLost; }

std::optional<std::shared_ptr<const StoreContext>> PgStoreDirectory::Cached(
    const std::string& api_key) {
  const std::string key_hash = Sha256Hex(api_key);
  absl::MutexLock lock(&mutex_);
  auto it = cache_.find(key_hash);
  if (!CacheUsable() || it == cache_.end() || it->second.expires <= absl::Now() ||
      !it->second.store) {
    return std::nullopt;
  }
  return it->second.store;
}

absl::StatusOr<std::shared_ptr<const StoreContext>> PgStoreDirectory::Authenticate(
    const std::string& api_key) {
  if (api_key.empty())
    return ReasonedError(absl::StatusCode::kUnauthenticated, ErrorReason::kApiKeyMissing,
                         "missing x-api-key metadata");
  const std::string key_hash = Sha256Hex(api_key);
  const absl::Time now = absl::Now();
  {
    absl::MutexLock lock(&mutex_);
    auto it = cache_.find(key_hash);
    if (CacheUsable() && it != cache_.end() && it->second.expires > now) {
      if (it->second.store) return it->second.store;
      return ReasonedError(absl::StatusCode::kUnauthenticated, ErrorReason::kApiKeyInvalid,
                           "unknown API key");
    }
  }
  uint64_t generation = 0;
  {
    absl::MutexLock lock(&mutex_);
    generation = generation_;
  }
  absl::Duration valid_for = settings_.cache_ttl;
  auto loaded = Load(key_hash, &valid_for);
  const bool unknown = !loaded.ok() && loaded.status().code() == absl::StatusCode::kUnauthenticated;
  if (!loaded.ok() && !unknown) return loaded.status();
  absl::MutexLock lock(&mutex_);
  // A change announced while loading may have made the answer stale.
  if (!CacheUsable() || generation != generation_) return loaded;
  if (unknown) {
    if (unknown_keys_ >= kMaxUnknownKeys) {
      for (auto it = cache_.begin(); it != cache_.end();) {
        it = it->second.store ? std::next(it) : cache_.erase(it);
      }
      unknown_keys_ = 0;
    }
    if (cache_.insert_or_assign(key_hash, CacheEntry{nullptr, now + settings_.negative_ttl})
            .second) {
      ++unknown_keys_;
    }
    return loaded.status();
  }
  cache_[key_hash] = CacheEntry{*loaded, now + std::min(valid_for, settings_.cache_ttl)};
  return *loaded;
}

void PgStoreDirectory::Forget(const std::string& store_id) {
  absl::MutexLock lock(&mutex_);
  for (auto it = cache_.begin(); it != cache_.end();) {
    const bool drop =
        store_id.empty() || !it->second.store || it->second.store->store_id == store_id;
    it = drop ? cache_.erase(it) : std::next(it);
  }
  unknown_keys_ = 0;
  ++generation_;
}

bool PgStoreDirectory::Listening() {
  absl::MutexLock lock(&mutex_);
  return announcements_ == Announcements::kFollowed;
}

void PgStoreDirectory::SetListening(bool listening) {
  absl::MutexLock lock(&mutex_);
  announcements_ = listening ? Announcements::kFollowed : Announcements::kLost;
  // Announcements may have been missed while not listening.
  cache_.clear();
  unknown_keys_ = 0;
  ++generation_;
}

absl::StatusOr<std::shared_ptr<const StoreContext>> PgStoreDirectory::Load(
    const std::string& key_hash, absl::Duration* valid_for) {
  auto store = std::make_shared<StoreContext>();
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    pqxx::result found = tx.exec_prepared(q::kStoreByKeyHash, key_hash);
    if (found.empty())
      return ReasonedError(absl::StatusCode::kUnauthenticated, ErrorReason::kApiKeyInvalid,
                           "unknown API key");
    store->store_id = found[0][0].as<std::string>();
    if (!found[0][1].is_null()) *valid_for = absl::Seconds(found[0][1].as<double>());
    LoadPrograms(tx, vendors_, *store);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return std::shared_ptr<const StoreContext>(std::move(store));
}

// The statements this file runs, prepared on every connection (queries.h).
const std::vector<NamedQuery>& StoreDirectoryQueries() {
  static const std::vector<NamedQuery> kQueries = {
      {q::kStoreByKeyHash,
       // A rotated-out key is valid until it expires: the seconds it has left.
       "SELECT store_id, extract(epoch FROM expires_at - now())::float8 FROM api_keys "
       "WHERE key_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())"},
      {q::kProgramsOfStore,
       "SELECT p.program_id, code, vendor, base_url, required, settings::text AS settings, "
       "coalesce(c.credentials, '{}')::text AS credentials, array_to_json(uses)::text AS uses, "
       "switched_off_at IS NOT NULL AS switched_off "
       "FROM programs p LEFT JOIN program_credentials c USING (program_id) "
       "WHERE store_id = $1 AND enabled ORDER BY position, p.program_id"},
  };
  return kQueries;
}

}  // namespace loyalty::broker
