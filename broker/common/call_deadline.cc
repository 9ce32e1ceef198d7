#include "broker/common/call_deadline.h"

namespace loyalty::broker {
namespace {

thread_local absl::Time current_deadline = absl::InfiniteFuture();

}  // namespace

CallDeadlineScope::CallDeadlineScope(absl::Time deadline) : previous_(current_deadline) {
  current_deadline = deadline;
}

CallDeadlineScope::~CallDeadlineScope() { current_deadline = previous_; }

absl::Time CurrentCallDeadline() { return current_deadline; }

}  // namespace loyalty::broker
