#include "connectors/http/curl_multi_client.h"

#include <curl/curl.h>
#include <pthread.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace loyalty::connectors {

namespace {

// The answer as it is read, up to a bound.
struct AnswerBuffer {
  std::string body;
  size_t max_bytes = 0;
  bool too_large = false;
};

}  // namespace

struct CurlMultiHttpClient::Transfer {
  HttpRequest request;
  std::function<void(HttpResult)> done;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  AnswerBuffer answer;
  char error[CURL_ERROR_SIZE] = {0};

  ~Transfer() {
    if (headers != nullptr) curl_slist_free_all(headers);
    if (easy != nullptr) curl_easy_cleanup(easy);
  }
};

namespace {

// Returning less than given makes libcurl stop the transfer (CURLE_WRITE_ERROR).
size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  auto* answer = static_cast<AnswerBuffer*>(user);
  const size_t bytes = size * count;
  if (answer->body.size() + bytes > answer->max_bytes) {
    answer->too_large = true;
    return 0;
  }
  answer->body.append(data, bytes);
  return bytes;
}

CURLM* AsMulti(void* multi) { return static_cast<CURLM*>(multi); }

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

}  // namespace

CurlMultiHttpClient::CurlMultiHttpClient(CurlMultiOptions options) : options_(options) {
  static CurlGlobal global_init;  // once per process, before any handle
  multi_ = curl_multi_init();
  curl_multi_setopt(AsMulti(multi_), CURLMOPT_MAX_TOTAL_CONNECTIONS, options_.max_connections);
  loop_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "http-client");  // as `top -H` and perf show it
    Run();
  });
}

CurlMultiHttpClient::~CurlMultiHttpClient() {
  stopping_ = true;
  curl_multi_wakeup(AsMulti(multi_));
  loop_.join();
  curl_multi_cleanup(AsMulti(multi_));
}

void CurlMultiHttpClient::Send(HttpRequest request, std::function<void(HttpResult)> done) {
  auto transfer = std::make_unique<Transfer>();
  transfer->request = std::move(request);
  transfer->done = std::move(done);
  {
    absl::MutexLock lock(&mutex_);
    pending_.push_back(std::move(transfer));
  }
  curl_multi_wakeup(AsMulti(multi_));
}

void CurlMultiHttpClient::StartPending() {
  std::deque<std::unique_ptr<Transfer>> batch;
  {
    absl::MutexLock lock(&mutex_);
    batch.swap(pending_);
  }
  for (auto& owned : batch) {
    Transfer* t = owned.release();  // owned by the multi handle until done
    const absl::Duration left = t->request.deadline - absl::Now();
    const long timeout_ms = static_cast<long>(absl::ToInt64Milliseconds(left));
    if (timeout_ms <= 0) {
      HttpError error{HttpError::Kind::kTimeout, false, "deadline passed before sending"};
      t->done(error);
      delete t;
      continue;
    }
    t->easy = static_cast<CURL*>(TakeEasyHandle());
    CURL* easy = t->easy;
    // Every option a transfer uses is set here, each time: a reused handle
    // keeps the previous transfer's (GiveBackEasyHandle).
    curl_easy_setopt(easy, CURLOPT_URL, t->request.url.c_str());
    if (t->request.method == "POST" || !t->request.body.empty()) {
      curl_easy_setopt(easy, CURLOPT_POSTFIELDS, t->request.body.data());
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(t->request.body.size()));
    } else {
      curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);  // no body, whatever the last one sent
    }
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, t->request.method.c_str());
    for (const auto& [name, value] : t->request.headers) {
      t->headers = curl_slist_append(t->headers, absl::StrCat(name, ": ", value).c_str());
    }
    // No "Expect: 100-continue" round trip on larger bodies.
    t->headers = curl_slist_append(t->headers, "Expect:");
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, AppendBody);
    t->answer.max_bytes = options_.max_answer_bytes;
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &t->answer);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->error);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                     std::min(timeout_ms, options_.connect_timeout_ms));
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
    const long fresh = t->request.safe_to_repeat ? 0L : 1L;
    curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, fresh);
    // Closed after its answer too: kept, each such connection would sit idle
    // in the cache (up to four per transfer in flight) and hold one of the
    // vendor server's connections; a server with a thread per connection
    // then left new connections queued until its keep-alive timeout.
    curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, fresh);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, t);
    curl_multi_add_handle(AsMulti(multi_), easy);
    in_flight_.insert(t);
  }
}

void CurlMultiHttpClient::FinishDone() {
  int left = 0;
  while (CURLMsg* message = curl_multi_info_read(AsMulti(multi_), &left)) {
    if (message->msg != CURLMSG_DONE) continue;
    Transfer* raw = nullptr;
    curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &raw);
    std::unique_ptr<Transfer> t(raw);
    in_flight_.erase(raw);
    const CURLcode code = message->data.result;
    curl_multi_remove_handle(AsMulti(multi_), t->easy);
    if (code == CURLE_OK) {
      long status = 0;
      curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
      GiveBackEasyHandle(*t);
      t->done(HttpResponse{static_cast<int>(status), std::move(t->answer.body)});
      continue;
    }
    // Bytes of the request written: if none, the vendor cannot have seen it.
    long request_bytes = 0;
    curl_easy_getinfo(t->easy, CURLINFO_REQUEST_SIZE, &request_bytes);
    HttpError error;
    error.maybe_delivered = request_bytes > 0;
    if (code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST) {
      error.kind = HttpError::Kind::kConnect;
      error.maybe_delivered = false;
    } else if (code == CURLE_OPERATION_TIMEDOUT) {
      error.kind = HttpError::Kind::kTimeout;
    } else {
      error.kind = HttpError::Kind::kTransfer;
    }
    const std::string detail =
        t->answer.too_large
            ? absl::StrCat("answer longer than ", t->answer.max_bytes, " bytes, not read")
        : t->error[0] != '\0' ? t->error
                              : curl_easy_strerror(code);
    error.message = MaskSecrets(detail, t->request.secrets);
    GiveBackEasyHandle(*t);
    t->done(error);
  }
}

void* CurlMultiHttpClient::TakeEasyHandle() {
  if (spare_easy_.empty()) return curl_easy_init();
  void* easy = spare_easy_.back();
  spare_easy_.pop_back();
  return easy;
}

void CurlMultiHttpClient::GiveBackEasyHandle(Transfer& t) {
  if (t.easy == nullptr) return;
  // Not reset to its defaults (curl_easy_reset re-initialised every option,
  // 5k instructions a transfer): the next transfer sets every option it uses
  // (StartPending). Only what points into this transfer, about to be freed,
  // is let go. What the handle allocated (its buffers, its state) stays for
  // the next transfer instead of being made anew.
  curl_easy_setopt(t.easy, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(t.easy, CURLOPT_POSTFIELDS, nullptr);
  curl_easy_setopt(t.easy, CURLOPT_WRITEDATA, nullptr);
  curl_easy_setopt(t.easy, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(t.easy, CURLOPT_PRIVATE, nullptr);
  if (spare_easy_.size() < kMaxSpareEasyHandles) {
    spare_easy_.push_back(t.easy);
  } else {
    curl_easy_cleanup(t.easy);
  }
  t.easy = nullptr;
}

bool CurlMultiHttpClient::AbandonCancelled() {
  bool cancellable = false;
  for (auto it = in_flight_.begin(); it != in_flight_.end();) {
    Transfer* t = *it;
    if (!t->request.cancelled) {
      ++it;
      continue;
    }
    cancellable = true;
    if (!t->request.cancelled()) {
      ++it;
      continue;
    }
    long request_bytes = 0;
    curl_easy_getinfo(t->easy, CURLINFO_REQUEST_SIZE, &request_bytes);
    curl_multi_remove_handle(AsMulti(multi_), t->easy);
    GiveBackEasyHandle(*t);
    t->done(HttpError{HttpError::Kind::kCancelled, request_bytes > 0, "the caller cancelled"});
    delete t;
    it = in_flight_.erase(it);
  }
  return cancellable;
}

void CurlMultiHttpClient::Run() {
  while (true) {
    StartPending();
    int running = 0;
    curl_multi_perform(AsMulti(multi_), &running);
    FinishDone();
    const bool cancellable = AbandonCancelled();
    if (stopping_) break;
    // Cancellation has no socket to wake the loop: look again soon.
    curl_multi_poll(AsMulti(multi_), nullptr, 0, cancellable ? 20 : 1000, nullptr);
  }
  // Fail whatever is still queued or in flight so no caller waits forever.
  std::deque<std::unique_ptr<Transfer>> never_started;
  {
    absl::MutexLock lock(&mutex_);
    never_started.swap(pending_);
  }
  const HttpError cancelled{HttpError::Kind::kCancelled, false, "HTTP client shut down"};
  for (auto& t : never_started) t->done(cancelled);
  for (Transfer* t : in_flight_) {
    curl_multi_remove_handle(AsMulti(multi_), t->easy);
    t->done(HttpError{HttpError::Kind::kCancelled, true, "HTTP client shut down"});
    delete t;
  }
  in_flight_.clear();
  for (void* easy : spare_easy_) curl_easy_cleanup(static_cast<CURL*>(easy));
  spare_easy_.clear();
}

}  // namespace loyalty::connectors
