// The simulators keep a connection for many requests and queue new
// connections as vendors' web servers do: a benchmark against them would
// otherwise measure connection set-up on every few calls, and connections
// dropped from a full queue and retried a second later, rather than the
// broker's work.

#include <arpa/inet.h>
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

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

// A connection to `port` that asked for one health check, read the answer
// within two seconds and stays open, idle; -1 if it could not.
int IdleKeptAliveConnection(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const std::string ask = "GET /__sim/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  char answer[1024];
  const timeval two_seconds{2, 0};  // an answer later than this is a failure
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &two_seconds, sizeof two_seconds) != 0 ||
      connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      write(fd, ask.data(), ask.size()) != static_cast<ssize_t>(ask.size()) ||
      read(fd, answer, sizeof answer) <= 0) {
    if (fd >= 0) close(fd);
    return -1;
  }
  return fd;
}

// Whether a new connection's health check is answered within `timeout_ms`.
bool AnsweredWithin(int port, long timeout_ms) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> easy(curl_easy_init(), curl_easy_cleanup);
  const std::string url = absl::StrCat("http://127.0.0.1:", port, "/__sim/health");
  curl_easy_setopt(easy.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy.get(), CURLOPT_WRITEFUNCTION, Discard);
  curl_easy_setopt(easy.get(), CURLOPT_TIMEOUT_MS, timeout_ms);
  return curl_easy_perform(easy.get()) == CURLE_OK;
}

// The broker keeps up to 256 connections (connectors/http): idle ones must
// not leave a new connection waiting, as no vendor's server does.
TEST(SimulatorKeepAlive, EverySimulatorAnswersANewConnectionBesideManyIdleOnes) {
  for (auto& simulator : EverySimulator()) {
    const int port = simulator->Start("127.0.0.1", 0);
    ASSERT_GT(port, 0);
    std::vector<int> idle;
    while (idle.size() < 200) {
      const int fd = IdleKeptAliveConnection(port);
      if (fd < 0) break;
      idle.push_back(fd);
    }
    EXPECT_EQ(idle.size(), 200u) << "port " << port;
    EXPECT_TRUE(AnsweredWithin(port, 2000)) << "port " << port;
    for (int fd : idle) close(fd);
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
