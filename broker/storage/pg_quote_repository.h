#pragma once

// QuoteRepository in PostgreSQL. Quotes that tills ask for at the same
// moment are saved together: one statement, one round trip and one
// (asynchronous) commit for all of them (group_writer.h).

#include <string>

#include "broker/core/repositories/quote_repository.h"
#include "broker/storage/group_writer.h"
#include "broker/storage/pool.h"

namespace loyalty::broker {

class PgQuoteRepository final : public QuoteRepository {
 public:
  // `customer_hash_key`: the key of quotes.customer_hash, the customer's
  // identifier as analysts may see it (empty: none is written).
  explicit PgQuoteRepository(ConnectionPool& pool, std::string customer_hash_key = "",
                             size_t max_batch = 64);

  absl::Status Save(QuoteRecord& quote, int ttl_seconds) override;
  absl::StatusOr<QuoteRecord> Load(const std::string& store_id, const std::string& quote_id,
                                   bool allow_expired = false) override;

 private:
  struct PendingQuote {
    QuoteRecord* quote;
    int ttl_seconds;
  };
  absl::Status SaveAll(const std::vector<PendingQuote*>& pending);

  ConnectionPool& pool_;
  const std::string customer_hash_key_;
  GroupWriter<PendingQuote> writer_;
};

// True for a syntactically valid UUID (so lookups never hit a SQL cast error).
bool LooksLikeUuid(const std::string& text);

}  // namespace loyalty::broker
