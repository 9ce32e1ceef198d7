#include "broker/core/booking_saga.h"

#include "absl/strings/str_cat.h"
#include "broker/common/error_reasons.h"
#include "broker/core/cart_math.h"
#include "broker/core/vendor_errors.h"

namespace loyalty::broker {

void FillBookLines(const std::vector<QuoteLineRecord>& lines, int64_t program_id,
                   connectors::BookRequest& ask) {
  ask.lines = LinesLessOtherDiscounts(lines, program_id);
  ask.amount_minor = CartAmount(ask.lines);
}

void BookingSaga::Undo(const StoreContext& store, absl::Time deadline, PurchaseRecord& purchase,
                       const std::vector<size_t>& booked, std::vector<OutboxEntry>& outbox) {
  for (auto it = booked.rbegin(); it != booked.rend(); ++it) {
    PurchaseProgramRecord& p = purchase.programs[*it];
    const StoreProgram* program = store.FindProgram(p.program_id);
    connectors::PurchaseRef ref{purchase.order_number, p.vendor_reference, std::nullopt};
    auto outcome = calls_.OnPurchase(*program, deadline, PurchaseAction::kCancel, ref,
                                     store.store_id, purchase.purchase_id);
    if (outcome.approved()) {
      p.Become(BookingState::kUndone, "", BookingOperation::kCancel);
    } else if (outcome.failed()) {
      // Cancelling again is harmless: the outbox keeps trying.
      p.Become(BookingState::kUndoQueued, outcome.failure().message, BookingOperation::kCancel);
      outbox.push_back(OutboxEntry::For(p.program_id, OutboxStep::kCancel));
    } else {
      p.Become(BookingState::kUndoRefused, outcome.declined_reason().message,
               BookingOperation::kCancel);
    }
    p.spent_centipoints = 0;
    p.earned_centipoints = 0;
  }
}

absl::Status BookingSaga::Run(const StoreContext& store, absl::Time deadline,
                              const QuoteRecord& quote, const std::vector<BookingStep>& plan,
                              PurchaseRecord& purchase, std::vector<OutboxEntry>& outbox) {
  std::vector<size_t> undoable_booked;
  for (const BookingStep& step : plan) {
    PurchaseProgramRecord& p = purchase.programs[step.index];
    const StoreProgram* program = store.FindProgram(p.program_id);
    connectors::Connector* connector = calls_.ConnectorFor(*program);
    const QuoteProgramRecord* quoted = quote.FindProgram(p.program_id);
    connectors::BookRequest ask;
    ask.order_number = purchase.order_number;
    ask.vendor_customer_id = p.vendor_customer_id;
    ask.customer = quote.customer;
    FillBookLines(quote.lines, p.program_id, ask);
    ask.coupons = quote.coupons;
    ask.spend_centipoints = p.spend_centipoints;
    ask.quote_reference = quoted->vendor_reference;
    auto outcome =
        calls_.Book(*program, deadline, ask, store.store_id, purchase.purchase_id, quote.quote_id);
    if (outcome.approved()) {
      const auto& booked = outcome.value();
      p.Become(BookingState::kApproved);
      p.spent_centipoints = booked.spent_centipoints;
      p.earned_centipoints = booked.earned_centipoints;
      p.vendor_reference = booked.vendor_reference;
      p.confirmed = booked.confirmed;
      p.balance_after_centipoints = BalanceAfterBooking(quoted->balance_centipoints, booked);
      if (step.kind == BookingKind::kUndoable) undoable_booked.push_back(step.index);
      continue;
    }
    if (step.kind == BookingKind::kRetriable) {
      // Points to earn only: the purchase stands whatever happens here.
      const bool resend_is_safe =
          outcome.failed() &&
          BookingMayBeSentAgain(outcome.failure(), connector->capabilities().idempotent_book);
      if (resend_is_safe) {
        p.Become(BookingState::kQueued);
        outbox.push_back(OutboxEntry::For(p.program_id, OutboxStep::kBook));
      } else if (outcome.declined()) {
        p.Become(BookingState::kDeclined, outcome.declined_reason().message);
      } else {
        p.Become(BookingState::kInDoubt, outcome.failure().message);
      }
      continue;
    }
    // A booking that spends points failed: the purchase fails with it.
    const ProgramParty party = PartyOf(*program, connector);
    absl::Status status = StatusFromOutcome(party, outcome);
    if (outcome.declined()) {
      p.Become(BookingState::kDeclined, outcome.declined_reason().message);
      purchase.state = PurchaseState::kDeclined;
    } else if (outcome.failure().maybe_applied && step.kind == BookingKind::kPivot) {
      p.Become(BookingState::kInDoubt, outcome.failure().message);
      purchase.state = PurchaseState::kInDoubt;
      purchase.failure_reason = std::string(status.message());
      // The pivot may have happened: nothing before it is undone.
      return InDoubtError(purchase.order_number, party, outcome.failure().message);
    } else {
      p.Become(BookingState::kFailed, outcome.failure().message);
      purchase.state = PurchaseState::kFailed;
      // Maybe booked: cancelling what may not exist is harmless.
      if (outcome.failure().maybe_applied) undoable_booked.push_back(step.index);
    }
    purchase.failure_reason = std::string(status.message());
    Undo(store, deadline, purchase, undoable_booked, outbox);
    return status;
  }
  return absl::OkStatus();
}

}  // namespace loyalty::broker
