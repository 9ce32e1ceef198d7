#pragma once

// Reconciliation: compares the broker's purchases with every vendor that can
// be asked about a purchase (capabilities().get: SailPlay's purchases/get),
// records each disagreement in reconciliation_mismatches (analysts query
// it; loyalty_reconciliation_mismatches counts the open ones), and settles
// bookings left "in doubt" where the vendor's answer decides them: booked
// there → approved with the vendor's points, unknown there → declined.
// A vendor that cannot be asked (LoyalClient) is never compared; its
// purchases in doubt stay an operator's to settle. Run periodically by every
// replica (claims in PostgreSQL share the work) and by `loyalty-broker
// reconcile`.

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/core/checkout_observer.h"
#include "broker/core/program_calls.h"
#include "broker/core/records.h"
#include "broker/core/repositories/purchase_repository.h"
#include "broker/core/repositories/reconciliation_repository.h"
#include "broker/core/repositories/store_directory.h"

namespace loyalty::broker {

struct ReconciliationDependencies {
  const connectors::ConnectorRegistry& connectors;
  StoreDirectory& stores;
  PurchaseRepository& purchases;
  ReconciliationRepository& mismatches;
  OperationJournal& journal;
  CheckoutObserver& observer;
};

// From the configuration (broker.reconcile_*).
struct ReconciliationSettings {
  absl::Duration window;  // purchases updated this recently are compared
  absl::Duration every;   // a purchase is compared again after this long
  int batch = 200;        // purchases per pass
  absl::Duration vendor_deadline;
};

struct ReconciliationPass {
  int purchases = 0;   // compared
  int mismatches = 0;  // open disagreements found this pass
  int settled = 0;     // in-doubt bookings settled
};

class Reconciler {
 public:
  Reconciler(ReconciliationDependencies deps, ReconciliationSettings settings)
      : deps_(deps), settings_(settings), calls_(deps.connectors, deps.journal, deps.observer) {}

  absl::StatusOr<ReconciliationPass> RunOnce();

 private:
  // Compares one program of the purchase with its vendor.
  absl::Status Compare(const StoreContext& store, const PurchaseRecord& purchase,
                       PurchaseProgramRecord program, ReconciliationPass& pass);

  ReconciliationDependencies deps_;
  ReconciliationSettings settings_;
  ProgramCalls calls_;
};

}  // namespace loyalty::broker
