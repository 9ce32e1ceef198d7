#pragma once

// Where a purchase stands as a whole (purchases.status).

#include <optional>
#include <string_view>

namespace loyalty::broker {

enum class PurchaseState {
  kPending,    // the intent is written; vendors are being called
  kBooked,     // went through; a vendor still waits for the till's confirm
  kConfirmed,  // went through, nothing left to confirm
  kCancelled,  // went through, then cancelled
  kDeclined,   // a vendor said no; nothing stands
  kFailed,     // nothing was applied, or what was is undone
  kInDoubt,    // a vendor may have acted; reconciliation or an operator settles it
};

// As stored: "pending", "booked", "confirmed", "cancelled", "declined",
// "failed", "in_doubt".
std::string_view PurchaseStateName(PurchaseState state);
std::optional<PurchaseState> PurchaseStateFromName(std::string_view name);

}  // namespace loyalty::broker
