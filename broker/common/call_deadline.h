#pragma once

// The deadline of the call a thread is working for. Set once where a call
// enters (the gRPC handler); read deep below (the database pool) so that no
// wait outlives the caller without threading a deadline through every layer.
// Threads outside any call (background work) see InfiniteFuture().

#include "absl/time/time.h"

namespace loyalty::broker {

class CallDeadlineScope {
 public:
  explicit CallDeadlineScope(absl::Time deadline);
  ~CallDeadlineScope();
  CallDeadlineScope(const CallDeadlineScope&) = delete;
  CallDeadlineScope& operator=(const CallDeadlineScope&) = delete;

 private:
  absl::Time previous_;
};

// The innermost scope's deadline on this thread; InfiniteFuture() outside one.
absl::Time CurrentCallDeadline();

}  // namespace loyalty::broker
