#pragma once

// StoreDirectory in PostgreSQL. Maps an API key to its store and the store's programs, from
// PostgreSQL, with a cache so that authentication costs no query per call:
// - known keys for `cache_ttl` (never past a rotated key's expiry);
// - unknown keys for `negative_ttl`, so a flood of one bad key is one lookup.
// Every change to a store's keys or programs is announced by PostgreSQL
// (migration 0008) and Forget() drops what was cached of that store, so a
// revoked key stops working at once on every replica that listens
// (StoreChangeListener). While a listener is attached but not connected,
// nothing cached is trusted.

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/core/repositories/store_directory.h"
#include "broker/storage/pool.h"
#include "connectors/registry/vendor_catalog.h"

namespace loyalty::broker {

struct StoreDirectorySettings {
  absl::Duration cache_ttl = absl::Seconds(30);
  absl::Duration negative_ttl = absl::Seconds(10);
};

class PgStoreDirectory final : public StoreDirectory {
 public:
  PgStoreDirectory(ConnectionPool& pool, const connectors::VendorCatalog& vendors,
                   StoreDirectorySettings settings)
      : pool_(pool), vendors_(vendors), settings_(settings) {}

  absl::StatusOr<std::shared_ptr<const StoreContext>> Authenticate(
      const std::string& api_key) override;
  // The cached answer for `api_key`, if one may be used now.
  std::optional<std::shared_ptr<const StoreContext>> Cached(const std::string& api_key) override;
  // Uncached.
  absl::StatusOr<std::shared_ptr<const StoreContext>> ForStore(
      const std::string& store_id) override;

  // Drops what is cached of `store_id` and every unknown key (a key may
  // just have been added); an empty id drops everything.
  void Forget(const std::string& store_id);
  // Whether change announcements reach this directory; set by the listener.
  void SetListening(bool listening);
  // True while they do: only then is anything cached trusted.
  bool Listening();

 private:
  absl::StatusOr<std::shared_ptr<const StoreContext>> Load(const std::string& key_hash,
                                                           absl::Duration* valid_for);
  bool CacheUsable() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  struct CacheEntry {
    std::shared_ptr<const StoreContext> store;  // null: the key is unknown
    absl::Time expires;
  };
  static constexpr size_t kMaxUnknownKeys = 10000;

  ConnectionPool& pool_;
  const connectors::VendorCatalog& vendors_;
  const StoreDirectorySettings settings_;
  absl::Mutex mutex_;
  std::map<std::string, CacheEntry> cache_ ABSL_GUARDED_BY(mutex_);
  size_t unknown_keys_ ABSL_GUARDED_BY(mutex_) = 0;
  // Counts Forget()s: a lookup that overlapped one is not cached.
  uint64_t generation_ ABSL_GUARDED_BY(mutex_) = 0;
  enum class Announcements { kNotFollowed, kFollowed, kLost };
  Announcements announcements_ ABSL_GUARDED_BY(mutex_) = Announcements::kNotFollowed;
};

}  // namespace loyalty::broker
