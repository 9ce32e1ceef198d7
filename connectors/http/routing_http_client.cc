#include "connectors/http/routing_http_client.h"

#include <cstdlib>
#include <utility>

namespace loyalty::connectors {

RoutingHttpClient::RoutingHttpClient(HttpClient& direct,
                                     std::function<bool(absl::string_view url)> direct_takes,
                                     HttpClient& general)
    : direct_(direct), direct_takes_(std::move(direct_takes)), general_(general) {}

void RoutingHttpClient::Send(HttpRequest request, std::function<void(HttpResult)> done) {
  HttpClient& client = direct_takes_(request.url) ? direct_ : general_;
  client.Send(std::move(request), std::move(done));
}

bool EnvironmentNamesHttpProxy() {
  // libcurl reads only the lower-case http_proxy (HTTP_PROXY can be set by a
  // CGI request's "Proxy:" header), and either case of all_proxy.
  for (const char* name : {"http_proxy", "all_proxy", "ALL_PROXY"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && value[0] != '\0') return true;
  }
  return false;
}

}  // namespace loyalty::connectors
