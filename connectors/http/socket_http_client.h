#pragma once

// HttpClient for plain http:// to hosts given by address (an IPv4 or IPv6
// literal, or localhost): one epoll thread writes each request and reads its
// answer itself (request_writer.h, response_reader.h), with connections kept
// alive per origin. It does what libcurl's transfer loop did for these
// requests at a fraction of its instructions per request (BENCHMARKS.md);
// https://, host names to resolve and proxies stay with libcurl
// (RoutingHttpClient). As with CurlMultiHttpClient, a request that is not safe
// to repeat goes out once, and a repeatable one whose kept-alive connection
// turns out closed before any answer is sent again once on a fresh
// connection; unlike libcurl, which would send it again unasked, this client
// also puts a request sent once on a kept-alive connection where kept_alive.h
// allows it. A request `on_callers_thread` is exchanged on the calling thread
// instead (caller_thread_exchanges.h), unless that is the client's own thread.

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "connectors/http/caller_thread_exchanges.h"
#include "connectors/http/http_client.h"

namespace loyalty::connectors {

struct SocketHttpOptions {
  // Connections open at once, idle ones included; requests beyond wait.
  int max_connections = 256;
  // Upper bound on connection set-up, within the deadline.
  absl::Duration connect_timeout = absl::Seconds(2);
  // A kept-alive connection unused this long is closed.
  absl::Duration idle_timeout = absl::Seconds(30);
  // As CurlMultiOptions::max_answer_bytes.
  size_t max_answer_bytes = 1 << 20;
};

class SocketHttpClient final : public HttpClient {
 public:
  explicit SocketHttpClient(SocketHttpOptions options = {});
  ~SocketHttpClient() override;

  SocketHttpClient(const SocketHttpClient&) = delete;
  SocketHttpClient& operator=(const SocketHttpClient&) = delete;

  // True for the URLs this client sends: http:// to an address literal or
  // localhost. Others fail with kConnect.
  static bool Takes(absl::string_view url);

  void Send(HttpRequest request, std::function<void(HttpResult)> done) override;

 private:
  struct Connection;
  struct Transfer;

  void Run();
  void TakePending();
  void StartWaiting();
  bool Start(std::unique_ptr<Transfer>& transfer);
  // The newest idle connection to the transfer's origin that may carry it
  // (kept_alive.h), or null.
  Connection* IdleConnection(const Transfer& t);
  Connection* Connect(Transfer& t, std::string* error);
  void OnEvent(Connection* c, uint32_t events);
  void WriteRequest(Connection* c);
  void ReadAnswer(Connection* c);
  void Finish(Connection* c, bool connection_failed, const std::string& why);
  void Complete(Transfer* t, HttpResult result);
  void Release(Connection* c, bool keep);
  void CloseConnection(Connection* c);
  void Watch(Connection* c, uint32_t events);
  void ExpireAndCancel(absl::Time now);
  void CloseIdle(absl::Time now, bool all);
  int WaitMillis(absl::Time now) const;
  void FailEverything();

  SocketHttpOptions options_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::thread::id loop_id_;

  absl::Mutex mutex_;
  std::vector<std::unique_ptr<Transfer>> pending_ ABSL_GUARDED_BY(mutex_);
  std::atomic<bool> wake_sent_{false};
  std::atomic<bool> stopping_{false};

  // Touched only by the loop thread.
  std::vector<std::unique_ptr<Transfer>> sent_from_loop_;
  std::deque<std::unique_ptr<Transfer>> waiting_;  // for a connection
  std::unordered_set<Transfer*> in_flight_;
  std::unordered_set<Connection*> connections_;
  std::unordered_map<std::string, std::vector<Connection*>> idle_;  // newest last
  std::vector<Connection*> closed_;  // freed at the end of each round of events
  std::thread loop_;
  CallerThreadExchanges on_callers_threads_;
};

}  // namespace loyalty::connectors
