#pragma once

// CommitPurchase: the idempotency key first, then the intent, then the
// bookings (BookingSaga), then the outcome together with the stored answer,
// the holds it consumed and the steps it leaves to the outbox.

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/core/booking_saga.h"
#include "broker/core/checkout_dependencies.h"
#include "broker/core/program_calls.h"
#include "loyalty/broker/v1/broker.pb.h"

namespace loyalty::broker {

class PurchaseCommit {
 public:
  PurchaseCommit(const CheckoutDependencies& deps, ProgramCalls& calls)
      : deps_(deps), calls_(calls), saga_(calls) {}

  absl::Status Commit(const StoreContext& store, absl::Time deadline,
                      const v1::CommitPurchaseRequest& request, v1::PurchaseResponse* response);

 private:
  // A retry whose key has no final answer yet: IN_DOUBT with why while the
  // purchase is in doubt, the purchase once it is settled, ABORTED
  // (REQUEST_IN_PROGRESS) while the first request still runs.
  absl::Status AnswerUnfinished(const StoreContext& store, const v1::CommitPurchaseRequest& request,
                                v1::PurchaseResponse* response);
  // How far CommitUnclaimed got.
  enum class Reached {
    kNothingWritten,  // refused before its intent
    kKeyTaken,        // another request claimed the key first: nothing written
    kIntent,          // the intent was written (or its write failed): the answer stands
  };
  // Books `quote` for a key nobody held when it was read (or not read: the
  // quote was at hand); the intent claims the key. Says in `reached` how far
  // it got.
  absl::Status CommitUnclaimed(const StoreContext& store, absl::Time deadline,
                               const v1::CommitPurchaseRequest& request, const KeyClaim& claim,
                               const QuoteRecord& quote, v1::PurchaseResponse* response,
                               Reached& reached);
  // The most a commit of `quote` may spend at `program`: what the quote
  // offered, less what the broker's ledger holds for the customer's other
  // quotes since.
  absl::StatusOr<int64_t> SpendLimit(const StoreProgram& program, const QuoteRecord& quote,
                                     const QuoteProgramRecord& quoted);
  // Marks the programs whose booking reached a vendor with native holds: the
  // vendor dropped the customer's other holds there, so the outcome closes
  // them in the broker's mirror too.
  void MarkDroppedVendorHolds(const StoreContext& store, PurchaseRecord& purchase) const;

  const CheckoutDependencies& deps_;
  ProgramCalls& calls_;
  BookingSaga saga_;
};

}  // namespace loyalty::broker
