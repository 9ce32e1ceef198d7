#pragma once

// An HTTP/1.1 request's bytes, as libcurl would have sent the same request:
// a Host header, "Accept: */*", and a body with its length (and a form
// Content-Type unless the caller gave one) for a POST or any request with a
// body. Header names and values that would break the request's framing
// (line breaks, NUL, names that are not tokens) are refused, not sent.

#include <string>

#include "absl/status/statusor.h"
#include "connectors/http/http_client.h"
#include "connectors/http/http_url.h"

namespace loyalty::connectors {

absl::StatusOr<std::string> WriteRequest(const HttpRequest& request, const HttpUrl& url);

}  // namespace loyalty::connectors
