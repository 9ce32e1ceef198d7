#pragma once

// IdempotencyRepository in PostgreSQL (table idempotency_keys).

#include <pqxx/pqxx>
#include <string>

#include "broker/core/repositories/idempotency_repository.h"
#include "broker/storage/pool.h"

namespace loyalty::broker {

// The columns of a key that ClaimFromRow reads, over `idempotency_keys`.
extern const char kIdempotencyKeyColumns[];

// How the key in `row` stands for a request of `method` and `request_hash`;
// ALREADY_EXISTS if it was used with other content or another method.
absl::StatusOr<IdempotencyClaim> ClaimFromRow(const pqxx::row& row, const std::string& method,
                                              const std::string& request_hash);

class PgIdempotencyRepository final : public IdempotencyRepository {
 public:
  explicit PgIdempotencyRepository(ConnectionPool& pool) : pool_(pool) {}

  absl::StatusOr<IdempotencyClaim> Find(const std::string& store_id, const std::string& key,
                                        const std::string& method,
                                        const std::string& request_hash) override;
  absl::Status Forget(const std::string& store_id, const std::string& key) override;

 private:
  ConnectionPool& pool_;
};

}  // namespace loyalty::broker
