#include "connectors/http/caller_thread_exchanges.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "connectors/http/kept_alive.h"
#include "connectors/http/request_writer.h"
#include "connectors/http/response_reader.h"
#include "connectors/http/socket_address.h"

namespace loyalty::connectors {

namespace {

// As the client's own loop: cancellation has no socket to wake a wait.
constexpr absl::Duration kCancelCheck = absl::Milliseconds(20);
constexpr absl::Duration kLongestWait = absl::Seconds(1);
constexpr size_t kMaxIdlePerOrigin = 64;

HttpError ShutDown(bool sent) {
  return HttpError{HttpError::Kind::kCancelled, sent, "HTTP client shut down"};
}

}  // namespace

CallerThreadExchanges::CallerThreadExchanges(absl::Duration connect_timeout,
                                             absl::Duration idle_timeout, size_t max_answer_bytes)
    : connect_timeout_(connect_timeout),
      idle_timeout_(idle_timeout),
      max_answer_bytes_(max_answer_bytes),
      stop_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

CallerThreadExchanges::~CallerThreadExchanges() {
  Stop();
  close(stop_fd_);
}

void CallerThreadExchanges::Stop() {
  if (!stopping_.exchange(true)) {
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t written = write(stop_fd_, &one, sizeof one);
  }
  // Only at shutdown, and each exchange left ends within a poll.
  while (under_way_.load() > 0) absl::SleepFor(absl::Milliseconds(1));
  absl::MutexLock lock(&mutex_);
  for (auto& [origin, idle] : idle_) {
    for (const Idle& connection : idle) close(connection.fd);
  }
  idle_.clear();
}

HttpResult CallerThreadExchanges::Exchange(const HttpRequest& request) {
  ++under_way_;
  HttpResult result = stopping_.load() ? HttpResult(ShutDown(false)) : Run(request);
  --under_way_;  // the last touch of this object: Stop may end it now
  return result;
}

HttpResult CallerThreadExchanges::Run(const HttpRequest& request) {
  const std::optional<HttpUrl> url = ParseHttpUrl(request.url);
  if (!url.has_value()) return HttpError{HttpError::Kind::kConnect, false, "not an http:// URL"};
  absl::StatusOr<std::string> wire = WriteRequest(request, *url);
  if (!wire.ok()) {
    return HttpError{HttpError::Kind::kConnect, false, std::string(wire.status().message())};
  }
  bool retried = false;
  while (true) {
    if (absl::Now() >= request.deadline) {
      return HttpError{HttpError::Kind::kTimeout, false, "deadline passed before sending"};
    }
    int fd = retried ? -1 : TakeIdle(url->origin, LongestIdleToCarry(request, idle_timeout_));
    if (fd >= 0 && !request.safe_to_repeat && !ShowsNoClose(fd)) {
      close(fd);
      fd = -1;
    }
    const bool reused = fd >= 0;
    if (!reused) {
      std::variant<int, HttpError> connected = Connect(request, *url);
      if (auto* error = std::get_if<HttpError>(&connected)) return std::move(*error);
      fd = std::get<int>(connected);
    }
    Attempt attempt = Transfer(fd, reused, request, *url, *wire);
    if (!attempt.again || retried) return std::move(attempt.result);
    // The kept-alive connection was closed by the server before this request
    // reached it, or as it did: a repeatable request, or one none of whose
    // bytes went out, goes again, once, on a fresh connection.
    retried = true;
  }
}

std::variant<int, HttpError> CallerThreadExchanges::Connect(const HttpRequest& request,
                                                            const HttpUrl& url) {
  const std::string describe = absl::StrCat(url.host, " port ", url.port);
  auto refused = [&](const std::string& why) {
    return HttpError{HttpError::Kind::kConnect, false,
                     absl::StrCat("Failed to connect to ", describe, ": ", why)};
  };
  const std::optional<SocketAddress> address = AddressOf(url.host, url.port);
  if (!address.has_value()) return refused("not an address");
  const int fd = socket(address->storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return refused(ErrnoText(errno));
  const int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address->storage), address->length) == 0) {
    return fd;
  }
  if (errno != EINPROGRESS) {
    const int error = errno;
    close(fd);
    return refused(ErrnoText(error));
  }
  const absl::Time connect_by = std::min(request.deadline, absl::Now() + connect_timeout_);
  short revents = 0;
  const Ready ready = Wait(fd, POLLOUT, connect_by, request.cancelled, &revents);
  if (ready != Ready::kReady) {
    close(fd);
    if (ready == Ready::kStopped) return ShutDown(false);
    if (ready == Ready::kCancelled) {
      return HttpError{HttpError::Kind::kCancelled, false, "the caller cancelled"};
    }
    return HttpError{HttpError::Kind::kTimeout, false,
                     absl::StrCat("Connection to ", describe, " timed out")};
  }
  int error = 0;
  socklen_t length = sizeof error;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
  if (error == 0 && (revents & POLLOUT) == 0) error = ECONNREFUSED;
  if (error != 0) {
    close(fd);
    return refused(ErrnoText(error));
  }
  return fd;
}

CallerThreadExchanges::Attempt CallerThreadExchanges::Transfer(int fd, bool reused,
                                                               const HttpRequest& request,
                                                               const HttpUrl& url,
                                                               const std::string& wire) {
  size_t sent = 0;
  HttpResponseReader reader(max_answer_bytes_, request.method == "HEAD");
  // Closed with no answer at all is the connection's failure (a kept-alive
  // one the server closed meanwhile); anything else is the answer's.
  auto failed = [&](bool connection_failed, const std::string& why) -> Attempt {
    close(fd);
    if (connection_failed && reused && !reader.started() && MayGoAgain(request, sent)) {
      return Attempt{HttpError{}, /*again=*/true};
    }
    return Attempt{
        HttpError{HttpError::Kind::kTransfer, sent > 0, MaskSecrets(why, request.secrets)}};
  };
  auto ended = [&](Ready ready) -> Attempt {
    close(fd);
    const bool delivered = sent > 0;
    if (ready == Ready::kStopped) return Attempt{ShutDown(delivered)};
    if (ready == Ready::kCancelled) {
      return Attempt{HttpError{HttpError::Kind::kCancelled, delivered, "the caller cancelled"}};
    }
    return Attempt{HttpError{HttpError::Kind::kTimeout, delivered,
                             absl::StrCat("no whole answer within the deadline (",
                                          reader.started() ? "part" : "none", " of it received)")}};
  };
  while (sent < wire.size()) {
    const ssize_t n = send(fd, wire.data() + sent, wire.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      const Ready ready = Wait(fd, POLLOUT, request.deadline, request.cancelled);
      if (ready != Ready::kReady) return ended(ready);
      continue;
    }
    return failed(true, ErrnoText(errno));
  }
  char buffer[16 * 1024];
  bool closed = false;
  // The answer is never there yet: wait before the first read, not after it.
  Ready ready = Wait(fd, POLLIN, request.deadline, request.cancelled);
  if (ready != Ready::kReady) return ended(ready);
  while (reader.state() == HttpResponseReader::State::kReading) {
    const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n > 0) {
      reader.Feed(absl::string_view(buffer, static_cast<size_t>(n)));
      continue;
    }
    if (n == 0) {
      closed = true;
      reader.Close();
      break;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      ready = Wait(fd, POLLIN, request.deadline, request.cancelled);
      if (ready != Ready::kReady) return ended(ready);
      continue;
    }
    return failed(true, ErrnoText(errno));
  }
  if (reader.state() != HttpResponseReader::State::kComplete) {
    return failed(closed && !reader.started(), reader.error());
  }
  if (!closed && reader.reusable()) {
    GiveBack(url.origin, fd);
  } else {
    close(fd);
  }
  return Attempt{HttpResponse{reader.status(), std::move(reader.body())}};
}

CallerThreadExchanges::Ready CallerThreadExchanges::Wait(int fd, short events, absl::Time until,
                                                         const std::function<bool()>& cancelled,
                                                         short* revents) {
  while (true) {
    const absl::Time now = absl::Now();
    if (now >= until) return Ready::kTimedOut;
    if (cancelled && cancelled()) return Ready::kCancelled;
    // At most a second at a time: a request may have no deadline at all.
    const absl::Time wake = std::min(until, now + (cancelled ? kCancelCheck : kLongestWait));
    const int millis = static_cast<int>(std::ceil(absl::ToDoubleMilliseconds(wake - now)));
    pollfd fds[2] = {{fd, events, 0}, {stop_fd_, POLLIN, 0}};
    const int n = poll(fds, 2, millis);
    if (n < 0 && errno == EINTR) continue;
    if (fds[1].revents != 0) return Ready::kStopped;
    // Ready, or failed: the next send or recv tells which.
    if (n != 0) {
      if (revents != nullptr) *revents = fds[0].revents;
      return Ready::kReady;
    }
  }
}

int CallerThreadExchanges::TakeIdle(const std::string& origin, absl::Duration idle_at_most) {
  std::vector<int> stale;
  int fd = -1;
  {
    absl::MutexLock lock(&mutex_);
    auto it = idle_.find(origin);
    if (it == idle_.end()) return -1;
    std::vector<Idle>& idle = it->second;
    const absl::Time now = absl::Now();
    size_t fresh_from = 0;  // the oldest first
    while (fresh_from < idle.size() && now - idle[fresh_from].since >= idle_timeout_) {
      stale.push_back(idle[fresh_from++].fd);
    }
    idle.erase(idle.begin(), idle.begin() + static_cast<std::ptrdiff_t>(fresh_from));
    // The newest: the least likely closed meanwhile.
    if (!idle.empty() && now - idle.back().since < idle_at_most) {
      fd = idle.back().fd;
      idle.pop_back();
    }
  }
  for (int s : stale) close(s);
  return fd;
}

void CallerThreadExchanges::GiveBack(const std::string& origin, int fd) {
  int dropped = -1;
  {
    absl::MutexLock lock(&mutex_);
    std::vector<Idle>& idle = idle_[origin];
    idle.push_back(Idle{fd, absl::Now()});
    if (idle.size() > kMaxIdlePerOrigin) {
      dropped = idle.front().fd;
      idle.erase(idle.begin());
    }
  }
  if (dropped >= 0) close(dropped);
}

}  // namespace loyalty::connectors
