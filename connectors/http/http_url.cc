#include "connectors/http/http_url.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace loyalty::connectors {

std::optional<HttpUrlParts> SplitHttpUrl(absl::string_view url) {
  constexpr absl::string_view kScheme = "http://";
  if (!absl::StartsWithIgnoreCase(url, kScheme)) return std::nullopt;
  for (char c : url) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7F || c == '#') return std::nullopt;
  }
  url.remove_prefix(kScheme.size());
  const size_t authority_end = url.find_first_of("/?");
  absl::string_view authority = url.substr(0, authority_end);
  const absl::string_view rest =
      authority_end == absl::string_view::npos ? absl::string_view() : url.substr(authority_end);
  if (authority.empty() || authority.find('@') != absl::string_view::npos) return std::nullopt;

  HttpUrlParts parsed;
  absl::string_view host;
  absl::string_view port;
  if (authority.front() == '[') {  // [IPv6]:port
    const size_t close = authority.find(']');
    if (close == absl::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    const absl::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port = after.substr(1);
    }
  } else {
    const size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != absl::string_view::npos) port = authority.substr(colon + 1);
  }
  if (host.empty()) return std::nullopt;
  if (!port.empty()) {
    for (char c : port) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    }
    if (port.size() > 5 || !absl::SimpleAtoi(port, &parsed.port) || parsed.port < 1 ||
        parsed.port > 65535) {
      return std::nullopt;
    }
  }
  parsed.host = host;
  parsed.rest = rest;
  return parsed;
}

std::optional<HttpUrl> ParseHttpUrl(absl::string_view url) {
  const std::optional<HttpUrlParts> parts = SplitHttpUrl(url);
  if (!parts.has_value()) return std::nullopt;
  HttpUrl parsed;
  parsed.host = std::string(parts->host);
  parsed.port = parts->port;
  const std::string bracketed = parts->host.find(':') != absl::string_view::npos
                                    ? absl::StrCat("[", parts->host, "]")
                                    : parsed.host;
  parsed.host_header = parsed.port == 80 ? bracketed : absl::StrCat(bracketed, ":", parsed.port);
  parsed.origin = absl::StrCat(bracketed, ":", parsed.port);
  if (parts->rest.empty()) {
    parsed.target.push_back('/');  // not = "/": GCC 12 warns of a false overlap
  } else if (parts->rest.front() == '?') {
    parsed.target = absl::StrCat("/", parts->rest);
  } else {
    parsed.target = std::string(parts->rest);
  }
  return parsed;
}

}  // namespace loyalty::connectors
