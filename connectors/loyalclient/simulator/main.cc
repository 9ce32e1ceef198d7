// loyalclient-simulator: serves the LoyalClient REST API with real state.

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "connectors/loyalclient/simulator/server.h"

namespace {
loyalty::simulator::loyalclient::LoyalClientSimulator* g_running = nullptr;
void StopOnSignal(int) {
  if (g_running != nullptr) g_running->Stop();
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"LoyalClient simulator"};
  std::string host = "127.0.0.1";
  int port = 8081;
  std::string seed_path;
  app.add_option("--host", host, "address to listen on");
  app.add_option("--port", port, "port to listen on");
  app.add_option("--seed", seed_path, "seed data file (JSON)")->required();
  CLI11_PARSE(app, argc, argv);
  try {
    loyalty::simulator::loyalclient::LoyalClientSimulator simulator(
        loyalty::simulator::loyalclient::LoadSeed(seed_path));
    g_running = &simulator;
    std::signal(SIGTERM, StopOnSignal);
    std::signal(SIGINT, StopOnSignal);
    std::cerr << "loyalclient-simulator listening on " << host << ":" << port << std::endl;
    if (!simulator.Serve(host, port)) {
      std::cerr << "cannot listen on " << host << ":" << port << std::endl;
      return 1;
    }
  } catch (const std::exception& e) {
    std::cerr << "loyalclient-simulator: " << e.what() << std::endl;
    return 1;
  }
  return 0;
}
