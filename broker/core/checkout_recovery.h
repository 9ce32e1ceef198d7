#pragma once

// Finishes what commits left for later or left half-done, in the
// background (the maintenance worker runs it at start and periodically):
//  - purchases still pending long after any commit could run (the broker
//    stopped mid-commit) are finished when every vendor shows the booking,
//    undone when none or only some do, and marked in doubt when a vendor
//    that cannot be asked (no idempotent booking) may have acted;
//  - outbox entries are delivered per program in order; an entry whose
//    sender died mid-call is sent again only where the vendor recognises a
//    repeat, and is marked in doubt otherwise.
// Safe with several replicas: purchases and entries are claimed in
// PostgreSQL before any vendor is called.

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/core/checkout_observer.h"
#include "broker/core/program_calls.h"
#include "broker/core/records.h"
#include "broker/core/repositories/idempotency_repository.h"
#include "broker/core/repositories/outbox_repository.h"
#include "broker/core/repositories/purchase_repository.h"
#include "broker/core/repositories/quote_repository.h"
#include "broker/core/repositories/store_directory.h"

namespace loyalty::broker {

struct RecoveryDependencies {
  const connectors::ConnectorRegistry& connectors;
  StoreDirectory& stores;
  QuoteRepository& quotes;
  PurchaseRepository& purchases;
  IdempotencyRepository& idempotency;
  OutboxRepository& outbox;
  OperationJournal& journal;
  CheckoutObserver& observer;
};

// From the broker's configuration (broker.recovery_after_seconds,
// default_deadline_ms, outbox_retry_seconds).
struct RecoverySettings {
  // A purchase pending this long was interrupted: longer than any commit.
  absl::Duration stale_after;
  absl::Duration vendor_deadline;
  // First wait before an outbox entry is tried again; doubles up to 5 min.
  absl::Duration retry_backoff;
};

class CheckoutRecovery {
 public:
  CheckoutRecovery(RecoveryDependencies deps, RecoverySettings settings)
      : deps_(deps), settings_(settings), calls_(deps.connectors, deps.journal, deps.observer) {}

  // Returns how many interrupted purchases were settled.
  absl::StatusOr<int> RecoverInterrupted();
  // Returns how many outbox entries were settled (delivered, dropped, in doubt).
  absl::StatusOr<int> DrainOutbox();

 private:
  absl::StatusOr<bool> RecoverPurchase(const StalePurchase& stale);
  // Stores read once per pass: a backlog is mostly one store's entries.
  using StoreCache = std::map<std::string, std::shared_ptr<const StoreContext>>;
  // Sends the program's oldest entry; false when the program must wait.
  absl::StatusOr<bool> DeliverHead(int64_t program_id, StoreCache& stores, int& settled);
  absl::Status Deliver(OutboxEntry& entry, const StoreContext& store, int& settled);

  RecoveryDependencies deps_;
  RecoverySettings settings_;
  ProgramCalls calls_;
};

}  // namespace loyalty::broker
