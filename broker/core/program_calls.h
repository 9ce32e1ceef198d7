#pragma once

// Journalled vendor calls on a store's programs: each call waits for its
// connector's outcome, then is reported to the observer, logged and written
// to the vendor journal. Shared by the checkout and by recovery.

#include <functional>
#include <string>

#include "absl/time/time.h"
#include "broker/core/checkout_observer.h"
#include "broker/core/records.h"
#include "broker/core/repositories/operation_journal.h"
#include "connectors/core/connector_registry.h"

namespace loyalty::broker {

class ProgramCalls {
 public:
  ProgramCalls(const connectors::ConnectorRegistry& connectors, OperationJournal& journal,
               CheckoutObserver& observer)
      : connectors_(connectors), journal_(journal), observer_(observer) {}

  // Null when the program's vendor has no registered connector.
  connectors::Connector* ConnectorFor(const StoreProgram& program) const;
  // `cancelled` (may be empty): see connectors::CallContext.
  connectors::CallContext Context(const StoreProgram& program, absl::Time deadline,
                                  const std::function<bool()>& cancelled = {}) const;

  // A booking whose answer does not add up (vendor_figures.h) comes back
  // as a failure that may have been applied and must not be resent.
  connectors::Outcome<connectors::BookResult> Book(const StoreProgram& program, absl::Time deadline,
                                                   const connectors::BookRequest& ask,
                                                   const std::string& store_id, int64_t purchase_id,
                                                   const std::string& quote_id);
  // `operation`: "confirm", "cancel", "restore", "reassign" or "get".
  connectors::Outcome<connectors::PurchaseState> OnPurchase(
      const StoreProgram& program, absl::Time deadline, const std::string& operation,
      const connectors::PurchaseRef& ref, const std::string& store_id, int64_t purchase_id);
  // Reports a finished call; a journal failure is logged, not fatal.
  void Journal(VendorOperation operation);

 private:
  const connectors::ConnectorRegistry& connectors_;
  OperationJournal& journal_;
  CheckoutObserver& observer_;
};

}  // namespace loyalty::broker
