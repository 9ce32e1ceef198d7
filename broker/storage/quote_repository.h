#pragma once

// Quotes with their lines, per-line discounts and per-program results.

#include <string>

#include "absl/status/statusor.h"
#include "broker/core/records.h"
#include "broker/storage/pool.h"

namespace loyalty::broker {

class QuoteRepository {
 public:
  explicit QuoteRepository(ConnectionPool& pool) : pool_(pool) {}

  // Stores `quote` in one transaction; fills quote_id and expires_at_unix.
  absl::Status Save(QuoteRecord& quote, int ttl_seconds);
  // NOT_FOUND unless the quote exists for this store; FAILED_PRECONDITION if expired.
  // FAILED_PRECONDITION for an expired quote unless `allow_expired`.
  absl::StatusOr<QuoteRecord> Load(const std::string& store_id, const std::string& quote_id,
                                   bool allow_expired = false);

 private:
  ConnectionPool& pool_;
};

// True for a syntactically valid UUID (so lookups never hit a SQL cast error).
bool LooksLikeUuid(const std::string& text);

}  // namespace loyalty::broker
