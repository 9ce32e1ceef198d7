#include "broker/core/outbox_delivery.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "broker/common/logging.h"
#include "broker/core/booking_plan.h"
#include "broker/core/booking_saga.h"

namespace loyalty::broker {
namespace {

// How many entries of one program one pass sends at most, so that a long
// backlog does not keep the other programs waiting.
constexpr int kEntriesPerProgramPerPass = 100;

PurchaseProgramRecord* ProgramOf(PurchaseRecord& purchase, int64_t program_id) {
  for (auto& p : purchase.programs) {
    if (p.program_id == program_id) return &p;
  }
  return nullptr;
}

}  // namespace

absl::StatusOr<int> OutboxDelivery::Drain() {
  auto programs = deps_.outbox.ProgramsWithBacklog();
  if (!programs.ok()) return programs.status();
  int settled = 0;
  StoreCache stores;
  for (int64_t program_id : *programs) {
    for (int i = 0; i < kEntriesPerProgramPerPass; ++i) {
      auto more = DeliverHead(program_id, stores, settled);
      if (!more.ok()) {
        Log(LogLevel::kWarning, "outbox_delivery_failed",
            {{"program_id", std::to_string(program_id)},
             {"error", std::string(more.status().message())}});
        break;
      }
      if (!*more) break;
    }
  }
  return settled;
}

absl::StatusOr<bool> OutboxDelivery::DeliverHead(int64_t program_id, StoreCache& stores,
                                                 int& settled) {
  auto head = deps_.outbox.Head(program_id);
  if (!head.ok()) return head.status();
  if (!head->has_value()) return false;
  OutboxEntry entry = **head;
  std::shared_ptr<const StoreContext>& store = stores[entry.store_id];
  if (store == nullptr) {
    auto loaded = deps_.stores.ForStore(entry.store_id);
    if (!loaded.ok()) return loaded.status();
    store = *loaded;
  }
  const StoreProgram* program = store->FindProgram(program_id);
  connectors::Connector* connector = program == nullptr ? nullptr : calls_.ConnectorFor(*program);
  if (connector == nullptr) return false;  // disabled: its entries wait

  if (entry.state == OutboxState::kSending) {
    if (!entry.lease_expired) return false;  // another sender is on it
    // The sender died mid-call. A cancel, or a booking the vendor
    // recognises when repeated, is simply sent again; anything else may
    // have happened and is never sent blindly a second time.
    if (entry.step == OutboxStep::kCancel || connector->capabilities().idempotent_book) {
      auto retried = deps_.outbox.Retry(entry, "the sender stopped mid-call", absl::ZeroDuration());
      if (!retried.ok()) return retried;
      return true;
    }
    auto purchase = deps_.purchases.LoadByOrder(entry.store_id, entry.order_number);
    if (!purchase.ok()) return purchase.status();
    std::optional<PurchaseProgramRecord> state;
    if (PurchaseProgramRecord* p = ProgramOf(*purchase, program_id)) {
      p->Become(BookingState::kInDoubt, "the broker stopped while delivering the booking");
      state = *p;
    }
    auto finished =
        deps_.outbox.Finish(entry, OutboxState::kInDoubt, "the sender stopped mid-call", state);
    if (!finished.ok()) return finished;
    ++settled;
    return true;
  }
  if (!entry.due) return false;
  auto claimed = deps_.outbox.Claim(entry, settings_.vendor_deadline + absl::Seconds(30));
  if (!claimed.ok()) return claimed.status();
  if (!*claimed) return false;
  // The till may be confirming or cancelling this purchase right now: one
  // operation at a time per purchase.
  auto busy = deps_.purchases.ClaimBusy(entry.store_id, entry.order_number, "outbox",
                                        settings_.vendor_deadline + absl::Seconds(30));
  if (!busy.ok()) return busy.status();
  if (!busy->has_value()) {
    entry.state = OutboxState::kWaiting;
    auto retried = deps_.outbox.Retry(entry, "the purchase is busy", absl::ZeroDuration());
    if (!retried.ok()) return retried;
    return false;
  }
  absl::Status delivered = Deliver(entry, *store, settled);
  if (auto released = deps_.purchases.ReleaseBusy(entry.purchase_id); !released.ok()) {
    return released;
  }
  if (!delivered.ok()) return delivered;
  return entry.state != OutboxState::kWaiting;  // a retry later keeps the later entries waiting too
}

absl::Status OutboxDelivery::Deliver(OutboxEntry& entry, const StoreContext& store, int& settled) {
  auto purchase = deps_.purchases.LoadByOrder(entry.store_id, entry.order_number);
  if (!purchase.ok()) return purchase.status();
  PurchaseProgramRecord* p = ProgramOf(*purchase, entry.program_id);
  if (p == nullptr) return absl::InternalError("outbox entry for a program the purchase lacks");
  const StoreProgram& program = *store.FindProgram(entry.program_id);
  connectors::Connector* connector = calls_.ConnectorFor(program);
  const absl::Time deadline = absl::Now() + settings_.vendor_deadline;

  auto retry_later = [&](const std::string& error) {
    const absl::Duration backoff = std::min(
        settings_.retry_backoff * (1 << std::min(entry.attempts - 1, 10)), absl::Minutes(5));
    entry.state = OutboxState::kWaiting;
    return deps_.outbox.Retry(entry, error, backoff);
  };
  auto finish = [&](OutboxState state, const std::string& error) {
    entry.state = state;
    ++settled;
    Log(LogLevel::kInfo, "outbox_settled",
        {{"store", entry.store_id},
         {"order", entry.order_number},
         {"program", program.config->code},
         {"operation", std::string(OutboxStepName(entry.step))},
         {"status", std::string(OutboxStateName(state))}});
    absl::Status written = deps_.outbox.Finish(entry, state, error, *p);
    if (written.ok() && entry.step == OutboxStep::kBook && p->state == BookingState::kApproved) {
      deps_.observer.OnDelivered(*p, program);
    }
    return written;
  };

  connectors::PurchaseRef ref{entry.order_number, p->vendor_reference, std::nullopt};
  if (entry.step == OutboxStep::kCancel) {
    auto undone = calls_.OnPurchase(program, deadline, PurchaseAction::kCancel, ref, entry.store_id,
                                    entry.purchase_id);
    if (undone.failed()) return retry_later(undone.failure().message);
    if (undone.approved()) {
      p->Become(BookingState::kUndone, "", BookingOperation::kCancel);
    } else {
      p->Become(BookingState::kUndoRefused, undone.declined_reason().message,
                BookingOperation::kCancel);
    }
    return finish(OutboxState::kDelivered, "");
  }

  if (purchase->state == PurchaseState::kCancelled) {
    p->Become(BookingState::kDropped, "the purchase was cancelled before delivery");
    return finish(OutboxState::kDropped, "purchase cancelled");
  }
  // The quote may have expired; only its customer and coupons are needed.
  auto quote = deps_.quotes.Load(entry.store_id, purchase->quote_id, /*allow_expired=*/true);
  if (!quote.ok()) return quote.status();
  connectors::BookRequest ask;
  ask.order_number = entry.order_number;
  ask.vendor_customer_id = p->vendor_customer_id;
  ask.customer = quote->customer;
  ask.coupons = quote->coupons;
  FillBookLines(purchase->lines, entry.program_id, ask);
  auto booked =
      calls_.Book(program, deadline, ask, entry.store_id, entry.purchase_id, purchase->quote_id);
  if (booked.failed()) {
    if (!BookingMayBeSentAgain(booked.failure(), connector->capabilities().idempotent_book)) {
      p->Become(BookingState::kInDoubt, booked.failure().message);
      return finish(OutboxState::kInDoubt, booked.failure().message);
    }
    return retry_later(booked.failure().message);
  }
  if (booked.declined()) {
    p->Become(BookingState::kDeclined, booked.declined_reason().message);
    return finish(OutboxState::kDropped, booked.declined_reason().message);
  }
  p->Become(BookingState::kApproved);
  p->vendor_reference = booked.value().vendor_reference;
  p->earned_centipoints = booked.value().earned_centipoints;
  // The till confirmed the purchase while this booking waited.
  if (!booked.value().confirmed && purchase->state == PurchaseState::kConfirmed &&
      connector->capabilities().confirm) {
    ref.vendor_reference = p->vendor_reference;
    auto confirmed = calls_.OnPurchase(program, deadline, PurchaseAction::kConfirm, ref,
                                       entry.store_id, entry.purchase_id);
    // Booking again is recognised by this vendor: the whole entry is retried.
    if (!confirmed.approved()) return retry_later("booked, but the confirm failed");
  }
  return finish(OutboxState::kDelivered, "");
}

}  // namespace loyalty::broker
