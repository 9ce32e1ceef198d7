// The simulators keep a connection for many requests and queue new
// connections as vendors' web servers do: a benchmark against them would
// otherwise measure connection set-up on every few calls, and connections
// dropped from a full queue and retried a second later, rather than the
// broker's work.

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "simulators/artix/server.h"
#include "simulators/kit/seed.h"
#include "simulators/loyalclient/server.h"
#include "simulators/sailplay/server.h"
#include "tests/contract/socket_stats.h"

namespace loyalty::contract {
namespace {

nlohmann::json SeedOf(const std::string& relative) {
  return simulator::LoadSeed(std::string(LOYALTY_SOURCE_DIR) + "/simulators/" + relative);
}

size_t Discard(char*, size_t size, size_t count, void*) { return size * count; }

// Connections one libcurl handle opened for `requests` health checks.
long ConnectionsFor(int port, int requests) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> easy(curl_easy_init(), curl_easy_cleanup);
  const std::string url = absl::StrCat("http://127.0.0.1:", port, "/__sim/health");
  curl_easy_setopt(easy.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy.get(), CURLOPT_WRITEFUNCTION, Discard);
  long connections = 0;
  for (int i = 0; i < requests; ++i) {
    EXPECT_EQ(curl_easy_perform(easy.get()), CURLE_OK);
    long opened = 0;
    curl_easy_getinfo(easy.get(), CURLINFO_NUM_CONNECTS, &opened);
    connections += opened;
  }
  return connections;
}

std::vector<std::unique_ptr<simulator::SimulatorServer>> EverySimulator() {
  std::vector<std::unique_ptr<simulator::SimulatorServer>> simulators;
  simulators.push_back(std::make_unique<simulator::loyalclient::LoyalClientSimulator>(
      SeedOf("loyalclient/data/loyalclient-seed.json")));
  simulators.push_back(std::make_unique<simulator::sailplay::SailPlaySimulator>(
      SeedOf("sailplay/data/sailplay-seed.json")));
  simulators.push_back(
      std::make_unique<simulator::artix::ArtixSimulator>(SeedOf("artix/data/artix-seed.json")));
  return simulators;
}

TEST(SimulatorKeepAlive, EverySimulatorQueuesConnectionsAsAVendorsServerDoes) {
  for (auto& simulator : EverySimulator()) {
    const int port = simulator->Start("127.0.0.1", 0);
    ASSERT_GT(port, 0);
    EXPECT_EQ(ListenBacklog(port), 511) << "port " << port;
  }
}

TEST(SimulatorKeepAlive, EverySimulatorServesManyRequestsOnOneConnection) {
  for (auto& simulator : EverySimulator()) {
    const int port = simulator->Start("127.0.0.1", 0);
    ASSERT_GT(port, 0);
    EXPECT_EQ(ConnectionsFor(port, 50), 1) << "port " << port;
  }
}

}  // namespace
}  // namespace loyalty::contract
