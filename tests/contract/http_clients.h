#pragma once

// The HTTP clients a connector may be given, so one contract test checks
// each: libcurl's (https, names, proxies) and the broker's own (plain http://
// to an address), the latter also making its exchanges on the caller's thread
// (HttpRequest::on_callers_thread).

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "connectors/http/curl_multi_client.h"
#include "connectors/http/socket_http_client.h"

namespace loyalty::contract {

enum class HttpClientKind { kCurl, kSocket, kSocketOnCallersThread };

// Whether the requests of a test of `kind` ask to be exchanged on the
// caller's thread.
inline bool OnCallersThread(HttpClientKind kind) {
  return kind == HttpClientKind::kSocketOnCallersThread;
}

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

// For tests that wait for each answer before the next request, as a caller
// exchanging on its own thread does.
inline auto AllHttpClientWays() {
  return ::testing::Values(HttpClientKind::kCurl, HttpClientKind::kSocket,
                           HttpClientKind::kSocketOnCallersThread);
}

inline std::string HttpClientKindName(const ::testing::TestParamInfo<HttpClientKind>& info) {
  switch (info.param) {
    case HttpClientKind::kCurl:
      return "Curl";
    case HttpClientKind::kSocket:
      return "Socket";
    case HttpClientKind::kSocketOnCallersThread:
      return "SocketOnCallersThread";
  }
  return "Unknown";
}

}  // namespace loyalty::contract
