#pragma once

// Maps an API key to its store and the store's programs, from PostgreSQL,
// with a short cache so that authentication costs no query per call.

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/core/records.h"
#include "broker/storage/pool.h"

namespace loyalty::broker {

class StoreDirectory {
 public:
  StoreDirectory(ConnectionPool& pool, absl::Duration cache_ttl)
      : pool_(pool), cache_ttl_(cache_ttl) {}

  // UNAUTHENTICATED for a missing, unknown or revoked key.
  absl::StatusOr<std::shared_ptr<const StoreContext>> Authenticate(const std::string& api_key);
  // A store's programs by its id, uncached: for background work.
  absl::StatusOr<std::shared_ptr<const StoreContext>> ForStore(const std::string& store_id);

 private:
  absl::StatusOr<std::shared_ptr<const StoreContext>> Load(const std::string& key_hash);

  struct CacheEntry {
    std::shared_ptr<const StoreContext> store;
    absl::Time expires;
  };

  ConnectionPool& pool_;
  absl::Duration cache_ttl_;
  std::mutex mutex_;
  std::map<std::string, CacheEntry> cache_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace loyalty::broker
