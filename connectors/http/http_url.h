#pragma once

// An http:// URL taken apart for a request written by hand: where to
// connect, what the Host header says, and the request target.

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace loyalty::connectors {

struct HttpUrl {
  std::string host;         // as written, without brackets around IPv6
  int port = 80;            // as written, or 80
  std::string host_header;  // host[:port], as the Host header carries it
  std::string target;       // path and query, "/" when the URL has none
  // "host:port": connections to one origin are shared.
  std::string origin;
};

// The parts of an absolute http:// URL, as views into it.
struct HttpUrlParts {
  absl::string_view host;  // without brackets around IPv6
  int port = 80;
  absl::string_view rest;  // path and query as written, possibly empty
};

// Takes apart an absolute "http://host[:port][/path][?query]" URL; nullopt for
// any other scheme, credentials in the URL, a fragment, or bytes that do not
// belong in a request line (spaces, control characters).
std::optional<HttpUrl> ParseHttpUrl(absl::string_view url);
// The same checks, without copying anything out.
std::optional<HttpUrlParts> SplitHttpUrl(absl::string_view url);

}  // namespace loyalty::connectors
