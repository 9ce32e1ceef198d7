#pragma once

// An outbox entry's step and where its delivery stands (outbox.operation,
// outbox.status; migration 0004).

#include <optional>
#include <string_view>

namespace loyalty::broker {

enum class OutboxStep {
  kBook,    // points earned while the vendor was down
  kCancel,  // undoing a booking of a purchase that failed
};

enum class OutboxState {
  kWaiting,    // to be sent when due
  kSending,    // claimed by a sender, with a lease
  kDelivered,  // the vendor has it
  kInDoubt,    // the sender died mid-call and a repeat is not safe
  kDropped,    // no longer wanted (the purchase was cancelled) or declined
};

// As stored: "book", "cancel".
std::string_view OutboxStepName(OutboxStep step);
std::optional<OutboxStep> OutboxStepFromName(std::string_view name);
// As stored: "waiting", "sending", "delivered", "in_doubt", "dropped".
std::string_view OutboxStateName(OutboxState state);
std::optional<OutboxState> OutboxStateFromName(std::string_view name);

}  // namespace loyalty::broker
