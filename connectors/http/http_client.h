#pragma once

// Asynchronous HTTP for connectors. One client is shared by all connectors so
// that connections to each vendor are kept alive and reused.

#include <functional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/time/time.h"

namespace loyalty::connectors {

struct HttpRequest {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  absl::Time deadline = absl::InfiniteFuture();
  // Checked while the request is in flight: true abandons it (kCancelled).
  std::function<bool()> cancelled;
  // True only for requests that change nothing at the vendor (lookups,
  // calculations). Any other request is sent at most once; a drop after
  // sending is then an unknown outcome for the caller to settle. libcurl
  // silently sends a request again when a reused connection dies before the
  // answer, so with it those go out on a fresh connection; the broker's own
  // client reuses a connection for them only as kept_alive.h allows.
  bool safe_to_repeat = false;
  // The caller does nothing but wait for the answer: the client may make the
  // exchange on the caller's thread, `done` then running there before Send
  // returns (SocketHttpClient does; libcurl's client ignores it).
  bool on_callers_thread = false;
  // Values to mask wherever the request is described (logs, errors):
  // API keys, tokens, PIN codes.
  std::vector<std::string> secrets;
};

struct HttpResponse {
  int status = 0;
  std::string body;
};

struct HttpError {
  enum class Kind {
    kConnect,   // never reached the vendor: safe to retry
    kTimeout,   // deadline passed; the vendor may have acted on the request
    kTransfer,  // broken connection after sending; the vendor may have acted
    kCancelled,
  };
  Kind kind = Kind::kConnect;
  // True when the request may have been delivered to the vendor.
  bool maybe_delivered = false;
  std::string message;
};

using HttpResult = std::variant<HttpResponse, HttpError>;

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Sends `request`; `done` runs exactly once, on the client's own thread,
  // and must not block (or, for a request `on_callers_thread`, maybe on the
  // calling thread before Send returns).
  virtual void Send(HttpRequest request, std::function<void(HttpResult)> done) = 0;
};

// Replaces every secret in `text` with "***".
std::string MaskSecrets(std::string text, const std::vector<std::string>& secrets);

}  // namespace loyalty::connectors
