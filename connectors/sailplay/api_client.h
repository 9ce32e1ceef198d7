#pragma once

// SailPlay calls with their session: adds token and store_department_id to
// every request, logs in when the program has no token yet, and logs in again
// once when the vendor refuses the token (a refused token means the request
// was not processed, so sending it again is safe).

#include <functional>
#include <string>
#include <string_view>

#include "connectors/core/connector.h"
#include "connectors/http/http_client.h"
#include "connectors/http/query.h"
#include "connectors/sailplay/token_cache.h"

namespace loyalty::connectors::sailplay {

class ApiClient {
 public:
  explicit ApiClient(HttpClient& http) : http_(http) {}

  // GETs base_url + `path` with the session's parameters, then `params`.
  // `with_pin` adds pin_code (purchases/new requires it). `done` gets the
  // vendor's HTTP answer, or a failure/decline of the login itself.
  void Get(const CallContext& context, std::string path, QueryParams params, bool with_pin,
           std::function<void(Outcome<HttpResponse>)> done);

 private:
  void Send(const CallContext& context, std::string path, QueryParams params, bool with_pin,
            bool relogged, std::function<void(Outcome<HttpResponse>)> done);
  // Logs in and stores the token; `done` gets the token or why there is none.
  void Login(const CallContext& context, std::function<void(Outcome<std::string>)> done);

  HttpClient& http_;
  TokenCache tokens_;
};

}  // namespace loyalty::connectors::sailplay
