#include "connectors/http/socket_http_client.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "connectors/http/http_url.h"
#include "connectors/http/kept_alive.h"
#include "connectors/http/request_writer.h"
#include "connectors/http/response_reader.h"
#include "connectors/http/socket_address.h"

namespace loyalty::connectors {

namespace {

constexpr absl::Duration kCancelCheck = absl::Milliseconds(20);
constexpr absl::Duration kLongestWait = absl::Seconds(1);
// Idle connections kept per origin; more are closed as they come back.
constexpr size_t kMaxIdlePerOrigin = 64;

}  // namespace

struct SocketHttpClient::Connection {
  int fd = -1;
  std::string origin;
  std::string describe;  // "host port N", for messages
  bool connecting = false;
  bool carried_one = false;  // has answered an earlier request
  bool watched = false;      // added to epoll
  uint32_t events = 0;
  Transfer* transfer = nullptr;  // null while idle
  absl::Time idle_since;
};

struct SocketHttpClient::Transfer {
  HttpRequest request;
  std::function<void(HttpResult)> done;
  std::optional<HttpUrl> url;
  std::string wire;
  size_t sent = 0;
  std::optional<HttpResponseReader> reader;
  Connection* connection = nullptr;
  absl::Time connect_by;
  bool retried = false;  // sent again after a kept-alive connection closed
};

bool SocketHttpClient::Takes(absl::string_view url) {
  const auto parts = SplitHttpUrl(url);
  return parts.has_value() && AddressOf(parts->host, parts->port).has_value();
}

SocketHttpClient::SocketHttpClient(SocketHttpOptions options)
    : options_(options),
      on_callers_threads_(options.connect_timeout, options.idle_timeout, options.max_answer_bytes) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event wake{};
  wake.events = EPOLLIN;
  wake.data.ptr = nullptr;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &wake);
  loop_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "http-client");  // as `top -H` and perf show it
    Run();
  });
  loop_id_ = loop_.get_id();
}

SocketHttpClient::~SocketHttpClient() {
  on_callers_threads_.Stop();
  stopping_ = true;
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t written = write(wake_fd_, &one, sizeof one);
  loop_.join();
  close(wake_fd_);
  close(epoll_fd_);
}

void SocketHttpClient::Send(HttpRequest request, std::function<void(HttpResult)> done) {
  if (request.on_callers_thread && std::this_thread::get_id() != loop_id_) {
    done(on_callers_threads_.Exchange(request));
    return;
  }
  auto transfer = std::make_unique<Transfer>();
  transfer->request = std::move(request);
  transfer->done = std::move(done);
  if (std::this_thread::get_id() == loop_id_) {
    // From a callback: the loop takes it before it waits again.
    sent_from_loop_.push_back(std::move(transfer));
    return;
  }
  {
    absl::MutexLock lock(&mutex_);
    pending_.push_back(std::move(transfer));
  }
  if (!wake_sent_.exchange(true)) {
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t written = write(wake_fd_, &one, sizeof one);
  }
}

void SocketHttpClient::TakePending() {
  for (auto& t : sent_from_loop_) waiting_.push_back(std::move(t));
  sent_from_loop_.clear();
  std::vector<std::unique_ptr<Transfer>> batch;
  {
    absl::MutexLock lock(&mutex_);
    batch.swap(pending_);
  }
  for (auto& t : batch) waiting_.push_back(std::move(t));
}

void SocketHttpClient::StartWaiting() {
  while (!waiting_.empty()) {
    std::unique_ptr<Transfer> t = std::move(waiting_.front());
    waiting_.pop_front();
    if (!Start(t)) {  // no connection to be had yet
      waiting_.push_front(std::move(t));
      return;
    }
  }
}

bool SocketHttpClient::Start(std::unique_ptr<Transfer>& t) {
  if (!t->url.has_value()) {
    t->url = ParseHttpUrl(t->request.url);
    if (!t->url.has_value()) {
      t->done(HttpError{HttpError::Kind::kConnect, false, "not an http:// URL"});
      return true;
    }
    auto wire = connectors::WriteRequest(t->request, *t->url);
    if (!wire.ok()) {
      t->done(HttpError{HttpError::Kind::kConnect, false, std::string(wire.status().message())});
      return true;
    }
    t->wire = std::move(*wire);
  }
  if (absl::Now() >= t->request.deadline) {
    t->done(HttpError{HttpError::Kind::kTimeout, false, "deadline passed before sending"});
    return true;
  }
  Connection* c = t->retried ? nullptr : IdleConnection(*t);
  if (c == nullptr) {
    if (static_cast<int>(connections_.size()) >= options_.max_connections) {
      // Make room by closing the longest-idle connection, if any.
      Connection* oldest = nullptr;
      for (auto& [origin, idle] : idle_) {
        if (!idle.empty() && (oldest == nullptr || idle.front()->idle_since < oldest->idle_since)) {
          oldest = idle.front();
        }
      }
      if (oldest == nullptr) return false;
      CloseConnection(oldest);
    }
    std::string error;
    c = Connect(*t, &error);
    if (c == nullptr) {
      t->done(HttpError{HttpError::Kind::kConnect, false, error});
      return true;
    }
  }
  t->sent = 0;
  t->reader.emplace(options_.max_answer_bytes, t->request.method == "HEAD");
  Transfer* raw = t.release();
  raw->connection = c;
  c->transfer = raw;
  in_flight_.insert(raw);
  if (!c->connecting) WriteRequest(c);
  return true;
}

SocketHttpClient::Connection* SocketHttpClient::IdleConnection(const Transfer& t) {
  auto it = idle_.find(t.url->origin);
  if (it == idle_.end() || it->second.empty()) return nullptr;
  Connection* c = it->second.back();  // the newest: the least likely closed meanwhile
  if (absl::Now() - c->idle_since >= LongestIdleToCarry(t.request, options_.idle_timeout)) {
    return nullptr;
  }
  it->second.pop_back();
  // Its close may have come since this thread last looked at its events.
  if (!t.request.safe_to_repeat && !ShowsNoClose(c->fd)) {
    CloseConnection(c);
    return nullptr;
  }
  return c;
}

SocketHttpClient::Connection* SocketHttpClient::Connect(Transfer& t, std::string* error) {
  const std::string describe = absl::StrCat(t.url->host, " port ", t.url->port);
  const std::optional<SocketAddress> address = AddressOf(t.url->host, t.url->port);
  if (!address.has_value()) {
    *error = absl::StrCat("Failed to connect to ", describe, ": not an address");
    return nullptr;
  }
  const int fd = socket(address->storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = absl::StrCat("Failed to connect to ", describe, ": ", ErrnoText(errno));
    return nullptr;
  }
  const int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  const int result =
      connect(fd, reinterpret_cast<const sockaddr*>(&address->storage), address->length);
  if (result != 0 && errno != EINPROGRESS) {
    *error = absl::StrCat("Failed to connect to ", describe, ": ", ErrnoText(errno));
    close(fd);
    return nullptr;
  }
  auto* c = new Connection;
  c->fd = fd;
  c->origin = t.url->origin;
  c->describe = describe;
  c->connecting = result != 0;
  connections_.insert(c);
  t.connect_by = std::min(t.request.deadline, absl::Now() + options_.connect_timeout);
  Watch(c, c->connecting ? EPOLLOUT : EPOLLIN);
  return c;
}

void SocketHttpClient::Watch(Connection* c, uint32_t events) {
  if (c->watched && c->events == events) return;
  epoll_event event{};
  event.events = events;
  event.data.ptr = c;
  epoll_ctl(epoll_fd_, c->watched ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->fd, &event);
  c->watched = true;
  c->events = events;
}

void SocketHttpClient::WriteRequest(Connection* c) {
  Transfer* t = c->transfer;
  while (t->sent < t->wire.size()) {
    const ssize_t n = send(c->fd, t->wire.data() + t->sent, t->wire.size() - t->sent, MSG_NOSIGNAL);
    if (n > 0) {
      t->sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      Watch(c, EPOLLIN | EPOLLOUT);
      return;
    }
    Finish(c, /*connection_failed=*/true, ErrnoText(errno));
    return;
  }
  Watch(c, EPOLLIN);
}

void SocketHttpClient::OnEvent(Connection* c, uint32_t events) {
  if (c->fd < 0) return;  // closed earlier in this round
  if (c->transfer == nullptr) {
    // Idle: the server closed it, or sent what nobody asked for.
    CloseConnection(c);
    return;
  }
  if (c->connecting) {
    int error = 0;
    socklen_t length = sizeof error;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0 || (events & EPOLLOUT) == 0) {
      Finish(c, true,
             absl::StrCat("Failed to connect to ", c->describe, ": ",
                          ErrnoText(error != 0 ? error : ECONNREFUSED)));
      return;
    }
    c->connecting = false;
    WriteRequest(c);
    return;
  }
  if ((events & EPOLLOUT) != 0 && c->transfer->sent < c->transfer->wire.size()) {
    WriteRequest(c);
    if (c->fd < 0 || c->transfer == nullptr) return;
  }
  if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) ReadAnswer(c);
}

void SocketHttpClient::ReadAnswer(Connection* c) {
  Transfer* t = c->transfer;
  HttpResponseReader& reader = *t->reader;
  char buffer[16 * 1024];
  bool closed = false;
  while (true) {
    const ssize_t n = recv(c->fd, buffer, sizeof buffer, 0);
    if (n > 0) {
      if (reader.Feed(absl::string_view(buffer, static_cast<size_t>(n))) !=
          HttpResponseReader::State::kReading) {
        break;
      }
      if (static_cast<size_t>(n) < sizeof buffer) return;  // epoll tells when more comes
      continue;
    }
    if (n == 0) {
      closed = true;
      reader.Close();
      break;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    Finish(c, true, ErrnoText(errno));
    return;
  }
  if (reader.state() == HttpResponseReader::State::kComplete) {
    const bool keep = !closed && reader.reusable();
    HttpResponse response{reader.status(), std::move(reader.body())};
    Release(c, keep);
    in_flight_.erase(t);
    Complete(t, std::move(response));
    return;
  }
  // Closed with no answer at all is the connection's failure (a kept-alive
  // one the server closed meanwhile); anything else is the answer's.
  Finish(c, closed && !reader.started(), reader.error());
}

void SocketHttpClient::Finish(Connection* c, bool connection_failed, const std::string& why) {
  Transfer* t = c->transfer;
  const bool was_connecting = c->connecting;
  const bool reused = c->carried_one;
  Release(c, false);
  in_flight_.erase(t);
  t->connection = nullptr;
  if (connection_failed && reused && !t->reader->started() && MayGoAgain(t->request, t->sent) &&
      !t->retried) {
    // The kept-alive connection was closed by the server before this request
    // reached it, or as it did: a repeatable request, or one none of whose
    // bytes went out, goes again, once, on a fresh connection.
    t->retried = true;
    waiting_.push_front(std::unique_ptr<Transfer>(t));
    return;
  }
  HttpError error;
  if (was_connecting) {
    error.kind = HttpError::Kind::kConnect;
    error.maybe_delivered = false;
  } else {
    error.kind = HttpError::Kind::kTransfer;
    error.maybe_delivered = t->sent > 0;
  }
  error.message = MaskSecrets(why, t->request.secrets);
  Complete(t, std::move(error));
}

void SocketHttpClient::Complete(Transfer* t, HttpResult result) {
  std::unique_ptr<Transfer> owned(t);
  owned->done(std::move(result));
}

void SocketHttpClient::Release(Connection* c, bool keep) {
  if (c->transfer != nullptr) c->transfer->connection = nullptr;
  c->transfer = nullptr;
  if (!keep) {
    CloseConnection(c);
    return;
  }
  c->carried_one = true;
  c->idle_since = absl::Now();
  auto& idle = idle_[c->origin];
  idle.push_back(c);
  if (idle.size() > kMaxIdlePerOrigin) CloseConnection(idle.front());
}

void SocketHttpClient::CloseConnection(Connection* c) {
  if (c->fd < 0) return;
  if (c->transfer == nullptr) {
    auto it = idle_.find(c->origin);
    if (it != idle_.end()) {
      auto& idle = it->second;
      idle.erase(std::remove(idle.begin(), idle.end(), c), idle.end());
    }
  }
  close(c->fd);  // also leaves the epoll set
  c->fd = -1;
  connections_.erase(c);
  closed_.push_back(c);  // freed after this round's events, which may still name it
}

void SocketHttpClient::ExpireAndCancel(absl::Time now) {
  std::vector<Transfer*> over;
  for (Transfer* t : in_flight_) {
    const bool late =
        now >= t->request.deadline ||
        (t->connection != nullptr && t->connection->connecting && now >= t->connect_by);
    if (late || (t->request.cancelled && t->request.cancelled())) over.push_back(t);
  }
  for (Transfer* t : over) {
    const bool cancelled =
        now < t->request.deadline && !(t->connection->connecting && now >= t->connect_by);
    const bool sent = t->sent > 0;
    std::string message =
        cancelled ? "the caller cancelled"
        : t->connection->connecting
            ? absl::StrCat("Connection to ", t->connection->describe, " timed out")
            : absl::StrCat("no whole answer within the deadline (",
                           t->reader->started() ? "part" : "none", " of it received)");
    Release(t->connection, false);
    in_flight_.erase(t);
    Complete(t, HttpError{cancelled ? HttpError::Kind::kCancelled : HttpError::Kind::kTimeout, sent,
                          std::move(message)});
  }
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    Transfer& t = **it;
    const bool late = now >= t.request.deadline;
    if (!late && !(t.request.cancelled && t.request.cancelled())) {
      ++it;
      continue;
    }
    std::unique_ptr<Transfer> owned = std::move(*it);
    it = waiting_.erase(it);
    owned->done(
        HttpError{late ? HttpError::Kind::kTimeout : HttpError::Kind::kCancelled, false,
                  late ? "deadline passed waiting for a connection" : "the caller cancelled"});
  }
}

void SocketHttpClient::CloseIdle(absl::Time now, bool all) {
  std::vector<Connection*> stale;
  for (auto& [origin, idle] : idle_) {
    for (Connection* c : idle) {
      if (all || now - c->idle_since >= options_.idle_timeout) stale.push_back(c);
    }
  }
  for (Connection* c : stale) CloseConnection(c);
}

int SocketHttpClient::WaitMillis(absl::Time now) const {
  if (!sent_from_loop_.empty()) return 0;
  absl::Time until = now + kLongestWait;
  bool cancellable = false;
  for (const Transfer* t : in_flight_) {
    until = std::min(until, t->request.deadline);
    if (t->connection != nullptr && t->connection->connecting)
      until = std::min(until, t->connect_by);
    cancellable = cancellable || static_cast<bool>(t->request.cancelled);
  }
  for (const auto& t : waiting_) {
    until = std::min(until, t->request.deadline);
    cancellable = cancellable || static_cast<bool>(t->request.cancelled);
  }
  // Cancellation has no socket to wake the loop: look again soon.
  if (cancellable) until = std::min(until, now + kCancelCheck);
  if (until <= now) return 0;
  return static_cast<int>(std::ceil(absl::ToDoubleMilliseconds(until - now)));
}

void SocketHttpClient::Run() {
  constexpr int kMaxEvents = 64;
  epoll_event events[kMaxEvents];
  absl::Time last_idle_sweep = absl::Now();
  while (true) {
    TakePending();
    StartWaiting();
    if (stopping_) break;
    const int n = epoll_wait(epoll_fd_, events, kMaxEvents, WaitMillis(absl::Now()));
    for (int i = 0; i < n; ++i) {
      if (events[i].data.ptr == nullptr) {
        uint64_t count = 0;
        [[maybe_unused]] const ssize_t read_bytes = read(wake_fd_, &count, sizeof count);
        wake_sent_ = false;
        continue;
      }
      OnEvent(static_cast<Connection*>(events[i].data.ptr), events[i].events);
    }
    const absl::Time now = absl::Now();
    ExpireAndCancel(now);
    if (now - last_idle_sweep >= kLongestWait) {
      CloseIdle(now, false);
      last_idle_sweep = now;
    }
    for (Connection* c : closed_) delete c;
    closed_.clear();
  }
  FailEverything();
}

void SocketHttpClient::FailEverything() {
  TakePending();
  const HttpError never_sent{HttpError::Kind::kCancelled, false, "HTTP client shut down"};
  for (auto& t : waiting_) t->done(never_sent);
  waiting_.clear();
  std::vector<Transfer*> in_flight(in_flight_.begin(), in_flight_.end());
  in_flight_.clear();
  for (Transfer* t : in_flight) {
    Release(t->connection, false);
    Complete(t, HttpError{HttpError::Kind::kCancelled, t->sent > 0, "HTTP client shut down"});
  }
  CloseIdle(absl::Now(), true);
  // Callbacks above may have sent more (and theirs more still): nothing
  // will run them now.
  while (!sent_from_loop_.empty()) {
    std::vector<std::unique_ptr<Transfer>> late;
    late.swap(sent_from_loop_);
    for (auto& t : late) t->done(never_sent);
  }
  for (Connection* c : closed_) delete c;
  closed_.clear();
}

}  // namespace loyalty::connectors
