#pragma once

// HTTP exchanges made on the calling thread, for a caller that would do
// nothing but wait for the answer (HttpRequest::on_callers_thread): it writes
// the request and reads the answer itself, sparing the two hand-offs through
// the client's own thread (one to start the request, one to deliver the
// answer) and their wake-ups. The contract is SocketHttpClient's: a request
// goes on a kept-alive connection (kept here, apart from the client thread's)
// where kept_alive.h allows it, else on a fresh one; a request that is not
// safe to repeat goes out once. Connections are bounded by the callers: one
// each at a time, plus the idle ones.

#include <atomic>
#include <cstddef>
#include <functional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "connectors/http/http_client.h"
#include "connectors/http/http_url.h"

namespace loyalty::connectors {

class CallerThreadExchanges {
 public:
  CallerThreadExchanges(absl::Duration connect_timeout, absl::Duration idle_timeout,
                        size_t max_answer_bytes);
  ~CallerThreadExchanges();  // stops first

  CallerThreadExchanges(const CallerThreadExchanges&) = delete;
  CallerThreadExchanges& operator=(const CallerThreadExchanges&) = delete;

  // Returns with the answer, or at the deadline, on cancellation or on Stop.
  HttpResult Exchange(const HttpRequest& request);

  // Ends every exchange under way (kCancelled) and any later one at once;
  // returns once none is left. Idle connections are closed.
  void Stop();

 private:
  enum class Ready { kReady, kTimedOut, kCancelled, kStopped };
  struct Attempt {
    HttpResult result;
    // A kept-alive connection was found closed before any answer, and the
    // request may go again on a fresh one.
    bool again = false;
  };
  struct Idle {
    int fd;
    absl::Time since;
  };

  HttpResult Run(const HttpRequest& request);
  std::variant<int, HttpError> Connect(const HttpRequest& request, const HttpUrl& url);
  Attempt Transfer(int fd, bool reused, const HttpRequest& request, const HttpUrl& url,
                   const std::string& wire);
  // Until `fd` has one of `events` (or an error: `revents`, if asked, tells).
  Ready Wait(int fd, short events, absl::Time until, const std::function<bool()>& cancelled,
             short* revents = nullptr);
  // The newest idle connection to `origin`, if idle for less than
  // `idle_at_most`; -1 if none.
  int TakeIdle(const std::string& origin, absl::Duration idle_at_most);
  void GiveBack(const std::string& origin, int fd);

  const absl::Duration connect_timeout_;
  const absl::Duration idle_timeout_;
  const size_t max_answer_bytes_;
  // Written once by Stop and never read: readable from then on, it ends
  // every wait for a socket at once.
  int stop_fd_ = -1;

  // Counted before `stopping_` is read, and Stop sets `stopping_` before it
  // reads the count: an exchange either sees the stop or is waited for.
  std::atomic<int> under_way_{0};
  std::atomic<bool> stopping_{false};

  absl::Mutex mutex_;
  std::unordered_map<std::string, std::vector<Idle>> idle_ ABSL_GUARDED_BY(mutex_);  // newest last
};

}  // namespace loyalty::connectors
