#pragma once

// Counts failed authentications per peer address over a one-minute window.
// A peer past the limit has its unknown keys refused without a database
// lookup until the window turns, so a flood of made-up keys costs the
// database nothing and other stores nothing.

#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace loyalty::broker {

class AuthFailureLimiter {
 public:
  explicit AuthFailureLimiter(int failures_per_minute) : limit_(failures_per_minute) {}

  // True while `peer` has failed `failures_per_minute` times this window;
  // `retry_after` then says when the window turns.
  bool Limited(const std::string& peer, absl::Time now, absl::Duration* retry_after);
  void RecordFailure(const std::string& peer, absl::Time now);

 private:
  struct Window {
    absl::Time start;
    int failures = 0;
  };
  static constexpr size_t kMaxPeers = 10000;

  const int limit_;
  absl::Mutex mutex_;
  std::map<std::string, Window> peers_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace loyalty::broker
