#include "broker/metrics/state_collector.h"

#include <pqxx/pqxx>

#include "broker/common/logging.h"
#include "broker/storage/queries.h"

namespace loyalty::broker {

absl::StatusOr<CheckoutStateSample> StateCollector::Sample() {
  CheckoutStateSample sample;
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    for (const auto& row : tx.exec_prepared(q::kActiveHoldsByProgram)) {
      sample.holds.push_back(
          {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<int64_t>()});
    }
    for (const auto& row : tx.exec_prepared(q::kOutboxBacklog)) {
      sample.outbox.push_back({row[0].as<std::string>(), row[1].as<std::string>(),
                               row[2].as<int64_t>(), row[3].as<double>()});
    }
    for (const auto& row : tx.exec_prepared(q::kOpenMismatchesByProgram)) {
      sample.mismatches.push_back(
          {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<int64_t>()});
    }
    const pqxx::row purchases = tx.exec_prepared1(q::kUnfinishedPurchases);
    sample.purchases_pending = purchases[0].as<int64_t>();
    sample.purchases_in_doubt = purchases[1].as<int64_t>();
    sample.oldest_pending_seconds = purchases[2].as<double>();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return sample;
}

void StateCollector::CollectOnce() {
  auto sample = Sample();
  if (sample.ok()) {
    metrics_.Record(*sample);
  } else {
    Log(LogLevel::kWarning, "metrics_state_unreadable",
        {{"error", std::string(sample.status().message())}});
  }
}

}  // namespace loyalty::broker
