#include "connectors/http/request_writer.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "connectors/http/http_token.h"

namespace loyalty::connectors {

namespace {

bool IsToken(absl::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), IsHttpTokenChar);
}

bool SafeValue(absl::string_view text) {
  for (char c : text) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::string> WriteRequest(const HttpRequest& request, const HttpUrl& url) {
  if (!IsToken(request.method))
    return absl::InvalidArgumentError("the request method is not a token");
  bool has_accept = false;
  bool has_content_type = false;
  size_t header_bytes = 0;
  for (const auto& [name, value] : request.headers) {
    if (!IsToken(name) || !SafeValue(value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("request header \"", absl::CEscape(name), "\" would break the request"));
    }
    // The framing headers are the writer's alone.
    if (absl::EqualsIgnoreCase(name, "Content-Length") ||
        absl::EqualsIgnoreCase(name, "Transfer-Encoding") || absl::EqualsIgnoreCase(name, "Host")) {
      return absl::InvalidArgumentError(
          absl::StrCat("request header \"", name, "\" is set by the HTTP client"));
    }
    has_accept = has_accept || absl::EqualsIgnoreCase(name, "Accept");
    has_content_type = has_content_type || absl::EqualsIgnoreCase(name, "Content-Type");
    header_bytes += name.size() + value.size() + 4;
  }
  const bool has_body = request.method == "POST" || !request.body.empty();
  std::string wire;
  wire.reserve(request.method.size() + url.target.size() + url.host_header.size() + header_bytes +
               request.body.size() + 128);
  absl::StrAppend(&wire, request.method, " ", url.target, " HTTP/1.1\r\nHost: ", url.host_header,
                  "\r\n");
  if (!has_accept) wire += "Accept: */*\r\n";
  for (const auto& [name, value] : request.headers)
    absl::StrAppend(&wire, name, ": ", value, "\r\n");
  if (has_body) {
    if (!has_content_type) wire += "Content-Type: application/x-www-form-urlencoded\r\n";
    absl::StrAppend(&wire, "Content-Length: ", request.body.size(), "\r\n");
  }
  wire += "\r\n";
  wire += request.body;
  return wire;
}

}  // namespace loyalty::connectors
