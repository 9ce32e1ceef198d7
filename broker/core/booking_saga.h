#pragma once

// The bookings of a purchase, run as a saga (see booking_plan.h): each
// program in plan order; a failure before the pivot undoes the bookings made
// so far; a booking that only earns points and whose vendor is down goes to
// the outbox instead of failing the purchase. The undo is the one the
// recovery of interrupted commits uses too.

#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "broker/core/booking_plan.h"
#include "broker/core/program_calls.h"
#include "broker/core/records.h"

namespace loyalty::broker {

class BookingSaga {
 public:
  explicit BookingSaga(ProgramCalls& calls) : calls_(calls) {}

  // Books `purchase` at its programs in `plan` order. Fills each program's
  // result and the steps left to the outbox; returns what the till hears
  // when the purchase failed.
  absl::Status Run(const StoreContext& store, absl::Time deadline, const QuoteRecord& quote,
                   const std::vector<BookingStep>& plan, PurchaseRecord& purchase,
                   std::vector<OutboxEntry>& outbox);
  // Cancels the bookings of the programs at `booked` (indexes into
  // purchase.programs), latest first; a cancel that cannot reach its vendor
  // is left to the outbox, which repeats it (cancelling twice is harmless).
  void Undo(const StoreContext& store, absl::Time deadline, PurchaseRecord& purchase,
            const std::vector<size_t>& booked, std::vector<OutboxEntry>& outbox);

 private:
  ProgramCalls& calls_;
};

// The cart as `program_id` is asked to book it: each line less the other
// programs' discounts (the program applies its own again), and the amount.
void FillBookLines(const std::vector<QuoteLineRecord>& lines, int64_t program_id,
                   connectors::BookRequest& ask);

}  // namespace loyalty::broker
