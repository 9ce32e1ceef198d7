#pragma once

// HTTP front of the Artix VirtualPOS simulator: POST /calculatediscount (no
// authentication, as on the retailer's network) and admin routes under
// /__sim/ for tests.

#include <nlohmann/json.hpp>

#include "simulators/artix/state.h"
#include "simulators/kit/server.h"

namespace loyalty::simulator::artix {

class ArtixSimulator final : public SimulatorServer {
 public:
  explicit ArtixSimulator(const nlohmann::json& seed);
  // Stops serving before the state goes: handlers may still be running.
  ~ArtixSimulator() override { Stop(); }

  ArtixState& state() { return state_; }

 private:
  void RegisterRoutes();

  ArtixState state_;
};

}  // namespace loyalty::simulator::artix
