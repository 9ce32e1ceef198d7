#pragma once

// The order in which a commit books a purchase at its programs, as a saga:
// bookings that spend points and can be undone first, then the one booking
// that spends points and cannot be undone (the pivot), then bookings that
// only earn points, which the outbox can finish later if their vendor is
// down. Only the first group is ever undone: it is all that can fail the
// purchase after something was booked.

#include <cstddef>
#include <vector>

#include "absl/status/statusor.h"
#include "connectors/core/outcome.h"

namespace loyalty::broker {

enum class BookingKind {
  kUndoable,   // spends points; the vendor can cancel the booking
  kPivot,      // spends points; cannot be undone
  kRetriable,  // earns only: the outbox may finish it
};

struct BookingCandidate {
  bool can_undo = false;
  bool spends = false;
};

struct BookingStep {
  size_t index = 0;  // into the candidates
  BookingKind kind = BookingKind::kUndoable;
};

// Whether a booking that failed so may be sent again (by the outbox): it
// was not applied, or it may have been and the vendor recognises a repeated
// booking, unless its answer did not add up (maybe applied, not retryable:
// what it booked is unknown).
bool BookingMayBeSentAgain(const connectors::Failed& failure, bool vendor_recognises_repeats);

// FAILED_PRECONDITION when points would be spent at two programs that cannot
// undo a booking: if the second refused, the first could not be taken back.
absl::StatusOr<std::vector<BookingStep>> PlanBookings(
    const std::vector<BookingCandidate>& candidates);

}  // namespace loyalty::broker
