// The simulators' switchable latency: on every answer, or only on one path
// (a vendor slow to book but quick to quote, as the failover test needs).

#include <gtest/gtest.h>
#include <httplib.h>

#include <string>

#include "absl/time/clock.h"
#include "simulators/kit/seed.h"
#include "simulators/loyalclient/server.h"

namespace loyalty::contract {
namespace {

class SimulatorFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = vendor_.Start("127.0.0.1", 0);
    ASSERT_GT(port_, 0);
  }

  // How long one POST to `path` took to be answered.
  absl::Duration TimeOf(const std::string& path) {
    httplib::Client client("127.0.0.1", port_);
    const absl::Time start = absl::Now();
    const auto result = client.Post(path, "{}", "application/json");
    EXPECT_TRUE(result) << path;
    return absl::Now() - start;
  }

  simulator::loyalclient::LoyalClientSimulator vendor_{simulator::LoadSeed(
      std::string(LOYALTY_SOURCE_DIR) + "/simulators/loyalclient/data/loyalclient-seed.json")};
  int port_ = 0;
};

TEST_F(SimulatorFaults, LatencyOnOnePathLeavesTheOthersQuick) {
  ASSERT_EQ(vendor_.faults().Configure(
                {{"latency_ms", 300}, {"latency_path", "/integration/general/retail"}}),
            "");
  EXPECT_GE(TimeOf("/integration/general/retail"), absl::Milliseconds(300));
  EXPECT_LT(TimeOf("/integration/general/client"), absl::Milliseconds(150));
  ASSERT_EQ(vendor_.faults().Configure({{"latency_ms", 300}}), "");
  EXPECT_GE(TimeOf("/integration/general/client"), absl::Milliseconds(300));
  EXPECT_NE(vendor_.faults().Configure({{"latency_path", 7}}), "");
}

}  // namespace
}  // namespace loyalty::contract
