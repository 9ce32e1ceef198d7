#pragma once

// HTTP front of the LoyalClient simulator: the vendor's routes, the apikey
// check, switchable faults, and admin routes under /__sim/ for tests.

#include <httplib.h>

#include <memory>
#include <string>
#include <thread>

#include "connectors/loyalclient/simulator/state.h"
#include "connectors/simulator_kit/faults.h"

namespace loyalty::simulator::loyalclient {

class LoyalClientSimulator {
 public:
  explicit LoyalClientSimulator(const nlohmann::json& seed);
  ~LoyalClientSimulator();

  // Listens on host:port (0 picks a free port) in a background thread.
  // Returns the bound port, or -1.
  int Start(const std::string& host, int port);
  // Serves on the calling thread until Stop().
  bool Serve(const std::string& host, int port);
  void Stop();

  LoyalClientState& state() { return state_; }
  FaultInjector& faults() { return faults_; }

 private:
  void RegisterRoutes();

  LoyalClientState state_;
  FaultInjector faults_;
  httplib::Server server_;
  std::thread thread_;
};

// Reads a seed file; throws std::runtime_error naming the file on failure.
nlohmann::json LoadSeed(const std::string& path);

}  // namespace loyalty::simulator::loyalclient
