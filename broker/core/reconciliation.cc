#include "broker/core/reconciliation.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "broker/common/logging.h"
#include "broker/core/cart_math.h"

namespace loyalty::broker {

absl::StatusOr<ReconciliationPass> Reconciler::RunOnce() {
  auto due = deps_.mismatches.ClaimDue(settings_.window, settings_.every, settings_.batch);
  if (!due.ok()) return due.status();
  ReconciliationPass pass;
  for (const auto& d : *due) {
    auto store = deps_.stores.ForStore(d.store_id);
    if (!store.ok()) return store.status();
    auto purchase = deps_.purchases.LoadByOrder(d.store_id, d.order_number);
    if (!purchase.ok()) return purchase.status();
    ++pass.purchases;
    for (const auto& program : purchase->programs) {
      if (absl::Status compared = Compare(**store, *purchase, program, pass); !compared.ok()) {
        Log(LogLevel::kWarning, "reconciliation_failed",
            {{"store", d.store_id},
             {"order", d.order_number},
             {"error", std::string(compared.message())}});
      }
    }
  }
  return pass;
}

absl::Status Reconciler::Compare(const StoreContext& store, const PurchaseRecord& purchase,
                                 PurchaseProgramRecord p, ReconciliationPass& pass) {
  const StoreProgram* program = store.FindProgram(p.program_id);
  connectors::Connector* connector = program ? calls_.ConnectorFor(*program) : nullptr;
  if (connector == nullptr || !connector->capabilities().get) return absl::OkStatus();
  const bool in_doubt = p.state == BookingState::kInDoubt;
  // A booking still queued in the outbox has nothing at its vendor yet.
  const bool stands = p.Stands() && p.state != BookingState::kQueued;
  if (!in_doubt && !stands) return absl::OkStatus();

  connectors::PurchaseRef ref{purchase.order_number, p.vendor_reference, std::nullopt};
  auto got = calls_.OnPurchase(*program, absl::Now() + settings_.vendor_deadline,
                               PurchaseAction::kGet, ref, store.store_id, purchase.purchase_id);
  if (got.failed()) return absl::UnavailableError(got.failure().message);
  if (got.declined() && got.declined_reason().kind != connectors::DeclineKind::kNotFound) {
    return absl::FailedPreconditionError(got.declined_reason().message);
  }
  const bool at_vendor = got.approved();

  if (in_doubt) {
    // Only bookings that spent nothing: the vendor's answer does not say
    // what was written off.
    if (p.spend_centipoints != 0) return absl::OkStatus();
    const std::string was = p.Describe();
    std::string vendor_says = "no such purchase";
    if (at_vendor) {
      const int64_t earned = got.value().earned_centipoints;
      const int64_t amount = CartAmount(LinesLessOtherDiscounts(purchase.lines, p.program_id));
      if (earned < 0 || earned > amount) {  // not to be believed: a person looks
        ++pass.mismatches;
        return deps_.mismatches.RecordComparison(
            purchase.purchase_id, p.program_id,
            {{p.program_id, "earned", was, absl::StrCat(earned, " centipoints")}});
      }
      p.Become(BookingState::kApproved);
      p.earned_centipoints = earned;
      if (!got.value().vendor_reference.empty()) p.vendor_reference = got.value().vendor_reference;
      vendor_says = absl::StrCat("booked, ", earned, " centipoints earned");
    } else {
      p.Become(BookingState::kDeclined, "not booked at the vendor (reconciled)");
      p.earned_centipoints = 0;
    }
    ++pass.settled;
    return deps_.mismatches.Settle(purchase.purchase_id, p, was, vendor_says);
  }

  std::vector<Mismatch> found;
  const bool cancelled = purchase.state == PurchaseState::kCancelled;
  if (!cancelled && !at_vendor) {
    found.push_back({p.program_id, "missing_at_vendor",
                     std::string(PurchaseStateName(purchase.state)), "no such purchase"});
  }
  if (cancelled && at_vendor) {
    found.push_back({p.program_id, "not_cancelled_at_vendor", "cancelled",
                     got.value().confirmed ? "confirmed" : "booked"});
  }
  if (!cancelled && at_vendor) {
    const connectors::PurchaseState& state = got.value();
    if (purchase.state == PurchaseState::kConfirmed && !state.confirmed) {
      found.push_back({p.program_id, "not_confirmed_at_vendor", "confirmed", "not confirmed"});
    }
    if (state.earned_centipoints != p.earned_centipoints) {
      found.push_back({p.program_id, "earned", absl::StrCat(p.earned_centipoints),
                       absl::StrCat(state.earned_centipoints)});
    }
  }
  pass.mismatches += static_cast<int>(found.size());
  return deps_.mismatches.RecordComparison(purchase.purchase_id, p.program_id, found);
}

}  // namespace loyalty::broker
