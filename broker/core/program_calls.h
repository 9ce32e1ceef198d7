#pragma once

// Every journalled vendor call on a store's programs: each call waits for
// its connector's outcome, then is reported to the observer, logged and
// written to the vendor journal. Shared by the checkout's use cases and by
// recovery; nothing else calls a connector.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "broker/core/checkout_observer.h"
#include "broker/core/fan_out.h"
#include "broker/core/journal_entry.h"
#include "broker/core/records.h"
#include "broker/core/repositories/operation_journal.h"
#include "connectors/registry/connector_registry.h"

namespace loyalty::broker {

// What may be done to a booked purchase at its vendor.
enum class PurchaseAction { kConfirm, kCancel, kRestore, kReassign, kGet };
// As journalled: "confirm", "cancel", "restore", "reassign", "get".
const char* ActionName(PurchaseAction action);

class ProgramCalls {
 public:
  ProgramCalls(const connectors::ConnectorRegistry& connectors, OperationJournal& journal,
               CheckoutObserver& observer)
      : connectors_(connectors), journal_(journal), observer_(observer) {}

  // Null when the program's vendor has no registered connector.
  connectors::Connector* ConnectorFor(const StoreProgram& program) const;

  // Calls every one of `programs` at once, `start(k, connector, context,
  // done)` starting the k-th, and waits for all of them, also when the
  // caller goes away (`cancelled`, may be empty: the vendors are told to
  // stop). `check` (may be empty) may turn an outcome into a failure before
  // it is journalled as `operation`. Outcomes come back in `programs` order.
  template <typename T, typename Start>
  std::vector<connectors::Outcome<T>> FanOut(
      const std::string& store_id, const std::vector<const StoreProgram*>& programs,
      absl::Time deadline, const std::function<bool()>& cancelled, const char* operation,
      Start start, const std::function<void(size_t, connectors::Outcome<T>&)>& check = {});

  // A booking whose answer does not add up (vendor_figures.h) comes back
  // as a failure that may have been applied and must not be resent.
  connectors::Outcome<connectors::BookResult> Book(const StoreProgram& program, absl::Time deadline,
                                                   const connectors::BookRequest& ask,
                                                   const std::string& store_id, int64_t purchase_id,
                                                   const std::string& quote_id);
  connectors::Outcome<connectors::PurchaseState> OnPurchase(
      const StoreProgram& program, absl::Time deadline, PurchaseAction action,
      const connectors::PurchaseRef& ref, const std::string& store_id, int64_t purchase_id);
  connectors::Outcome<connectors::HoldResult> Hold(const StoreProgram& program, absl::Time deadline,
                                                   const connectors::HoldRequest& ask,
                                                   const std::string& store_id,
                                                   const std::string& quote_id);
  connectors::Outcome<connectors::ReleaseResult> Release(const StoreProgram& program,
                                                         absl::Time deadline,
                                                         const connectors::ReleaseRequest& ask,
                                                         const std::string& store_id,
                                                         const std::string& hold_id);

 private:
  // `waits_only`: the caller starts no other call before it waits for this
  // one, so the connector may make it on the caller's thread.
  connectors::CallContext Context(const StoreProgram& program, absl::Time deadline, bool waits_only,
                                  const std::function<bool()>& cancelled = {}) const;
  // Reports a finished call; a journal failure is logged, not fatal.
  void Journal(VendorOperation operation);

  const connectors::ConnectorRegistry& connectors_;
  OperationJournal& journal_;
  CheckoutObserver& observer_;
};

template <typename T, typename Start>
std::vector<connectors::Outcome<T>> ProgramCalls::FanOut(
    const std::string& store_id, const std::vector<const StoreProgram*>& programs,
    absl::Time deadline, const std::function<bool()>& cancelled, const char* operation, Start start,
    const std::function<void(size_t, connectors::Outcome<T>&)>& check) {
  std::vector<connectors::CallContext> contexts;
  contexts.reserve(programs.size());  // the calls refer to them in place
  std::vector<std::unique_ptr<PendingCall<T>>> pending;
  // Destroyed first: calls still running when this returns early are told
  // to stop before `pending` waits for them.
  FanOutStop stop(cancelled);
  for (size_t k = 0; k < programs.size(); ++k) {
    connectors::Connector* connector = ConnectorFor(*programs[k]);
    // The last call is made on this thread, which would only wait meanwhile;
    // the others run on the HTTP client's.
    const bool last = k + 1 == programs.size();
    contexts.push_back(Context(*programs[k], deadline, last, stop.Flag()));
    const connectors::CallContext& context = contexts.back();
    pending.push_back(std::make_unique<PendingCall<T>>(*programs[k]->config, [&, k](auto done) {
      start(k, *connector, context, std::move(done));
    }));
  }
  std::vector<connectors::Outcome<T>> outcomes;
  outcomes.reserve(programs.size());
  for (size_t k = 0; k < programs.size(); ++k) {
    connectors::Outcome<T> outcome = pending[k]->Wait();
    if (check) check(k, outcome);
    Journal(JournalEntry(store_id, *programs[k]->config, operation, *pending[k], outcome));
    outcomes.push_back(std::move(outcome));
  }
  return outcomes;
}

}  // namespace loyalty::broker
