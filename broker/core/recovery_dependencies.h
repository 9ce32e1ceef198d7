#pragma once

// What the background recovery works with (InterruptedCommits,
// OutboxDelivery), and its settings from the broker's configuration
// (broker.recovery_after_seconds, default_deadline_ms, outbox_retry_seconds).

#include "absl/time/time.h"
#include "broker/core/checkout_observer.h"
#include "broker/core/repositories/idempotency_repository.h"
#include "broker/core/repositories/operation_journal.h"
#include "broker/core/repositories/outbox_repository.h"
#include "broker/core/repositories/purchase_repository.h"
#include "broker/core/repositories/quote_repository.h"
#include "broker/core/repositories/store_directory.h"
#include "connectors/registry/connector_registry.h"

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

struct RecoverySettings {
  // A purchase pending this long was interrupted: longer than any commit.
  absl::Duration stale_after;
  absl::Duration vendor_deadline;
  // First wait before an outbox entry is tried again; doubles up to 5 min.
  absl::Duration retry_backoff;
};

}  // namespace loyalty::broker
