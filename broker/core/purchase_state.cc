#include "broker/core/purchase_state.h"

#include "broker/core/enum_names.h"

namespace loyalty::broker {
namespace {

constexpr EnumNames<PurchaseState, 7> kStates({{
    {PurchaseState::kPending, "pending"},
    {PurchaseState::kBooked, "booked"},
    {PurchaseState::kConfirmed, "confirmed"},
    {PurchaseState::kCancelled, "cancelled"},
    {PurchaseState::kDeclined, "declined"},
    {PurchaseState::kFailed, "failed"},
    {PurchaseState::kInDoubt, "in_doubt"},
}});

}  // namespace

std::string_view PurchaseStateName(PurchaseState state) { return kStates.Name(state); }
std::optional<PurchaseState> PurchaseStateFromName(std::string_view name) {
  return kStates.From(name);
}

}  // namespace loyalty::broker
