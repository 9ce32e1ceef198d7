#include "broker/core/booking_plan.h"

#include "broker/common/error_reasons.h"

namespace loyalty::broker {

bool BookingMayBeSentAgain(const connectors::Failed& failure, bool vendor_recognises_repeats) {
  return !failure.maybe_applied || (vendor_recognises_repeats && failure.retryable);
}

absl::StatusOr<std::vector<BookingStep>> PlanBookings(
    const std::vector<BookingCandidate>& candidates) {
  std::vector<BookingStep> undoable, pivot, retriable;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const BookingCandidate& c = candidates[i];
    if (!c.spends) {
      retriable.push_back({i, BookingKind::kRetriable});
    } else if (c.can_undo) {
      undoable.push_back({i, BookingKind::kUndoable});
    } else {
      pivot.push_back({i, BookingKind::kPivot});
    }
  }
  if (pivot.size() > 1) {
    return ReasonedError(
        absl::StatusCode::kFailedPrecondition, ErrorReason::kNotSupportedByStore,
        "spend: points can be spent at only one program that cannot undo a booking");
  }
  std::vector<BookingStep> plan = std::move(undoable);
  plan.insert(plan.end(), pivot.begin(), pivot.end());
  plan.insert(plan.end(), retriable.begin(), retriable.end());
  return plan;
}

}  // namespace loyalty::broker
