#pragma once

// The HTTP side every vendor simulator shares: the listening server on its
// own thread, switchable faults (/__sim/faults) and /__sim/health. A vendor
// simulator adds its routes to http() in its constructor, and calls Stop() in
// its destructor so that no handler runs on its state once that is gone.

#include <httplib.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "simulators/kit/faults.h"

namespace loyalty::simulator {

class SimulatorServer {
 public:
  SimulatorServer();
  virtual ~SimulatorServer();
  SimulatorServer(const SimulatorServer&) = delete;
  SimulatorServer& operator=(const SimulatorServer&) = delete;

  // Listens on host:port (0 picks a free port) in a background thread.
  // Returns the bound port, or -1.
  int Start(const std::string& host, int port);
  // Serves on the calling thread until Stop().
  bool Serve(const std::string& host, int port);
  void Stop();

  FaultInjector& faults() { return faults_; }

 protected:
  httplib::Server& http() { return server_; }

 private:
  FaultInjector faults_;
  // Listens again with a vendor's backlog (kListenBacklog): cpp-httplib
  // listens with a backlog of 5 once it has bound.
  bool ListenWithBacklog();

  httplib::Server server_;
  int listening_socket_ = -1;
  std::thread thread_;
};

// main() of a simulator binary: --host, --port, --seed; serves until SIGTERM.
int RunSimulatorMain(
    int argc, char** argv, const std::string& name,
    const std::function<std::unique_ptr<SimulatorServer>(const nlohmann::json&)>& make);

}  // namespace loyalty::simulator
