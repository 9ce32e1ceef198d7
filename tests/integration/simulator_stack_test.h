#pragma once

// A test suite with one vendor simulator on 127.0.0.1 and the broker in
// process (BrokerStack) serving one store that uses it. `Suite` keeps each
// suite's stack apart; a stack that cannot start fails every test (gtest
// would otherwise skip them).

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "simulators/kit/seed.h"
#include "tests/integration/broker_stack.h"

namespace loyalty::broker::testing {

template <typename Suite, typename Simulator>
class SimulatorStackTest : public ::testing::Test {
 protected:
  // From SetUpTestSuite: starts the simulator from `seed` (a path below
  // connectors/), then the broker with the stores `stores(port)` describes;
  // `secrets` fill their ${NAME}s.
  static void StartStack(const std::string& seed,
                         const std::function<std::string(int port)>& stores,
                         const std::map<std::string, std::string>& secrets,
                         const std::function<void(BrokerConfig&)>& configure = {}) {
    try {
      simulator_ = new Simulator(
          simulator::LoadSeed(std::string(LOYALTY_SOURCE_DIR) + "/simulators/" + seed));
      const int port = simulator_->Start("127.0.0.1", 0);
      if (port <= 0) {
        setup_error_ = "simulator did not start";
        return;
      }
      auto stack = BrokerStack::Start(stores(port), secrets, configure);
      if (!stack.ok()) {
        setup_error_ = stack.status().ToString();
        return;
      }
      stack_ = stack->release();
    } catch (const std::exception& e) {
      setup_error_ = e.what();
    }
  }

  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
    delete simulator_;
    simulator_ = nullptr;
  }

  void SetUp() override { ASSERT_EQ(setup_error_, "") << "the test stack did not start"; }

  // A store API key unique to this run.
  static std::string StoreKey(const std::string& store) {
    return absl::StrCat("store-", store, "-key-", RunId(), "-0123456789");
  }

  static inline Simulator* simulator_ = nullptr;
  static inline BrokerStack* stack_ = nullptr;
  static inline std::string setup_error_;
};

}  // namespace loyalty::broker::testing
