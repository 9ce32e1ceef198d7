#include "broker/core/booking_state.h"

#include <array>
#include <utility>

namespace loyalty::broker {
namespace {

constexpr std::array<std::pair<BookingState, std::string_view>, 11> kStates = {{
    {BookingState::kPending, "pending"},
    {BookingState::kApproved, "approved"},
    {BookingState::kQueued, "queued"},
    {BookingState::kUndone, "undone"},
    {BookingState::kUndoQueued, "undo_queued"},
    {BookingState::kUndoRefused, "undo_refused"},
    {BookingState::kDeclined, "declined"},
    {BookingState::kFailed, "failed"},
    {BookingState::kInDoubt, "in_doubt"},
    {BookingState::kSkipped, "skipped"},
    {BookingState::kDropped, "dropped"},
}};

constexpr std::array<std::pair<BookingOperation, std::string_view>, 5> kOperations = {{
    {BookingOperation::kBook, "book"},
    {BookingOperation::kConfirm, "confirm"},
    {BookingOperation::kCancel, "cancel"},
    {BookingOperation::kRestore, "restore"},
    {BookingOperation::kReassign, "reassign"},
}};

}  // namespace

std::string_view StateName(BookingState state) {
  for (const auto& [value, name] : kStates) {
    if (value == state) return name;
  }
  return "unknown";
}

std::optional<BookingState> StateFromName(std::string_view name) {
  for (const auto& [value, known] : kStates) {
    if (known == name) return value;
  }
  return std::nullopt;
}

std::string_view OperationName(BookingOperation operation) {
  for (const auto& [value, name] : kOperations) {
    if (value == operation) return name;
  }
  return "unknown";
}

std::optional<BookingOperation> OperationFromName(std::string_view name) {
  for (const auto& [value, known] : kOperations) {
    if (known == name) return value;
  }
  return std::nullopt;
}

}  // namespace loyalty::broker
