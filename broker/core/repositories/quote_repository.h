#pragma once

// Where quotes are kept: with their lines, per-line discounts and
// per-program results, for the commit that books them.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "broker/core/records.h"

namespace loyalty::broker {

class QuoteRepository {
 public:
  virtual ~QuoteRepository() = default;

  // Stores `quote` atomically; fills quote_id and expires_at_unix.
  virtual absl::Status Save(QuoteRecord& quote, int ttl_seconds) = 0;
  // NOT_FOUND unless the quote exists for this store; FAILED_PRECONDITION
  // for an expired quote unless `allow_expired`.
  virtual absl::StatusOr<QuoteRecord> Load(const std::string& store_id, const std::string& quote_id,
                                           bool allow_expired = false) = 0;
  // The live quote of this store as Load would find it, when this process
  // saved it a moment ago and still has it at hand: the caller need not
  // read it. nullptr otherwise (Load it). Returns once the quote's row is
  // written, so that nothing written after it reaches the database first.
  virtual std::shared_ptr<const QuoteRecord> Recent(const std::string& store_id,
                                                    const std::string& quote_id) {
    return nullptr;
  }
};

}  // namespace loyalty::broker
