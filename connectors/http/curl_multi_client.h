#pragma once

// HttpClient on libcurl's multi interface: one event-loop thread drives every
// transfer, connections are kept alive per host, each transfer's timeout is
// the time left to its deadline.

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <thread>
#include <unordered_set>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "connectors/http/http_client.h"

namespace loyalty::connectors {

struct CurlMultiOptions {
  // Connections kept open across all hosts.
  long max_connections = 256;
  // Upper bound on connection set-up, within the deadline.
  long connect_timeout_ms = 2000;
  // A vendor answer longer than this is cut off while it is read and the
  // call fails (the request may have been applied): vendor answers are
  // untrusted input, and one vendor must not take the broker's memory.
  size_t max_answer_bytes = 1 << 20;
};

class CurlMultiHttpClient final : public HttpClient {
 public:
  explicit CurlMultiHttpClient(CurlMultiOptions options = {});
  ~CurlMultiHttpClient() override;

  CurlMultiHttpClient(const CurlMultiHttpClient&) = delete;
  CurlMultiHttpClient& operator=(const CurlMultiHttpClient&) = delete;

  void Send(HttpRequest request, std::function<void(HttpResult)> done) override;

 private:
  struct Transfer;

  void Run();
  void StartPending();
  void FinishDone();
  // Abandons transfers whose caller cancelled; true if any in flight can be.
  bool AbandonCancelled();
  // libcurl's easy handles are reused: making and freeing one per transfer
  // cost about 8k instructions each, resetting it 5k (bench/instructions.sh).
  // Each transfer sets every option it uses.
  void* TakeEasyHandle();  // CURL*
  void GiveBackEasyHandle(Transfer& t);
  static constexpr size_t kMaxSpareEasyHandles = 256;

  CurlMultiOptions options_;
  void* multi_ = nullptr;  // CURLM*
  absl::Mutex mutex_;
  std::deque<std::unique_ptr<Transfer>> pending_ ABSL_GUARDED_BY(mutex_);
  // Started transfers; touched only by the loop thread.
  std::unordered_set<Transfer*> in_flight_;
  // Easy handles of finished transfers; touched only by the loop thread.
  std::vector<void*> spare_easy_;
  std::atomic<bool> stopping_{false};
  std::thread loop_;
};

}  // namespace loyalty::connectors
