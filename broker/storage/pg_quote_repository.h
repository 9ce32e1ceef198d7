#pragma once

// QuoteRepository in PostgreSQL: one transaction per quote.

#include "broker/core/repositories/quote_repository.h"
#include "broker/storage/pool.h"

namespace loyalty::broker {

class PgQuoteRepository final : public QuoteRepository {
 public:
  explicit PgQuoteRepository(ConnectionPool& pool) : pool_(pool) {}

  absl::Status Save(QuoteRecord& quote, int ttl_seconds) override;
  absl::StatusOr<QuoteRecord> Load(const std::string& store_id, const std::string& quote_id,
                                   bool allow_expired = false) override;

 private:
  ConnectionPool& pool_;
};

// True for a syntactically valid UUID (so lookups never hit a SQL cast error).
bool LooksLikeUuid(const std::string& text);

}  // namespace loyalty::broker
