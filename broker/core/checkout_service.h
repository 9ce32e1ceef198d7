#pragma once

// The broker's checkout logic: routes each request to the store's programs,
// calls them through connectors, merges their answers and keeps everything in
// PostgreSQL. Knows nothing of gRPC threads or metadata: the API layer
// authenticates, validates and hands requests here with a deadline.

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "broker/config/config.h"
#include "broker/core/booking_plan.h"
#include "broker/core/checkout_observer.h"
#include "broker/core/program_calls.h"
#include "broker/core/records.h"
#include "broker/core/repositories/hold_repository.h"
#include "broker/core/repositories/idempotency_repository.h"
#include "broker/core/repositories/operation_journal.h"
#include "broker/core/repositories/purchase_repository.h"
#include "broker/core/repositories/quote_repository.h"
#include "connectors/core/connector_registry.h"
#include "loyalty/broker/v1/broker.pb.h"

namespace loyalty::broker {

// A state change of a booked purchase (checkout_purchases.cc).
struct Transition;

struct CheckoutDependencies {
  const connectors::ConnectorRegistry& connectors;
  QuoteRepository& quotes;
  HoldRepository& holds;
  PurchaseRepository& purchases;
  IdempotencyRepository& idempotency;
  OperationJournal& journal;
  CheckoutObserver& observer;
  BrokerConfig::Broker settings;
};

class CheckoutService {
 public:
  explicit CheckoutService(CheckoutDependencies deps)
      : deps_(std::move(deps)), calls_(deps_.connectors, deps_.journal, deps_.observer) {}

  // `deadline` is when vendor calls must be over (the caller's deadline less
  // the broker's margin).
  // `cancelled` (may be empty) turns true when the caller goes away: the
  // vendor calls of identify and quote stop then. Bookings are never cut short.
  absl::Status Identify(const StoreContext& store, absl::Time deadline,
                        const v1::IdentifyCustomerRequest& request,
                        v1::IdentifyCustomerResponse* response,
                        const std::function<bool()>& cancelled = {});
  absl::Status Quote(const StoreContext& store, absl::Time deadline,
                     const v1::QuoteCartRequest& request, v1::QuoteCartResponse* response,
                     const std::function<bool()>& cancelled = {});
  absl::Status Hold(const StoreContext& store, absl::Time deadline,
                    const v1::HoldPointsRequest& request, v1::HoldPointsResponse* response);
  absl::Status Release(const StoreContext& store, absl::Time deadline,
                       const v1::ReleaseHoldRequest& request, v1::ReleaseHoldResponse* response);
  absl::Status Commit(const StoreContext& store, absl::Time deadline,
                      const v1::CommitPurchaseRequest& request, v1::PurchaseResponse* response);
  absl::Status Confirm(const StoreContext& store, absl::Time deadline,
                       const v1::PurchaseByOrderRequest& request, v1::PurchaseResponse* response);
  absl::Status Cancel(const StoreContext& store, absl::Time deadline,
                      const v1::PurchaseByOrderRequest& request, v1::PurchaseResponse* response);
  absl::Status Restore(const StoreContext& store, absl::Time deadline,
                       const v1::PurchaseByOrderRequest& request, v1::PurchaseResponse* response);
  absl::Status Reassign(const StoreContext& store, absl::Time deadline,
                        const v1::ReassignPurchaseRequest& request, v1::PurchaseResponse* response);
  absl::Status Get(const StoreContext& store, const v1::PurchaseByOrderRequest& request,
                   v1::PurchaseResponse* response);

 private:
  // A retry whose key has no final answer yet: IN_DOUBT with why while the
  // purchase is in doubt, the purchase once it is settled, ABORTED
  // (REQUEST_IN_PROGRESS) while the first request still runs.
  absl::Status AnswerUnfinished(const StoreContext& store, const v1::CommitPurchaseRequest& request,
                                v1::PurchaseResponse* response);
  // Books the quoted purchase after the idempotency key is claimed. Sets
  // `keep_key` to false when nothing was applied and the key may be reused.
  absl::Status CommitClaimed(const StoreContext& store, absl::Time deadline,
                             const v1::CommitPurchaseRequest& request,
                             v1::PurchaseResponse* response, bool& keep_key);
  // The most a commit of `quote` may spend at `program`: what the quote
  // offered, less what the broker's ledger holds for the customer's other
  // quotes since.
  absl::StatusOr<int64_t> SpendLimit(const StoreProgram& program, const QuoteRecord& quote,
                                     const QuoteProgramRecord& quoted);
  // Marks the programs whose booking reached a vendor with native holds: the
  // vendor dropped the customer's other holds there, so the outcome closes
  // them in the broker's mirror too.
  void MarkDroppedVendorHolds(const StoreContext& store, PurchaseRecord& purchase) const;
  // Books the purchase at its programs in plan order (checkout_saga.cc).
  // Fills each program's result and the steps left to the outbox; returns
  // what the till hears when the purchase failed.
  absl::Status RunBookings(const StoreContext& store, absl::Time deadline, const QuoteRecord& quote,
                           const std::vector<BookingStep>& plan, PurchaseRecord& purchase,
                           std::vector<OutboxEntry>& outbox);
  // Cancels the given programs' bookings, latest first.
  void UndoBookings(const StoreContext& store, absl::Time deadline, PurchaseRecord& purchase,
                    const std::vector<size_t>& booked, std::vector<OutboxEntry>& outbox);
  // Applies a post-booking operation (cancel, restore, reassign, confirm) to
  // every program of the purchase that books.
  absl::Status ApplyToPrograms(const StoreContext& store, absl::Time deadline,
                               const std::string& operation, const std::string& order_number,
                               const v1::CustomerIdentifier* new_customer,
                               v1::PurchaseResponse* response);
  // The operation on a purchase already claimed for it (ClaimBusy).
  absl::Status ApplyClaimed(const StoreContext& store, absl::Time deadline,
                            const Transition& transition, const std::string& operation,
                            const std::string& order_number,
                            const v1::CustomerIdentifier* new_customer,
                            v1::PurchaseResponse* response);
  connectors::Connector* ConnectorFor(const StoreProgram& program) const;
  connectors::CallContext Context(const StoreProgram& program, absl::Time deadline,
                                  const std::function<bool()>& cancelled = {}) const;
  // Journals a finished vendor call; a journal failure is logged, not fatal.
  void Journal(VendorOperation operation);

  CheckoutDependencies deps_;
  ProgramCalls calls_;
};

// The cart as `program_id` is asked to book it: each line less the other
// programs' discounts (the program applies its own again), and the amount.
void FillBookLines(const std::vector<QuoteLineRecord>& lines, int64_t program_id,
                   connectors::BookRequest& ask);

}  // namespace loyalty::broker
