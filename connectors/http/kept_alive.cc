#include "connectors/http/kept_alive.h"

#include <poll.h>

#include <algorithm>

namespace loyalty::connectors {

namespace {

constexpr absl::Duration kSentOnceWithin = absl::Seconds(1);

}  // namespace

absl::Duration LongestIdleToCarry(const HttpRequest& request, absl::Duration idle_timeout) {
  return request.safe_to_repeat ? idle_timeout : std::min(idle_timeout, kSentOnceWithin);
}

bool ShowsNoClose(int fd) {
  pollfd probe{fd, POLLIN, 0};
  return poll(&probe, 1, 0) == 0;
}

bool MayGoAgain(const HttpRequest& request, size_t bytes_sent) {
  return request.safe_to_repeat || bytes_sent == 0;
}

}  // namespace loyalty::connectors
