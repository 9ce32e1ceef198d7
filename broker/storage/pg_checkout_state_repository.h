#pragma once

// CheckoutStateRepository in PostgreSQL: one read-only transaction.

#include "broker/core/repositories/checkout_state_repository.h"
#include "broker/storage/pool.h"

namespace loyalty::broker {

class PgCheckoutStateRepository final : public CheckoutStateRepository {
 public:
  explicit PgCheckoutStateRepository(ConnectionPool& pool) : pool_(pool) {}

  absl::StatusOr<CheckoutStateSample> Sample() override;

 private:
  ConnectionPool& pool_;
};

}  // namespace loyalty::broker
