#pragma once

// The Prometheus scrape endpoint (GET /metrics) on its own port, apart from
// gRPC so that scrapes never compete with tills for the gRPC server.

#include <prometheus/exposer.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace loyalty::broker {

class MetricsEndpoint {
 public:
  // Listens on `listen` ("host:port"; port 0 picks a free one); serves
  // `registry`, the process metrics and `collectables` (read at each scrape).
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(
      const std::string& listen, std::shared_ptr<prometheus::Registry> registry,
      std::vector<std::shared_ptr<prometheus::Collectable>> collectables = {});

  int port() const { return port_; }

 private:
  MetricsEndpoint(std::unique_ptr<prometheus::Exposer> exposer, int port)
      : exposer_(std::move(exposer)), port_(port) {}

  std::unique_ptr<prometheus::Exposer> exposer_;
  // The exposer holds its collectables weakly.
  std::vector<std::shared_ptr<prometheus::Collectable>> collectables_;
  int port_ = 0;
};

}  // namespace loyalty::broker
