// sailplay-simulator: serves the SailPlay purchases API with real state.

#include "simulators/sailplay/server.h"

int main(int argc, char** argv) {
  return loyalty::simulator::RunSimulatorMain(
      argc, argv, "sailplay-simulator", [](const nlohmann::json& seed) {
        return std::make_unique<loyalty::simulator::sailplay::SailPlaySimulator>(seed);
      });
}
