#pragma once

// HTTP front of the SailPlay simulator: the document's routes (GET with query
// parameters; POST with a form body is accepted too) and admin routes under
// /__sim/ for tests.

#include <nlohmann/json.hpp>

#include "simulators/kit/server.h"
#include "simulators/sailplay/state.h"

namespace loyalty::simulator::sailplay {

class SailPlaySimulator final : public SimulatorServer {
 public:
  explicit SailPlaySimulator(const nlohmann::json& seed);
  // Stops serving before the state goes: handlers may still be running.
  ~SailPlaySimulator() override { Stop(); }

  SailPlayState& state() { return state_; }

 private:
  void RegisterRoutes();

  SailPlayState state_;
};

}  // namespace loyalty::simulator::sailplay
