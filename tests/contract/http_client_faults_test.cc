// What each HTTP client tells a connector when the vendor's side goes wrong,
// and what the vendor saw meanwhile: whether a request may have been
// delivered decides whether a booking is "in doubt", so both clients must
// agree on it. The vendor here is a server of raw sockets (scripted_server.h).

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "connectors/http/socket_http_client.h"
#include "tests/contract/http_clients.h"
#include "tests/contract/scripted_server.h"

namespace loyalty::contract {
namespace {

using connectors::HttpError;
using connectors::HttpRequest;
using connectors::HttpResponse;
using connectors::HttpResult;

class HttpClientFaults : public ::testing::TestWithParam<HttpClientKind> {
 protected:
  HttpRequest Request(int port, const std::string& path, bool safe_to_repeat,
                      absl::Duration timeout = absl::Seconds(5)) {
    HttpRequest request;
    request.method = safe_to_repeat ? "GET" : "POST";
    request.url = absl::StrCat("http://127.0.0.1:", port, path);
    if (!safe_to_repeat) request.body = R"({"amount":100})";
    request.deadline = absl::Now() + timeout;
    request.safe_to_repeat = safe_to_repeat;
    request.on_callers_thread = OnCallersThread(GetParam());
    return request;
  }

  HttpResult Send(HttpRequest request) {
    std::promise<HttpResult> result;
    client_->Send(std::move(request), [&](HttpResult r) { result.set_value(std::move(r)); });
    return result.get_future().get();
  }

  static const HttpError& Error(const HttpResult& result) {
    static const HttpError kNone{HttpError::Kind::kConnect, false, "(an answer, not an error)"};
    const auto* error = std::get_if<HttpError>(&result);
    return error != nullptr ? *error : kNone;
  }

  std::unique_ptr<connectors::HttpClient> client_ = MakeHttpClient(GetParam(), 1000);
};

TEST_P(HttpClientFaults, NobodyListeningIsAConnectFailureNeverDelivered) {
  int port = 0;
  {
    ScriptedServer gone([](int, const std::string&) { return std::nullopt; });
    port = gone.port();
  }
  const HttpResult result = Send(Request(port, "/book", false));
  ASSERT_TRUE(std::holds_alternative<HttpError>(result));
  EXPECT_EQ(Error(result).kind, HttpError::Kind::kConnect) << Error(result).message;
  EXPECT_FALSE(Error(result).maybe_delivered);
}

TEST_P(HttpClientFaults, AnswerLaterThanTheDeadlineIsATimeoutMaybeDelivered) {
  ScriptedServer slow([](int, const std::string&) -> std::optional<std::string> {
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    return ScriptedServer::Answer("{}");
  });
  const absl::Time started = absl::Now();
  const HttpResult result = Send(Request(slow.port(), "/book", false, absl::Milliseconds(200)));
  const absl::Duration took = absl::Now() - started;
  EXPECT_EQ(Error(result).kind, HttpError::Kind::kTimeout) << Error(result).message;
  EXPECT_TRUE(Error(result).maybe_delivered);
  EXPECT_GE(took, absl::Milliseconds(190));
  EXPECT_LT(took, absl::Milliseconds(900));
  EXPECT_EQ(slow.requests(), 1);
}

TEST_P(HttpClientFaults, ConnectionClosedWithNoAnswerLeavesABookingInDoubt) {
  ScriptedServer crashing([](int, const std::string&) { return std::nullopt; });
  const HttpResult result = Send(Request(crashing.port(), "/book", false));
  EXPECT_EQ(Error(result).kind, HttpError::Kind::kTransfer) << Error(result).message;
  EXPECT_TRUE(Error(result).maybe_delivered);
  // Sent once: a booking is never repeated by the client.
  EXPECT_EQ(crashing.requests(), 1);
}

TEST_P(HttpClientFaults, KeptAliveConnectionClosedMeanwhileSendsALookupAgain) {
  // Every connection answers its first request, then closes on the second:
  // a server whose keep-alive ran out just as the next request came.
  ScriptedServer server([](int nth, const std::string&) -> std::optional<std::string> {
    if (nth > 0) return std::nullopt;
    return ScriptedServer::Answer(R"({"n":1})");
  });
  for (int i = 0; i < 3; ++i) {
    const HttpResult result = Send(Request(server.port(), "/client", true));
    ASSERT_TRUE(std::holds_alternative<HttpResponse>(result)) << i << ": " << Error(result).message;
    EXPECT_EQ(std::get<HttpResponse>(result).body, R"({"n":1})");
  }
  // The first on a new connection; each later one twice (dropped, then again
  // on a fresh connection).
  EXPECT_EQ(server.requests(), 5);
}

TEST_P(HttpClientFaults, ChunkedAndClosingAnswersAreRead) {
  ScriptedServer server([](int nth, const std::string& request) -> std::optional<std::string> {
    if (request.find("GET /chunked") == 0) {
      return std::string(
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
          "5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\n\r\n");
    }
    return ScriptedServer::Answer(R"({"b":2})", "Connection: close\r\n");
  });
  for (int i = 0; i < 2; ++i) {
    HttpResult result = Send(Request(server.port(), "/chunked", true));
    ASSERT_TRUE(std::holds_alternative<HttpResponse>(result)) << Error(result).message;
    EXPECT_EQ(std::get<HttpResponse>(result).body, R"({"a":1})");
    result = Send(Request(server.port(), "/closing", true));
    ASSERT_TRUE(std::holds_alternative<HttpResponse>(result)) << Error(result).message;
    EXPECT_EQ(std::get<HttpResponse>(result).body, R"({"b":2})");
  }
  EXPECT_EQ(server.requests(), 4);
}

TEST_P(HttpClientFaults, LongAnswerFailsUnreadAndMaybeDelivered) {
  ScriptedServer server([](int, const std::string& request) -> std::optional<std::string> {
    if (request.find("/chunked") != std::string::npos) {
      return absl::StrCat("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "3e8\r\n",
                          std::string(1000, ' '), "\r\n1\r\n}\r\n0\r\n\r\n");
    }
    return ScriptedServer::Answer(absl::StrCat("{", std::string(1000, ' '), "}"));
  });
  for (const char* path : {"/length", "/chunked"}) {
    const HttpResult result = Send(Request(server.port(), path, false));
    EXPECT_EQ(Error(result).kind, HttpError::Kind::kTransfer) << path;
    EXPECT_TRUE(Error(result).maybe_delivered) << path;
    EXPECT_NE(Error(result).message.find("answer longer than 1000 bytes"), std::string::npos)
        << Error(result).message;
  }
}

TEST_P(HttpClientFaults, NotHttpIsATransferFailure) {
  ScriptedServer server([](int, const std::string&) -> std::optional<std::string> {
    return std::string("SSH-2.0-OpenSSH_9.2\r\n");
  });
  const HttpResult result = Send(Request(server.port(), "/book", false));
  EXPECT_EQ(Error(result).kind, HttpError::Kind::kTransfer) << Error(result).message;
  EXPECT_TRUE(Error(result).maybe_delivered);
}

TEST_P(HttpClientFaults, CancelledCallEndsWithoutWaitingForTheVendor) {
  ScriptedServer slow([](int, const std::string&) -> std::optional<std::string> {
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    return ScriptedServer::Answer("{}");
  });
  HttpRequest request = Request(slow.port(), "/client", true);
  const absl::Time started = absl::Now();
  request.cancelled = [started] { return absl::Now() - started > absl::Milliseconds(50); };
  const HttpResult result = Send(std::move(request));
  EXPECT_EQ(Error(result).kind, HttpError::Kind::kCancelled) << Error(result).message;
  EXPECT_LT(absl::Now() - started, absl::Milliseconds(900));
}

TEST_P(HttpClientFaults, LongRequestIsWrittenWholeToASlowReader) {
  // Far more than the sockets' buffers hold: written as the server reads.
  const std::string body = absl::StrCat("{\"pad\":\"", std::string(8 << 20, 'x'), "\"}");
  ScriptedServer server([&](int, const std::string& request) -> std::optional<std::string> {
    const bool whole = request.size() > body.size() &&
                       request.compare(request.size() - body.size(), body.size(), body) == 0;
    return ScriptedServer::Answer(whole ? R"({"whole":true})" : R"({"whole":false})");
  });
  HttpRequest request = Request(server.port(), "/book", false, absl::Seconds(20));
  request.body = body;
  const HttpResult result = Send(std::move(request));
  ASSERT_TRUE(std::holds_alternative<HttpResponse>(result)) << Error(result).message;
  EXPECT_EQ(std::get<HttpResponse>(result).body, R"({"whole":true})");
}

TEST_P(HttpClientFaults, ShutDownEndsEveryRequestInFlight) {
  ScriptedServer slow([](int, const std::string&) -> std::optional<std::string> {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    return ScriptedServer::Answer("{}");
  });
  std::promise<HttpResult> result;
  // From a thread of its own: made on the caller's thread, Send returns only
  // with the answer.
  std::thread caller([&] {
    client_->Send(Request(slow.port(), "/book", false),
                  [&](HttpResult r) { result.set_value(std::move(r)); });
  });
  absl::SleepFor(absl::Milliseconds(100));  // written and waiting for its answer
  const absl::Time started = absl::Now();
  client_.reset();
  auto future = result.get_future();
  const std::future_status status = future.wait_for(std::chrono::milliseconds(500));
  caller.join();
  ASSERT_EQ(status, std::future_status::ready);
  const HttpResult ended = future.get();
  EXPECT_EQ(Error(ended).kind, HttpError::Kind::kCancelled) << Error(ended).message;
  EXPECT_TRUE(Error(ended).maybe_delivered);
  EXPECT_LT(absl::Now() - started, absl::Milliseconds(500));
}

INSTANTIATE_TEST_SUITE_P(Clients, HttpClientFaults, AllHttpClientWays(), HttpClientKindName);

// Made on the caller's thread: answered before Send returns, on that thread;
// repeatable requests and bookings share one kept-alive connection.
TEST(SocketHttpClientOnCallersThread, AnswersOnTheCallersThreadAndKeepsConnectionsAsTheLoopDoes) {
  std::atomic<int> connections{0};
  ScriptedServer server([&](int nth, const std::string&) -> std::optional<std::string> {
    if (nth == 0) ++connections;
    return ScriptedServer::Answer(R"({"ok":true})");
  });
  connectors::SocketHttpClient client;
  auto send = [&](bool safe_to_repeat, absl::Time deadline = absl::Now() + absl::Seconds(5)) {
    HttpRequest request;
    request.method = safe_to_repeat ? "GET" : "POST";
    request.url = absl::StrCat("http://127.0.0.1:", server.port(), "/client");
    request.deadline = deadline;
    request.safe_to_repeat = safe_to_repeat;
    request.on_callers_thread = true;
    std::optional<HttpResult> result;
    std::thread::id answered_on;
    client.Send(std::move(request), [&](HttpResult r) {
      answered_on = std::this_thread::get_id();
      result = std::move(r);
    });
    EXPECT_TRUE(result.has_value()) << "Send returned before its answer";
    EXPECT_EQ(answered_on, std::this_thread::get_id());
    return result.has_value() && std::holds_alternative<HttpResponse>(*result);
  };
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(send(/*safe_to_repeat=*/true)) << i;
  EXPECT_EQ(connections.load(), 1);
  for (int i = 0; i < 2; ++i) EXPECT_TRUE(send(/*safe_to_repeat=*/false)) << i;
  EXPECT_EQ(connections.load(), 1);
  EXPECT_TRUE(send(/*safe_to_repeat=*/true, /*deadline=*/absl::InfiniteFuture()));
  EXPECT_EQ(connections.load(), 1);  // the kept-alive one again, with no deadline at all
  EXPECT_EQ(server.requests(), 6);
}

// The broker's own client puts a booking (a request sent once) on a
// kept-alive connection only where the server cannot be closing it as the
// booking arrives (kept_alive.h); libcurl's always opens a fresh one.
class SocketHttpClientKeptAlive : public HttpClientFaults {
 protected:
  // Counts the server's connections as they take their first request.
  ScriptedServer::Script Counting(std::atomic<int>& connections) {
    return [&connections](int nth, const std::string&) -> std::optional<std::string> {
      if (nth == 0) ++connections;
      return ScriptedServer::Answer(R"({"ok":true})");
    };
  }
};

TEST_P(SocketHttpClientKeptAlive, ABookingTakesOnlyAConnectionThatAnsweredWithinASecond) {
  std::atomic<int> connections{0};
  ScriptedServer server(Counting(connections));
  auto answered = [&](bool safe_to_repeat) {
    return std::holds_alternative<HttpResponse>(
        Send(Request(server.port(), "/book", safe_to_repeat)));
  };
  EXPECT_TRUE(answered(/*safe_to_repeat=*/true));
  EXPECT_TRUE(answered(/*safe_to_repeat=*/false));
  EXPECT_TRUE(answered(/*safe_to_repeat=*/false));
  EXPECT_EQ(connections.load(), 1);
  absl::SleepFor(absl::Milliseconds(1100));
  // Idle too long for a booking, not for a lookup.
  EXPECT_TRUE(answered(/*safe_to_repeat=*/false));
  EXPECT_EQ(connections.load(), 2);
  absl::SleepFor(absl::Milliseconds(1100));
  EXPECT_TRUE(answered(/*safe_to_repeat=*/true));
  EXPECT_EQ(connections.load(), 2);
  EXPECT_EQ(server.requests(), 5);
}

TEST_P(SocketHttpClientKeptAlive, ABookingLeavesAConnectionTheServerHasClosed) {
  std::atomic<int> connections{0};
  ScriptedServer server(Counting(connections), /*close_after_answer=*/true);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        std::holds_alternative<HttpResponse>(Send(Request(server.port(), "/client", true))));
    absl::SleepFor(absl::Milliseconds(50));  // the server's close arrives
    // Sent on the closed connection, it would be lost and in doubt.
    const HttpResult booked = Send(Request(server.port(), "/book", false));
    ASSERT_TRUE(std::holds_alternative<HttpResponse>(booked)) << i << ": " << Error(booked).message;
  }
  EXPECT_EQ(connections.load(), 6);
  EXPECT_EQ(server.requests(), 6);
}

TEST_P(SocketHttpClientKeptAlive, ABookingWhoseConnectionClosesAsItArrivesIsSentOnceInDoubt) {
  // The race the second's limit keeps away: the server takes the booking on
  // a kept-alive connection and closes it with no answer.
  ScriptedServer server([](int nth, const std::string&) -> std::optional<std::string> {
    if (nth > 0) return std::nullopt;
    return ScriptedServer::Answer(R"({"n":1})");
  });
  ASSERT_TRUE(std::holds_alternative<HttpResponse>(Send(Request(server.port(), "/client", true))));
  const HttpResult booked = Send(Request(server.port(), "/book", false));
  EXPECT_EQ(Error(booked).kind, HttpError::Kind::kTransfer) << Error(booked).message;
  EXPECT_TRUE(Error(booked).maybe_delivered);
  EXPECT_EQ(server.requests(), 2);  // never sent again
}

INSTANTIATE_TEST_SUITE_P(Clients, SocketHttpClientKeptAlive,
                         ::testing::Values(HttpClientKind::kSocket,
                                           HttpClientKind::kSocketOnCallersThread),
                         HttpClientKindName);

// More requests at once than connections allowed: the rest wait for one,
// and every request is answered.
TEST(SocketHttpClientLimits, RequestsBeyondTheConnectionLimitWaitForOne) {
  std::atomic<int> open{0}, most{0};
  ScriptedServer server([&](int nth, const std::string&) -> std::optional<std::string> {
    if (nth == 0) {
      const int now = ++open;
      int seen = most.load();
      while (now > seen && !most.compare_exchange_weak(seen, now)) {
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::optional<std::string> answer = ScriptedServer::Answer("{}", "Connection: close\r\n");
    --open;
    return answer;
  });
  connectors::SocketHttpClient client(connectors::SocketHttpOptions{.max_connections = 2});
  constexpr int kRequests = 10;
  std::vector<std::promise<HttpResult>> results(kRequests);
  for (int i = 0; i < kRequests; ++i) {
    HttpRequest request;
    request.method = "GET";
    request.url = absl::StrCat("http://127.0.0.1:", server.port(), "/client");
    request.deadline = absl::Now() + absl::Seconds(10);
    request.safe_to_repeat = true;
    client.Send(std::move(request), [&, i](HttpResult r) { results[i].set_value(std::move(r)); });
  }
  for (int i = 0; i < kRequests; ++i) {
    const HttpResult result = results[i].get_future().get();
    EXPECT_TRUE(std::holds_alternative<HttpResponse>(result))
        << i << ": " << std::get<HttpError>(result).message;
  }
  EXPECT_EQ(server.requests(), kRequests);
  EXPECT_LE(most.load(), 2);
}

}  // namespace
}  // namespace loyalty::contract
