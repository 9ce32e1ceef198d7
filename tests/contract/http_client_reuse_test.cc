// The broker's HTTP clients reuse what they can across requests (libcurl's
// handles without resetting them, kept-alive connections). What one request
// set must not reach the next: its method, its body, its headers. A server of
// our own records what arrives; each client kind is checked.

#include <gtest/gtest.h>
#include <httplib.h>

#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/contract/http_clients.h"

namespace loyalty::contract {
namespace {

struct Arrived {
  std::string method;
  std::string body;
  std::string marker;  // the X-Marker header, if sent
  bool expect = false;
  bool content_length = false;  // a Content-Length header, even of 0
};

class HttpClientReuse : public ::testing::TestWithParam<HttpClientKind> {
 protected:
  void SetUp() override {
    auto record = [this](const httplib::Request& request, httplib::Response& response) {
      std::lock_guard lock(mutex_);
      arrived_.push_back({request.method, request.body, request.get_header_value("X-Marker"),
                          request.has_header("Expect"), request.has_header("Content-Length")});
      response.set_content("{}", "application/json");
    };
    server_.Get("/echo", record);
    server_.Post("/echo", record);
    server_.Delete("/echo", record);
    server_.Put("/echo", record);
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i) absl::SleepFor(absl::Milliseconds(2));
    ASSERT_TRUE(server_.is_running());
  }
  void TearDown() override {
    client_.reset();  // its kept-alive connection closed, so the server stops at once
    server_.stop();
    thread_.join();
  }

  // Sends one request and waits for its answer, so every request of a test
  // goes out on the same reused handle.
  int Send(const std::string& method, const std::string& body, const std::string& marker,
           bool safe_to_repeat) {
    connectors::HttpRequest request;
    request.method = method;
    request.url = absl::StrCat("http://127.0.0.1:", port_, "/echo");
    request.body = body;
    if (!marker.empty()) request.headers = {{"X-Marker", marker}};
    request.deadline = absl::Now() + absl::Seconds(10);
    request.safe_to_repeat = safe_to_repeat;
    request.on_callers_thread = OnCallersThread(GetParam());
    std::promise<int> status;
    client_->Send(std::move(request), [&](connectors::HttpResult result) {
      const auto* response = std::get_if<connectors::HttpResponse>(&result);
      status.set_value(response == nullptr ? -1 : response->status);
    });
    return status.get_future().get();
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::unique_ptr<connectors::HttpClient> client_ = MakeHttpClient(GetParam());
  std::mutex mutex_;
  std::vector<Arrived> arrived_;
};

TEST_P(HttpClientReuse, NothingOfOneRequestReachesTheNext) {
  EXPECT_EQ(Send("POST", R"({"amount": 1})", "first", /*safe_to_repeat=*/false), 200);
  EXPECT_EQ(Send("GET", "", "", /*safe_to_repeat=*/true), 200);
  EXPECT_EQ(Send("POST", "", "third", /*safe_to_repeat=*/true), 200);
  EXPECT_EQ(Send("DELETE", "", "", /*safe_to_repeat=*/false), 200);
  EXPECT_EQ(Send("PUT", "x=1", "", /*safe_to_repeat=*/false), 200);
  EXPECT_EQ(Send("GET", "", "sixth", /*safe_to_repeat=*/true), 200);
  std::lock_guard lock(mutex_);
  ASSERT_EQ(arrived_.size(), 6u);
  const std::vector<std::string> methods = {"POST", "GET", "POST", "DELETE", "PUT", "GET"};
  const std::vector<std::string> bodies = {R"({"amount": 1})", "", "", "", "x=1", ""};
  const std::vector<std::string> markers = {"first", "", "third", "", "", "sixth"};
  for (size_t i = 0; i < arrived_.size(); ++i) {
    EXPECT_EQ(arrived_[i].method, methods[i]) << "request " << i;
    EXPECT_EQ(arrived_[i].body, bodies[i]) << "request " << i;
    EXPECT_EQ(arrived_[i].marker, markers[i]) << "request " << i;
    EXPECT_FALSE(arrived_[i].expect) << "request " << i;
    // A GET or DELETE carries no body at all, as from a fresh handle.
    EXPECT_EQ(arrived_[i].content_length, methods[i] == "POST" || methods[i] == "PUT")
        << "request " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Clients, HttpClientReuse, AllHttpClientWays(), HttpClientKindName);

}  // namespace
}  // namespace loyalty::contract
