// The broker's HTTP client and a vendor's server agree on connections: calls
// share kept-alive connections, and calls sent at most once (bookings) never
// pile up idle ones. With libcurl, which opens a fresh connection for each of
// those, kept ones piled up in its cache and took every thread of a server
// with a thread per connection: new calls then waited out the server's
// keep-alive timeout (5 s), the benchmark's vendor baseline stalled, and so
// would a vendor's server of that kind under the broker. The broker's own
// client puts them on the connections it keeps (kept_alive.h).

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "simulators/kit/seed.h"
#include "simulators/loyalclient/server.h"
#include "tests/contract/http_clients.h"
#include "tests/contract/socket_stats.h"

namespace loyalty::contract {
namespace {

constexpr int kInFlight = 16;
constexpr int kCalls = 400;

class HttpClientConnections : public ::testing::TestWithParam<HttpClientKind> {
 protected:
  void SetUp() override {
    port_ = vendor_.Start("127.0.0.1", 0);
    ASSERT_GT(port_, 0);
  }

  // Sends kCalls health checks, kInFlight at a time; returns how many failed
  // and the most connections the server held open at once meanwhile.
  std::pair<int, int> SendCalls(bool safe_to_repeat) {
    std::mutex mutex;
    std::condition_variable all_done;
    int sent = 0, answered = 0, failed = 0, most_connections = 0;
    std::function<void()> send_next = [&] {
      connectors::HttpRequest request;
      request.method = "GET";
      request.url = absl::StrCat("http://127.0.0.1:", port_, "/__sim/health");
      request.deadline = absl::Now() + absl::Seconds(10);
      request.safe_to_repeat = safe_to_repeat;
      client_->Send(std::move(request), [&](connectors::HttpResult result) {
        const auto* response = std::get_if<connectors::HttpResponse>(&result);
        std::lock_guard lock(mutex);
        if (response == nullptr || response->status != 200) ++failed;
        if (++answered == kCalls) all_done.notify_all();
        if (sent < kCalls) {
          ++sent;
          send_next();
        }
      });
    };
    {
      std::lock_guard lock(mutex);
      sent = kInFlight;
    }
    for (int i = 0; i < kInFlight; ++i) send_next();
    std::unique_lock lock(mutex);
    while (!all_done.wait_for(lock, std::chrono::milliseconds(20),
                              [&] { return answered == kCalls; })) {
      lock.unlock();
      const int now = ServerConnections(port_);
      lock.lock();
      most_connections = std::max(most_connections, now);
    }
    return {failed, most_connections};
  }

  // Server-side connections still open once the client had time to close.
  int ConnectionsLeft() {
    int left = ServerConnections(port_);
    for (int i = 0; i < 50 && left > kInFlight; ++i) {
      absl::SleepFor(absl::Milliseconds(20));
      left = ServerConnections(port_);
    }
    return left;
  }

  simulator::loyalclient::LoyalClientSimulator vendor_{simulator::LoadSeed(
      std::string(LOYALTY_SOURCE_DIR) + "/simulators/loyalclient/data/loyalclient-seed.json")};
  std::unique_ptr<connectors::HttpClient> client_ = MakeHttpClient(GetParam());
  int port_ = 0;
};

TEST_P(HttpClientConnections, CallsSentAtMostOnceNeverPileUpIdleConnections) {
  const auto [failed, most] = SendCalls(/*safe_to_repeat=*/false);
  EXPECT_EQ(failed, 0);
  // libcurl: each call had its own connection, closed after its answer (a few
  // more show while the server reads their ends). The broker's client: the
  // calls in flight shared the connections it keeps.
  EXPECT_LE(most, 2 * kInFlight);
  absl::SleepFor(absl::Milliseconds(100));
  if (GetParam() == HttpClientKind::kCurl) {
    EXPECT_EQ(ServerConnections(port_), 0);
  } else {
    const int left = ConnectionsLeft();
    EXPECT_GT(left, 0);
    EXPECT_LE(left, kInFlight);
  }
}

TEST_P(HttpClientConnections, RepeatableCallsShareKeptAliveConnections) {
  const auto [failed, most] = SendCalls(/*safe_to_repeat=*/true);
  EXPECT_EQ(failed, 0);
  EXPECT_LE(most, 2 * kInFlight);
  // Kept for the next calls, not one per call.
  const int left = ConnectionsLeft();
  EXPECT_GT(left, 0);
  EXPECT_LE(left, kInFlight);
}

INSTANTIATE_TEST_SUITE_P(Clients, HttpClientConnections, AllHttpClientKinds(), HttpClientKindName);

}  // namespace
}  // namespace loyalty::contract
