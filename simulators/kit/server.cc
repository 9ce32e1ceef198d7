#include "simulators/kit/server.h"

#include <sys/socket.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>
#include <iostream>

#include "simulators/kit/seed.h"

namespace loyalty::simulator {
namespace {

// Each open connection holds one of these threads, idle or not: as many as
// the broker keeps to one vendor at most (connectors/http, 256). A vendor's
// own server keeps idle connections without a thread each; with 64, idle
// connections left new ones waiting out the keep-alive timeout.
constexpr size_t kThreads = 256;
constexpr size_t kRequestsPerConnection = 1000;
// Connections waiting to be accepted, as vendors' web servers queue them
// (nginx: 511). cpp-httplib 0.11 queues 5: a burst of new connections (every
// booking opens one) overflowed it, and each dropped connection was retried
// by its client a second later.
constexpr int kListenBacklog = 511;
SimulatorServer* g_running = nullptr;

void StopOnSignal(int) {
  if (g_running != nullptr) g_running->Stop();
}

}  // namespace

SimulatorServer::SimulatorServer() {
  // Headers and body leave in separate writes; without this, Nagle's
  // algorithm and the client's delayed ACK add ~40 ms to every kept-alive
  // request.
  server_.set_tcp_nodelay(true);
  // Each kept-alive connection holds a thread; the default 8 would make
  // callers with more connections wait out the keep-alive timeout.
  server_.new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
  // A connection serves many requests, as vendors' web servers do (nginx
  // keeps one for 1000 by default); cpp-httplib's own default of 5 would
  // make every client open a connection every few calls.
  server_.set_keep_alive_max_count(kRequestsPerConnection);
  server_.set_socket_options([this](socket_t sock) {
    httplib::default_socket_options(sock);
    listening_socket_ = sock;
  });
  RegisterFaultRoutes(server_, faults_);
  server_.Get("/__sim/health", [](const httplib::Request&, httplib::Response& res) {
    ReplyJson(res, 200, nlohmann::json{{"status", "ok"}});
  });
}

SimulatorServer::~SimulatorServer() { Stop(); }

int SimulatorServer::Start(const std::string& host, int port) {
  const int bound =
      port == 0 ? server_.bind_to_any_port(host) : (server_.bind_to_port(host, port) ? port : -1);
  if (bound < 0 || !ListenWithBacklog()) return -1;
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return bound;
}

bool SimulatorServer::Serve(const std::string& host, int port) {
  return server_.bind_to_port(host, port) && ListenWithBacklog() && server_.listen_after_bind();
}

bool SimulatorServer::ListenWithBacklog() {
  // Linux takes a second listen() on a listening socket as a new backlog.
  return listening_socket_ >= 0 && ::listen(listening_socket_, kListenBacklog) == 0;
}

void SimulatorServer::Stop() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

int RunSimulatorMain(
    int argc, char** argv, const std::string& name,
    const std::function<std::unique_ptr<SimulatorServer>(const nlohmann::json&)>& make) {
  CLI::App app{name};
  std::string host = "127.0.0.1";
  int port = 8081;
  std::string seed_path;
  app.add_option("--host", host, "address to listen on");
  app.add_option("--port", port, "port to listen on");
  app.add_option("--seed", seed_path, "seed data file (JSON)")->required();
  CLI11_PARSE(app, argc, argv);
  try {
    std::unique_ptr<SimulatorServer> simulator = make(LoadSeed(seed_path));
    g_running = simulator.get();
    std::signal(SIGTERM, StopOnSignal);
    std::signal(SIGINT, StopOnSignal);
    std::cerr << name << " listening on " << host << ":" << port << std::endl;
    if (!simulator->Serve(host, port)) {
      std::cerr << "cannot listen on " << host << ":" << port << std::endl;
      return 1;
    }
  } catch (const std::exception& e) {
    std::cerr << name << ": " << e.what() << std::endl;
    return 1;
  }
  return 0;
}

}  // namespace loyalty::simulator
