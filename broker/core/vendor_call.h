#pragma once

// Runs connector calls from a worker thread: starts them (several at once for
// a fan-out) and waits for their outcomes. Connectors answer on the HTTP
// client's thread; the worker only waits on a future.

#include <future>
#include <memory>
#include <utility>

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
      : program_(program), started_(absl::Now()) {
    auto promise = std::make_shared<std::promise<connectors::Outcome<T>>>();
    future_ = promise->get_future();
    start(connectors::Callback<T>(
        [promise](connectors::Outcome<T> outcome) { promise->set_value(std::move(outcome)); }));
  }

  // A call still in flight must not outlive what it refers to (the request,
  // the caller's cancellation flag): whoever stops looking early still waits.
  ~PendingCall() {
    if (future_.valid()) future_.wait();
  }
  PendingCall(const PendingCall&) = delete;
  PendingCall& operator=(const PendingCall&) = delete;

  connectors::Outcome<T> Wait() {
    connectors::Outcome<T> outcome = connectors::WithSafeVendorText(future_.get(), program_);
    latency_ = absl::Now() - started_;
    return outcome;
  }

  absl::Time started() const { return started_; }
  absl::Duration latency() const { return latency_; }

 private:
  const connectors::ProgramConfig& program_;
  absl::Time started_;
  absl::Duration latency_;
  std::future<connectors::Outcome<T>> future_;
};

}  // namespace loyalty::broker
