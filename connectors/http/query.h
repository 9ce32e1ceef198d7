#pragma once

// URL query strings for vendors whose API takes its parameters in the URL
// (SailPlay). Values are percent-encoded per RFC 3986, so JSON objects such
// as a cart travel intact.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace loyalty::connectors {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// "a=1&cart=%7B...%7D", in the given order.
std::string QueryString(const QueryParams& params);

std::string PercentEncode(std::string_view value);

}  // namespace loyalty::connectors
