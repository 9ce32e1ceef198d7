#include "broker/api/auth_failure_limiter.h"

namespace loyalty::broker {
namespace {

constexpr absl::Duration kWindow = absl::Minutes(1);

}  // namespace

bool AuthFailureLimiter::Limited(const std::string& peer, absl::Time now,
                                 absl::Duration* retry_after) {
  absl::MutexLock lock(&mutex_);
  auto it = peers_.find(peer);
  if (it == peers_.end() || now - it->second.start >= kWindow) return false;
  if (it->second.failures < limit_) return false;
  *retry_after = it->second.start + kWindow - now;
  return true;
}

void AuthFailureLimiter::RecordFailure(const std::string& peer, absl::Time now) {
  absl::MutexLock lock(&mutex_);
  if (peers_.size() >= kMaxPeers) {
    // Many peers at once: forget windows that are over; if none are, start
    // afresh rather than grow without bound.
    for (auto it = peers_.begin(); it != peers_.end();) {
      it = now - it->second.start >= kWindow ? peers_.erase(it) : std::next(it);
    }
    if (peers_.size() >= kMaxPeers) peers_.clear();
  }
  Window& window = peers_[peer];
  if (window.failures == 0 || now - window.start >= kWindow) window = Window{now, 0};
  ++window.failures;
}

}  // namespace loyalty::broker
