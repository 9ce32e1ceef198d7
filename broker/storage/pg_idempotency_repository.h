#pragma once

// IdempotencyRepository in PostgreSQL (table idempotency_keys).

#include "broker/core/repositories/idempotency_repository.h"
#include "broker/storage/pool.h"

namespace loyalty::broker {

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
