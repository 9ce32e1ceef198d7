#pragma once

// A purchase's outcome in PostgreSQL: its status and figures, its programs'
// bookings, the steps left to the outbox, the holds it consumed or the
// vendor dropped, and the stored answer of its idempotency key, in one
// statement committed synchronously before the answer leaves. Outcomes of
// commits finishing at the same moment are written together
// (group_writer.h): one statement and one WAL flush for all of them. A batch
// that cannot be written whole is written again outcome by outcome.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "broker/core/repositories/purchase_repository.h"
#include "broker/storage/group_writer.h"
#include "broker/storage/pool.h"

namespace loyalty::broker {

class PgPurchaseOutcomes {
 public:
  // `gather`: how long a batch waits for company under load (group_writer.h).
  explicit PgPurchaseOutcomes(ConnectionPool& pool, size_t max_batch = 32,
                              absl::Duration gather = absl::ZeroDuration());

  // As PurchaseRepository::WriteOutcome.
  absl::Status Write(const PurchaseRecord& purchase, const std::optional<StoredAnswer>& answer,
                     const std::vector<OutboxEntry>& outbox);

 private:
  // The statement's values for one outcome.
  struct PendingOutcome {
    const PurchaseRecord* purchase = nullptr;
    std::string state;
    std::string programs_json;
    std::string steps_json;
    std::string dropped_holds_json;
    // The statement's parts it needs: consuming linked holds or leaving
    // steps to the outbox; releasing the customer's dropped vendor holds.
    bool consumes_or_steps = true;
    bool releases = true;
    std::string key;  // empty: no stored answer
    int code = 0;
    std::string message;
    std::string response;
    std::string details;
  };
  absl::Status WriteAll(const std::vector<PendingOutcome*>& outcomes);
  absl::Status WriteOne(const PendingOutcome& outcome);
  absl::Status WriteBatch(const std::vector<PendingOutcome*>& outcomes);

  ConnectionPool& pool_;
  GroupWriter<PendingOutcome> writer_;
};

}  // namespace loyalty::broker
