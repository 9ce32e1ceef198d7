#pragma once

// Where one program's booking of a purchase stands, and which operation put
// it there (purchase_programs.status, last_operation; migration 0009). The
// reason, where there is one, is a field of its own (PurchaseProgramRecord).
// Names are converted only at the storage boundary and for the till.

#include <optional>
#include <string_view>

namespace loyalty::broker {

enum class BookingState {
  kPending,      // being booked right now
  kApproved,     // the vendor approved the last operation
  kQueued,       // the vendor was down: the outbox books it later
  kUndone,       // booked, then cancelled because another program failed
  kUndoQueued,   // to be cancelled; the outbox keeps trying
  kUndoRefused,  // the vendor refused the cancel of an undo
  kDeclined,     // the vendor said no
  kFailed,       // nothing was applied
  kInDoubt,      // the vendor may or may not have applied it
  kSkipped,      // unreachable at the quote: nothing booked there
  kDropped,      // queued, then the purchase was cancelled: never booked there
};

enum class BookingOperation { kBook, kConfirm, kCancel, kRestore, kReassign };

// As stored: "pending", "approved", "queued", "undone", "undo_queued",
// "undo_refused", "declined", "failed", "in_doubt", "skipped", "dropped".
std::string_view StateName(BookingState state);
std::optional<BookingState> StateFromName(std::string_view name);
// As stored: "book", "confirm", "cancel", "restore", "reassign".
std::string_view OperationName(BookingOperation operation);
std::optional<BookingOperation> OperationFromName(std::string_view name);

}  // namespace loyalty::broker
