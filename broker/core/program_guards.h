#pragma once

// Keeps one program's trouble to its own calls, in the spirit of Envoy's
// outlier detection:
// - a bulkhead: at most `max_in_flight` calls to a program at once;
// - a circuit breaker: `failures_to_open` failed calls in a row eject the
//   program for `first_ejection`, doubled with each ejection in a row up to
//   `max_ejection`; then one probe call at a time is let through (half
//   open), and its success closes the circuit again;
// - an operator's switch (ProgramConfig::switched_off).
// A call kept back never reaches the vendor, so it is always safe to retry.

#include <cstdint>
#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "connectors/core/outcome.h"
#include "connectors/core/program.h"

namespace loyalty::broker {

struct GuardSettings {
  int max_in_flight = 16;
  // 0 turns the circuit breaker off.
  int failures_to_open = 5;
  absl::Duration first_ejection = absl::Seconds(5);
  absl::Duration max_ejection = absl::Minutes(5);
};

enum class CircuitState { kClosed = 0, kOpen = 1, kHalfOpen = 2 };

// What became of a finished call, for the breaker.
enum class CallVerdict {
  kAnswered,  // the vendor answered (approved or declined)
  kFailed,    // unreachable, timed out, or an answer that cannot be used
  kAbandoned  // the caller went away: says nothing about the vendor
};

class GuardObserver {
 public:
  virtual ~GuardObserver() = default;
  virtual void OnCircuitChanged(const connectors::ProgramConfig& program, CircuitState state) = 0;
  virtual void OnHeldBack(const connectors::ProgramConfig& program, connectors::HeldBack why) = 0;
  virtual void OnInFlight(const connectors::ProgramConfig& program, int in_flight) = 0;
};

class ProgramGuards {
 public:
  ProgramGuards(GuardSettings settings, GuardObserver* observer)
      : settings_(settings), observer_(observer) {}

  struct Admission {
    // kNo when the call may go out; it must then be Finish()ed.
    connectors::HeldBack held_back = connectors::HeldBack::kNo;
    std::string message;
  };
  Admission Admit(const connectors::ProgramConfig& program, absl::Time now);
  void Finish(const connectors::ProgramConfig& program, CallVerdict verdict, absl::Time now);

  CircuitState StateOf(int64_t program_id) const;

 private:
  struct Guard {
    int in_flight = 0;
    int failures_in_a_row = 0;
    int ejections_in_a_row = 0;
    CircuitState state = CircuitState::kClosed;
    absl::Time open_until;
    bool probe_in_flight = false;
  };

  void Change(const connectors::ProgramConfig& program, Guard& guard, CircuitState state)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  const GuardSettings settings_;
  GuardObserver* const observer_;
  mutable absl::Mutex mutex_;
  std::map<int64_t, Guard> guards_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace loyalty::broker
