// loyalclient-simulator: serves the LoyalClient REST API with real state.

#include "simulators/loyalclient/server.h"

int main(int argc, char** argv) {
  return loyalty::simulator::RunSimulatorMain(
      argc, argv, "loyalclient-simulator", [](const nlohmann::json& seed) {
        return std::make_unique<loyalty::simulator::loyalclient::LoyalClientSimulator>(seed);
      });
}
