#include "broker/core/purchase_settlement.h"

#include "absl/strings/str_cat.h"
#include "broker/common/error_reasons.h"
#include "broker/common/logging.h"
#include "broker/core/cart_math.h"
#include "broker/core/proto_mapping.h"

namespace loyalty::broker {
namespace {

constexpr absl::Duration kSettleLease = absl::Seconds(30);

bool InDoubt(const PurchaseProgramRecord& p) { return p.state == BookingState::kInDoubt; }

// Why this settlement cannot be made; OK when it can. The points an
// operator says were earned are a figure from outside: at most what the
// program's cart could earn, never below zero.
absl::Status Refusal(const Settlement& s, const PurchaseRecord& purchase) {
  if (purchase.state != PurchaseState::kInDoubt) {
    return ReasonedError(absl::StatusCode::kFailedPrecondition, ErrorReason::kPurchaseState,
                         absl::StrCat("purchase ", s.order_number, " is ",
                                      std::string(PurchaseStateName(purchase.state)),
                                      ", not in doubt: nothing to settle"));
  }
  if (!s.applied) {
    if (s.earned_centipoints == 0) return absl::OkStatus();
    return InvalidFields({{"earned", "nothing is earned by a booking that was not applied"}});
  }
  for (const auto& p : purchase.programs) {
    if (!InDoubt(p)) continue;
    const int64_t most = CartAmount(LinesLessOtherDiscounts(purchase.lines, p.program_id));
    if (s.earned_centipoints < 0 || s.earned_centipoints > most) {
      return InvalidFields(
          {{"earned", absl::StrCat("must be between 0 and ", most,
                                   " centipoints (the amount the program's cart paid)")}});
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<PurchaseRecord> PurchaseSettler::Settle(const Settlement& s) {
  auto store = deps_.stores.ForStore(s.store_id);
  if (!store.ok()) return store.status();
  auto claimed = deps_.purchases.ClaimBusy(s.store_id, s.order_number, "settle", kSettleLease);
  if (!claimed.ok()) return claimed.status();
  if (!claimed->has_value()) {
    auto found = deps_.purchases.LoadByOrder(s.store_id, s.order_number);
    if (!found.ok()) return found.status();
    return ReasonedError(absl::StatusCode::kAborted, ErrorReason::kPurchaseBusy,
                         absl::StrCat("purchase ", s.order_number, " is busy; try again"));
  }
  auto purchase = deps_.purchases.LoadByOrder(s.store_id, s.order_number);
  const absl::Status refused = !purchase.ok() ? purchase.status() : Refusal(s, *purchase);
  if (!refused.ok()) {
    if (auto released = deps_.purchases.ReleaseBusy(**claimed); !released.ok()) return released;
    return refused;
  }

  std::vector<OutboxEntry> outbox;
  const std::string said = absl::StrCat("settled by an operator: ", s.reason);
  bool awaits_confirm = false;
  for (auto& p : purchase->programs) {
    const StoreProgram* program = (*store)->FindProgram(p.program_id);
    const connectors::Connector* connector =
        program == nullptr ? nullptr : deps_.connectors.Find(program->config->vendor);
    const bool confirms = connector != nullptr && connector->capabilities().confirm;
    if (s.applied) {
      if (InDoubt(p)) {
        p.Become(BookingState::kApproved);
        p.spent_centipoints = p.spend_centipoints;
        p.earned_centipoints = s.earned_centipoints;
      } else if (p.state == BookingState::kPending) {  // the saga stopped before it: earns only
        p.Become(BookingState::kQueued);
        outbox.push_back(OutboxEntry::For(p.program_id, OutboxStep::kBook));
      }
      awaits_confirm =
          awaits_confirm ||
          (confirms && (p.state == BookingState::kQueued || p.state == BookingState::kApproved));
      continue;
    }
    if (InDoubt(p)) {
      p.Become(BookingState::kDeclined, absl::StrCat("not booked at the vendor (", said, ")"));
    } else if (p.state == BookingState::kApproved) {  // booked before the pivot: take it back
      p.Become(BookingState::kUndoQueued, said, BookingOperation::kCancel);
      outbox.push_back(OutboxEntry::For(p.program_id, OutboxStep::kCancel));
    }
    p.spent_centipoints = 0;
    p.earned_centipoints = 0;
  }
  std::optional<StoredAnswer> answer;
  if (s.applied) {
    purchase->state = awaits_confirm ? PurchaseState::kBooked : PurchaseState::kConfirmed;
    purchase->failure_reason.clear();
    purchase->TotalFromPrograms();
    v1::PurchaseResponse response;
    PurchaseToProto(*purchase, **store, &response);
    answer =
        StoredAnswer{purchase->idempotency_key, absl::OkStatus(), response.SerializeAsString()};
  } else {
    purchase->state = PurchaseState::kFailed;
    purchase->failure_reason = absl::StrCat("nothing was booked (", said, ")");
    purchase->TotalNothingSpent();
  }
  if (auto written = deps_.purchases.WriteOutcome(*purchase, answer, outbox); !written.ok()) {
    return written;
  }
  if (!s.applied) {
    // Nothing stands: the till's retry with the same key commits afresh.
    if (auto forgot = deps_.idempotency.Forget(s.store_id, purchase->idempotency_key);
        !forgot.ok()) {
      return forgot;
    }
  }
  deps_.observer.OnCommitted(*purchase, **store);
  Log(LogLevel::kWarning, "purchase_settled",
      {{"store", s.store_id},
       {"order", s.order_number},
       {"applied", s.applied ? "true" : "false"},
       {"status", std::string(PurchaseStateName(purchase->state))},
       {"reason", s.reason}});
  return *purchase;
}

}  // namespace loyalty::broker
