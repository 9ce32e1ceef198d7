#include "broker/metrics/metrics_endpoint.h"

#include "absl/strings/str_cat.h"
#include "broker/metrics/process_collector.h"

namespace loyalty::broker {
namespace {

constexpr char kBrokerVersion[] = LOYALTY_BROKER_VERSION;

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(
    const std::string& listen, std::shared_ptr<prometheus::Registry> registry,
    std::vector<std::shared_ptr<prometheus::Collectable>> collectables) {
  try {
    auto exposer = std::make_unique<prometheus::Exposer>(listen, /*num_threads=*/1);
    exposer->RegisterCollectable(registry);
    collectables.push_back(std::make_shared<ProcessCollector>(kBrokerVersion));
    for (const auto& collectable : collectables) exposer->RegisterCollectable(collectable);
    const auto ports = exposer->GetListeningPorts();
    if (ports.empty())
      return absl::UnavailableError(absl::StrCat("metrics: cannot listen on ", listen));
    const int port = ports.front();
    auto endpoint = std::unique_ptr<MetricsEndpoint>(new MetricsEndpoint(std::move(exposer), port));
    endpoint->collectables_ = std::move(collectables);
    return endpoint;
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("metrics: cannot listen on ", listen, ": ", e.what()));
  }
}

}  // namespace loyalty::broker
