#pragma once

// HTTP front of the LoyalClient simulator: the vendor's routes, the apikey
// check, and admin routes under /__sim/ for tests.

#include <nlohmann/json.hpp>

#include "simulators/kit/server.h"
#include "simulators/loyalclient/state.h"

namespace loyalty::simulator::loyalclient {

class LoyalClientSimulator final : public SimulatorServer {
 public:
  explicit LoyalClientSimulator(const nlohmann::json& seed);
  // Stops serving before the state goes: handlers may still be running.
  ~LoyalClientSimulator() override { Stop(); }

  LoyalClientState& state() { return state_; }

 private:
  void RegisterRoutes();

  LoyalClientState state_;
};

}  // namespace loyalty::simulator::loyalclient
