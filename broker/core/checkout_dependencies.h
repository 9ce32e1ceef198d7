#pragma once

// What the checkout's use cases work with: the connectors, the repositories
// and the observer. Owned by whoever wires the broker (BrokerApp, tests).

#include "broker/config/config.h"
#include "broker/core/checkout_observer.h"
#include "broker/core/repositories/commit_reads.h"
#include "broker/core/repositories/hold_repository.h"
#include "broker/core/repositories/idempotency_repository.h"
#include "broker/core/repositories/operation_journal.h"
#include "broker/core/repositories/purchase_repository.h"
#include "broker/core/repositories/quote_repository.h"
#include "connectors/registry/connector_registry.h"

namespace loyalty::broker {

struct CheckoutDependencies {
  const connectors::ConnectorRegistry& connectors;
  QuoteRepository& quotes;
  HoldRepository& holds;
  PurchaseRepository& purchases;
  IdempotencyRepository& idempotency;
  CommitReads& commit_reads;
  OperationJournal& journal;
  CheckoutObserver& observer;
  BrokerConfig::Broker settings;
};

}  // namespace loyalty::broker
