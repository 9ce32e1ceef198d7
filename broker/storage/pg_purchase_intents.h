#pragma once

// A new purchase's intent in PostgreSQL: the idempotency key claimed and the
// purchase written with its programs and holds, or nothing at all. Intents
// that tills send at the same moment are written together (group_writer.h):
// one statement and one synchronous commit for all of them, where each on its
// own cost PostgreSQL about three times the CPU. A batch that cannot be
// written whole (a key or an order number taken, a quote already committed)
// is written again intent by intent, each deciding its own answer.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "broker/core/repositories/purchase_repository.h"
#include "broker/storage/group_writer.h"
#include "broker/storage/pool.h"
#include "broker/storage/quote_rows.h"

namespace loyalty::broker {

class PgQuoteRepository;

class PgPurchaseIntents {
 public:
  // `gather`: how long a batch waits for company under load (group_writer.h).
  // `quotes` (may be null): the quotes at hand, whose lines' JSON a purchase
  // of the same lines takes rather than writing it again.
  explicit PgPurchaseIntents(ConnectionPool& pool, size_t max_batch = 32,
                             absl::Duration gather = absl::ZeroDuration(),
                             const PgQuoteRepository* quotes = nullptr);

  // As PurchaseRepository::WriteIntent.
  absl::StatusOr<bool> Write(PurchaseRecord& purchase, const KeyClaim& claim);

 private:
  struct PendingIntent {
    PurchaseRecord* purchase;
    const KeyClaim* claim;
    std::string programs_json;
    std::string holds_json;
    std::shared_ptr<const LinesAsJson> lines;
    bool claimed = false;
  };
  absl::Status WriteAll(const std::vector<PendingIntent*>& intents);
  absl::Status WriteOne(PendingIntent& intent);
  absl::Status WriteBatch(const std::vector<PendingIntent*>& intents);

  ConnectionPool& pool_;
  const PgQuoteRepository* const quotes_;
  GroupWriter<PendingIntent> writer_;
};

}  // namespace loyalty::broker
