#pragma once

// Stores and their programs: by API key for the tills, by id for background
// work.

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "broker/core/records.h"

namespace loyalty::broker {

class StoreDirectory {
 public:
  virtual ~StoreDirectory() = default;

  // UNAUTHENTICATED for a missing, unknown, expired or revoked key.
  virtual absl::StatusOr<std::shared_ptr<const StoreContext>> Authenticate(
      const std::string& api_key) = 0;
  // The answer for `api_key` if one is known without a lookup (a cache).
  virtual std::optional<std::shared_ptr<const StoreContext>> Cached(const std::string& api_key) = 0;
  // A store's programs by its id, as stored now: for background work.
  virtual absl::StatusOr<std::shared_ptr<const StoreContext>> ForStore(
      const std::string& store_id) = 0;
};

}  // namespace loyalty::broker
