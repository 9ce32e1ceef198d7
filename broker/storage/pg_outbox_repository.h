#pragma once

// OutboxRepository in PostgreSQL (migration 0004).

#include "broker/core/repositories/outbox_repository.h"
#include "broker/storage/pool.h"

namespace loyalty::broker {

class PgOutboxRepository final : public OutboxRepository {
 public:
  explicit PgOutboxRepository(ConnectionPool& pool) : pool_(pool) {}

  absl::StatusOr<std::vector<int64_t>> ProgramsWithBacklog() override;
  absl::StatusOr<std::optional<OutboxEntry>> Head(int64_t program_id) override;
  absl::StatusOr<bool> Claim(OutboxEntry& entry, absl::Duration lease) override;
  absl::Status Retry(const OutboxEntry& entry, const std::string& error,
                     absl::Duration backoff) override;
  absl::Status Finish(const OutboxEntry& entry, OutboxState state, const std::string& error,
                      const std::optional<PurchaseProgramRecord>& program) override;

 private:
  ConnectionPool& pool_;
};

}  // namespace loyalty::broker
