#include "broker/metrics/state_collector.h"

#include "broker/common/logging.h"

namespace loyalty::broker {

void StateCollector::CollectOnce() {
  auto sample = state_.Sample();
  if (sample.ok()) {
    metrics_.Record(*sample);
  } else {
    Log(LogLevel::kWarning, "metrics_state_unreadable",
        {{"error", std::string(sample.status().message())}});
  }
}

}  // namespace loyalty::broker
