#pragma once

// What the connection pool reports, for metrics.

#include "absl/time/time.h"

namespace loyalty::broker {

class PoolObserver {
 public:
  virtual ~PoolObserver() = default;
  // A connection was taken after waiting `wait`; `in_use` now, of `size`.
  virtual void OnAcquired(absl::Duration wait, int in_use, int size) = 0;
  // A connection came back after running work for `duration`.
  virtual void OnReleased(absl::Duration duration, bool ok, int in_use, int size) = 0;
  // No connection came before the caller's deadline (or PostgreSQL is down).
  virtual void OnGaveUp(absl::Duration wait) = 0;
};

}  // namespace loyalty::broker
