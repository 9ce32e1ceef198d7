#include "broker/app/readiness_endpoint.h"

#include <httplib.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace loyalty::broker {

absl::StatusOr<std::unique_ptr<ReadinessEndpoint>> ReadinessEndpoint::Start(
    const std::string& listen, std::function<bool()> serving) {
  const size_t colon = listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("grpc.readiness_listen: expected host:port, got \"", listen, "\""));
  }
  const std::string host = listen.substr(0, colon);
  auto server = std::make_unique<httplib::Server>();
  // Probes come every second or so from a few balancers: one thread is plenty.
  server->new_task_queue = [] { return new httplib::ThreadPool(1); };
  server->Get("/ready", [serving](const httplib::Request&, httplib::Response& response) {
    const bool ready = serving();
    response.status = ready ? 200 : 503;
    response.set_content(ready ? "SERVING\n" : "NOT_SERVING\n", "text/plain");
  });
  server->Get("/live", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("ALIVE\n", "text/plain");
  });
  int bound = port;
  if (port == 0) {
    bound = server->bind_to_any_port(host);
  } else if (!server->bind_to_port(host, port)) {
    bound = -1;
  }
  if (bound <= 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on grpc.readiness_listen ", listen));
  }
  return std::unique_ptr<ReadinessEndpoint>(new ReadinessEndpoint(std::move(server), bound));
}

ReadinessEndpoint::ReadinessEndpoint(std::unique_ptr<httplib::Server> server, int port)
    : server_(std::move(server)), port_(port) {
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    listen_returned_ = true;
  });
  // stop() only reaches a server already listening: wait for it here, not
  // in the destructor (or for a listen that gave up at once).
  while (!server_->is_running() && !listen_returned_) std::this_thread::yield();
}

ReadinessEndpoint::~ReadinessEndpoint() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace loyalty::broker
