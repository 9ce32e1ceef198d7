#include "broker/core/booking_state.h"

#include "broker/core/enum_names.h"

namespace loyalty::broker {
namespace {

constexpr EnumNames<BookingState, 11> kStates({{
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
}});

constexpr EnumNames<BookingOperation, 5> kOperations({{
    {BookingOperation::kBook, "book"},
    {BookingOperation::kConfirm, "confirm"},
    {BookingOperation::kCancel, "cancel"},
    {BookingOperation::kRestore, "restore"},
    {BookingOperation::kReassign, "reassign"},
}});

}  // namespace

std::string_view StateName(BookingState state) { return kStates.Name(state); }
std::optional<BookingState> StateFromName(std::string_view name) { return kStates.From(name); }
std::string_view OperationName(BookingOperation operation) { return kOperations.Name(operation); }
std::optional<BookingOperation> OperationFromName(std::string_view name) {
  return kOperations.From(name);
}

}  // namespace loyalty::broker
