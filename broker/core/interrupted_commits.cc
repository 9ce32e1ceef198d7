#include "broker/core/interrupted_commits.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "broker/common/logging.h"
#include "broker/core/proto_mapping.h"

namespace loyalty::broker {

absl::StatusOr<int> InterruptedCommits::Recover() {
  auto stale = deps_.purchases.StalePending(settings_.stale_after);
  if (!stale.ok()) return stale.status();
  int settled = 0;
  for (const auto& stale_purchase : *stale) {
    auto done = RecoverPurchase(stale_purchase);
    if (!done.ok()) {
      Log(LogLevel::kWarning, "recovery_failed",
          {{"store", stale_purchase.store_id},
           {"order", stale_purchase.order_number},
           {"error", std::string(done.status().message())}});
      continue;
    }
    if (*done) ++settled;
  }
  return settled;
}

absl::StatusOr<bool> InterruptedCommits::RecoverPurchase(const StalePurchase& stale) {
  auto claimed = deps_.purchases.ClaimStale(stale.purchase_id, settings_.stale_after);
  if (!claimed.ok()) return claimed.status();
  if (!*claimed) return false;  // finished meanwhile, or another replica has it
  const std::string& store_id = stale.store_id;
  const std::string& order_number = stale.order_number;
  auto store = deps_.stores.ForStore(store_id);
  if (!store.ok()) return store.status();
  auto purchase = deps_.purchases.LoadByOrder(store_id, order_number);
  if (!purchase.ok()) return purchase.status();

  // Which bookings happened? Ask every vendor that can say; a vendor that
  // cannot be asked may have acted, and is never asked to book again.
  const absl::Time deadline = absl::Now() + settings_.vendor_deadline;
  std::vector<size_t> booked;
  std::string unknown_at;
  for (size_t i = 0; i < purchase->programs.size(); ++i) {
    PurchaseProgramRecord& p = purchase->programs[i];
    const StoreProgram* program = (*store)->FindProgram(p.program_id);
    connectors::Connector* connector = program == nullptr ? nullptr : calls_.ConnectorFor(*program);
    if (connector == nullptr || !connector->capabilities().idempotent_book ||
        !connector->capabilities().get) {
      unknown_at = program == nullptr ? "a disabled program" : program->config->code;
      p.Become(BookingState::kInDoubt, "the broker stopped during the commit");
      continue;
    }
    connectors::PurchaseRef ref{order_number, "", std::nullopt};
    auto found = calls_.OnPurchase(*program, deadline, PurchaseAction::kGet, ref, store_id,
                                   purchase->purchase_id);
    if (found.failed()) {
      return absl::UnavailableError(
          absl::StrCat(program->config->code,
                       " cannot say whether it booked the purchase: ", found.failure().message));
    }
    if (found.approved() && !found.value().cancelled) {
      p.Become(BookingState::kApproved);
      p.vendor_reference = found.value().vendor_reference;
      p.earned_centipoints = found.value().earned_centipoints;
      p.spent_centipoints = p.spend_centipoints;
      p.confirmed = found.value().confirmed;
      booked.push_back(i);
    } else {
      p.Become(BookingState::kSkipped);
    }
  }

  std::optional<StoredAnswer> answer;
  std::vector<OutboxEntry> outbox;
  if (!unknown_at.empty()) {
    purchase->state = PurchaseState::kInDoubt;
    purchase->failure_reason =
        absl::StrCat("the broker stopped while booking at ", unknown_at,
                     ", which cannot say whether it booked; reconcile before booking it again");
  } else if (booked.size() == purchase->programs.size()) {
    // Every vendor has it: the commit went through.
    const bool confirmed = std::all_of(purchase->programs.begin(), purchase->programs.end(),
                                       [](const PurchaseProgramRecord& p) { return p.confirmed; });
    purchase->state = confirmed ? PurchaseState::kConfirmed : PurchaseState::kBooked;
    purchase->TotalFromPrograms();
    v1::PurchaseResponse response;
    PurchaseToProto(*purchase, **store, &response);
    answer =
        StoredAnswer{purchase->idempotency_key, absl::OkStatus(), response.SerializeAsString()};
  } else {
    // None or only some: take back what was booked; the till may commit again.
    saga_.Undo(**store, deadline, *purchase, booked, outbox);
    purchase->state = PurchaseState::kFailed;
    purchase->failure_reason = "the broker stopped during the commit; undone";
    purchase->TotalNothingSpent();
  }
  if (auto written = deps_.purchases.WriteOutcome(*purchase, answer, outbox); !written.ok()) {
    return written;
  }
  if (purchase->state == PurchaseState::kFailed) {
    if (auto forgot = deps_.idempotency.Forget(store_id, purchase->idempotency_key); !forgot.ok()) {
      return forgot;
    }
  }
  deps_.observer.OnCommitted(*purchase, **store);
  Log(LogLevel::kWarning, "purchase_recovered",
      {{"store", store_id},
       {"order", order_number},
       {"status", std::string(PurchaseStateName(purchase->state))}});
  return true;
}

}  // namespace loyalty::broker
