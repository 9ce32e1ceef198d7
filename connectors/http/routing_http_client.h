#pragma once

// Sends each request through the client that takes its URL: plain http:// to
// an address through SocketHttpClient, anything else (https://, names to
// resolve, a proxy from the environment) through libcurl.

#include <functional>

#include "absl/strings/string_view.h"
#include "connectors/http/http_client.h"

namespace loyalty::connectors {

class RoutingHttpClient final : public HttpClient {
 public:
  // `direct` gets the requests whose URL `direct_takes`; `general` the rest.
  RoutingHttpClient(HttpClient& direct, std::function<bool(absl::string_view url)> direct_takes,
                    HttpClient& general);

  void Send(HttpRequest request, std::function<void(HttpResult)> done) override;

 private:
  HttpClient& direct_;
  std::function<bool(absl::string_view)> direct_takes_;
  HttpClient& general_;
};

// True when the environment names a proxy for http:// (http_proxy, all_proxy,
// ALL_PROXY, as libcurl reads them): libcurl then sends everything.
bool EnvironmentNamesHttpProxy();

}  // namespace loyalty::connectors
