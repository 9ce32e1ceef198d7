#pragma once

// What a commit reads before it writes, in one round trip: how its
// idempotency key stands and the quote it commits. Each part is answered as
// IdempotencyRepository::Find and QuoteRepository::Load answer it.

#include <string>

#include "absl/status/statusor.h"
#include "broker/core/records.h"
#include "broker/core/repositories/idempotency_repository.h"

namespace loyalty::broker {

struct CommitStart {
  absl::StatusOr<IdempotencyClaim> key;
  absl::StatusOr<QuoteRecord> quote;  // what it holds matters only while the key is free
};

class CommitReads {
 public:
  virtual ~CommitReads() = default;

  // The key of this request and the store's live quote `quote_id`.
  virtual absl::StatusOr<CommitStart> Read(const std::string& store_id, const std::string& key,
                                           const std::string& method,
                                           const std::string& request_hash,
                                           const std::string& quote_id) = 0;
};

}  // namespace loyalty::broker
