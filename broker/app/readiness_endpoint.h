#pragma once

// GET /ready over plain HTTP for load balancers that cannot speak
// grpc.health.v1 (HAProxy's httpchk, a Kubernetes readinessProbe): 200
// "SERVING" while the broker's health says so, 503 "NOT_SERVING" while
// PostgreSQL cannot be reached and from the start of a shutdown. GET /live
// answers 200 while the process serves HTTP at all.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace httplib {
class Server;
}

namespace loyalty::broker {

class ReadinessEndpoint {
 public:
  // Listens on `listen` ("host:port"; port 0 picks a free one).
  static absl::StatusOr<std::unique_ptr<ReadinessEndpoint>> Start(const std::string& listen,
                                                                  std::function<bool()> serving);
  ~ReadinessEndpoint();
  ReadinessEndpoint(const ReadinessEndpoint&) = delete;
  ReadinessEndpoint& operator=(const ReadinessEndpoint&) = delete;

  int port() const { return port_; }

 private:
  ReadinessEndpoint(std::unique_ptr<httplib::Server> server, int port);

  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::atomic<bool> listen_returned_{false};
  std::thread thread_;
};

}  // namespace loyalty::broker
