#pragma once

// PurchaseRepository in PostgreSQL: the intent and the outcome are one transaction each;
// concurrent ones share theirs (pg_purchase_intents.h, pg_purchase_outcomes.h).

#include "broker/core/repositories/purchase_repository.h"
#include "broker/storage/pg_purchase_intents.h"
#include "broker/storage/pg_purchase_outcomes.h"
#include "broker/storage/pool.h"

namespace loyalty::broker {

class PgPurchaseRepository final : public PurchaseRepository {
 public:
  // `batch_gather`: how long a batch of intents or outcomes waits for
  // company after one that had it (group_writer.h). `quotes` (may be null):
  // the quotes at hand, whose lines' JSON their purchases take.
  explicit PgPurchaseRepository(ConnectionPool& pool,
                                absl::Duration batch_gather = absl::ZeroDuration(),
                                const PgQuoteRepository* quotes = nullptr)
      : pool_(pool),
        intents_(pool, kMaxBatch, batch_gather, quotes),
        outcomes_(pool, kMaxBatch, batch_gather) {}

  absl::StatusOr<bool> WriteIntent(PurchaseRecord& purchase, const KeyClaim& claim) override;
  absl::Status WriteOutcome(const PurchaseRecord& purchase,
                            const std::optional<StoredAnswer>& answer,
                            const std::vector<OutboxEntry>& outbox = {}) override;
  absl::StatusOr<std::vector<StalePurchase>> StalePending(absl::Duration age) override;
  absl::StatusOr<bool> ClaimStale(int64_t purchase_id, absl::Duration age) override;
  absl::StatusOr<std::optional<int64_t>> ClaimBusy(const std::string& store_id,
                                                   const std::string& order_number,
                                                   const std::string& operation,
                                                   absl::Duration lease) override;
  absl::Status ReleaseBusy(int64_t purchase_id) override;
  absl::StatusOr<PurchaseRecord> LoadByOrder(const std::string& store_id,
                                             const std::string& order_number) override;

 private:
  static constexpr size_t kMaxBatch = 32;

  ConnectionPool& pool_;
  PgPurchaseIntents intents_;
  PgPurchaseOutcomes outcomes_;
};

}  // namespace loyalty::broker
