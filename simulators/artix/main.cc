// artix-simulator: serves Artix VirtualPOS /calculatediscount with real state.

#include "simulators/artix/server.h"

int main(int argc, char** argv) {
  return loyalty::simulator::RunSimulatorMain(
      argc, argv, "artix-simulator", [](const nlohmann::json& seed) {
        return std::make_unique<loyalty::simulator::artix::ArtixSimulator>(seed);
      });
}
