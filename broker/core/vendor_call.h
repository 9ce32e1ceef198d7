#pragma once

// Runs connector calls from a worker thread: starts them (several at once for
// a fan-out) and waits for their outcomes. Connectors answer on the HTTP
// client's thread, or on the worker's own before the call returns (a call it
// would only wait for: CallContext::on_callers_thread).

#include <memory>
#include <optional>
#include <utility>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "connectors/core/connector.h"
#include "connectors/core/vendor_text.h"

namespace loyalty::broker {

template <typename T>
class PendingCall {
 public:
  // `start` receives the callback to hand to the connector. The outcome's
  // vendor text is made safe with `program`'s credentials (vendor_text.h)
  // before anyone logs, stores or answers it.
  template <typename Start>
  PendingCall(const connectors::ProgramConfig& program, Start start)
      : program_(program), started_(absl::Now()), slot_(std::make_shared<Slot>()) {
    // A notification, not a promise: an outcome that came on this thread is
    // taken without a system call (std::promise makes one per outcome).
    start(connectors::Callback<T>([slot = slot_](connectors::Outcome<T> outcome) {
      slot->outcome.emplace(std::move(outcome));
      slot->ready.Notify();
    }));
  }

  // A call still in flight must not outlive what it refers to (the request,
  // the caller's cancellation flag): whoever stops looking early still waits.
  ~PendingCall() { slot_->ready.WaitForNotification(); }
  PendingCall(const PendingCall&) = delete;
  PendingCall& operator=(const PendingCall&) = delete;

  // Once only.
  connectors::Outcome<T> Wait() {
    slot_->ready.WaitForNotification();
    connectors::Outcome<T> outcome =
        connectors::WithSafeVendorText(std::move(*slot_->outcome), program_);
    latency_ = absl::Now() - started_;
    return outcome;
  }

  absl::Time started() const { return started_; }
  absl::Duration latency() const { return latency_; }

 private:
  const connectors::ProgramConfig& program_;
  absl::Time started_;
  absl::Duration latency_;
  struct Slot {
    std::optional<connectors::Outcome<T>> outcome;
    absl::Notification ready;
  };
  std::shared_ptr<Slot> slot_;  // shared with the callback, which may outlive this
};

}  // namespace loyalty::broker
