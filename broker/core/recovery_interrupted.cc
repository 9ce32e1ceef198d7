// CheckoutRecovery, part one: purchases whose commit was interrupted.

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "broker/common/logging.h"
#include "broker/core/checkout_recovery.h"
#include "broker/core/proto_mapping.h"

namespace loyalty::broker {

absl::StatusOr<int> CheckoutRecovery::RecoverInterrupted() {
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

absl::StatusOr<bool> CheckoutRecovery::RecoverPurchase(const StalePurchase& stale) {
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
      p.status = "in doubt: the broker stopped during the commit";
      continue;
    }
    connectors::PurchaseRef ref{order_number, "", std::nullopt};
    auto found = calls_.OnPurchase(*program, deadline, "get", ref, store_id, purchase->purchase_id);
    if (found.failed()) {
      return absl::UnavailableError(
          absl::StrCat(program->config->code,
                       " cannot say whether it booked the purchase: ", found.failure().message));
    }
    if (found.approved() && !found.value().cancelled) {
      p.status = "approved";
      p.vendor_reference = found.value().vendor_reference;
      p.earned_centipoints = found.value().earned_centipoints;
      p.spent_centipoints = p.spend_centipoints;
      p.confirmed = found.value().confirmed;
      booked.push_back(i);
    } else {
      p.status = "skipped";
    }
  }

  std::optional<StoredAnswer> answer;
  std::vector<OutboxEntry> outbox;
  if (!unknown_at.empty()) {
    purchase->status = "in_doubt";
    purchase->failure_reason =
        absl::StrCat("the broker stopped while booking at ", unknown_at,
                     ", which cannot say whether it booked; reconcile before booking it again");
  } else if (booked.size() == purchase->programs.size()) {
    // Every vendor has it: the commit went through.
    bool confirmed = true;
    purchase->spent_centipoints = 0;
    purchase->earned_centipoints = 0;
    for (const auto& p : purchase->programs) {
      confirmed = confirmed && p.confirmed;
      purchase->spent_centipoints += p.spent_centipoints;
      purchase->earned_centipoints += p.earned_centipoints;
    }
    purchase->status = confirmed ? "confirmed" : "booked";
    purchase->paid_minor = purchase->total_minor - purchase->spent_centipoints;
    v1::PurchaseResponse response;
    PurchaseToProto(*purchase, **store, &response);
    answer =
        StoredAnswer{purchase->idempotency_key, absl::OkStatus(), response.SerializeAsString()};
  } else {
    // None or only some: take back what was booked; the till may commit again.
    for (size_t i : booked) {
      PurchaseProgramRecord& p = purchase->programs[i];
      const StoreProgram* program = (*store)->FindProgram(p.program_id);
      connectors::PurchaseRef ref{order_number, p.vendor_reference, std::nullopt};
      auto undone =
          calls_.OnPurchase(*program, deadline, "cancel", ref, store_id, purchase->purchase_id);
      if (undone.failed()) {
        p.status = absl::StrCat("undo queued: ", undone.failure().message);
        outbox.push_back(OutboxEntry::For(p.program_id, "cancel"));
      } else {
        p.status = undone.approved()
                       ? "undone"
                       : absl::StrCat("undo refused: ", undone.declined_reason().message);
      }
      p.spent_centipoints = 0;
      p.earned_centipoints = 0;
    }
    purchase->status = "failed";
    purchase->failure_reason = "the broker stopped during the commit; undone";
    purchase->spent_centipoints = 0;
    purchase->earned_centipoints = 0;
    purchase->paid_minor = purchase->total_minor;
  }
  if (auto written = deps_.purchases.WriteOutcome(*purchase, answer, outbox); !written.ok()) {
    return written;
  }
  if (purchase->status == "failed") {
    if (auto forgot = deps_.idempotency.Forget(store_id, purchase->idempotency_key); !forgot.ok()) {
      return forgot;
    }
  }
  deps_.observer.OnCommitted(*purchase, **store);
  Log(LogLevel::kWarning, "purchase_recovered",
      {{"store", store_id}, {"order", order_number}, {"status", purchase->status}});
  return true;
}

}  // namespace loyalty::broker
