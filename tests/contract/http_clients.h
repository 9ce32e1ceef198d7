#pragma once

// The HTTP clients a connector may be given, so one contract test checks
// each: libcurl's (https, names, proxies) and the broker's own (plain http://
// to an address).

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "connectors/http/curl_multi_client.h"
#include "connectors/http/socket_http_client.h"

namespace loyalty::contract {

enum class HttpClientKind { kCurl, kSocket };

inline std::unique_ptr<connectors::HttpClient> MakeHttpClient(HttpClientKind kind,
                                                              size_t max_answer_bytes = 1 << 20) {
  if (kind == HttpClientKind::kCurl) {
    return std::make_unique<connectors::CurlMultiHttpClient>(
        connectors::CurlMultiOptions{.max_answer_bytes = max_answer_bytes});
  }
  return std::make_unique<connectors::SocketHttpClient>(
      connectors::SocketHttpOptions{.max_answer_bytes = max_answer_bytes});
}

inline auto AllHttpClientKinds() {
  return ::testing::Values(HttpClientKind::kCurl, HttpClientKind::kSocket);
}

inline std::string HttpClientKindName(const ::testing::TestParamInfo<HttpClientKind>& info) {
  return info.param == HttpClientKind::kCurl ? "Curl" : "Socket";
}

}  // namespace loyalty::contract
