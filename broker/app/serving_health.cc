#include "broker/app/serving_health.h"

#include <grpcpp/health_check_service_interface.h>

#include <pqxx/pqxx>

#include "absl/time/clock.h"
#include "broker/common/call_deadline.h"
#include "broker/common/logging.h"

namespace loyalty::broker {

ServingHealth::ServingHealth(grpc::HealthCheckServiceInterface& health, ConnectionPool& pool,
                             absl::Duration interval)
    : health_(health), pool_(pool) {
  probe_ = std::make_unique<PeriodicTask>(interval, [this] { Probe(); });
}

ServingHealth::~ServingHealth() { probe_.reset(); }

void ServingHealth::Start() {
  Set(true);  // the broker just reached PostgreSQL to start; the probe watches from here
  probe_->Start();
}

void ServingHealth::BeginShutdown() {
  shutting_down_ = true;
  probe_->Stop();
  Set(false);
}

void ServingHealth::Probe() {
  if (shutting_down_) return;
  // A server that hangs is as down as one that refuses: a second at most.
  CallDeadlineScope deadline(absl::Now() + absl::Seconds(1));
  const absl::Status reached = pool_.Run([](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    tx.exec("SELECT 1");
    return absl::OkStatus();
  });
  if (!shutting_down_) Set(reached.ok());
}

void ServingHealth::Set(bool serving) {
  health_.SetServingStatus(kBrokerServiceName, serving);
  health_.SetServingStatus(serving);  // "" and every service named so far
  if (serving_.exchange(serving) != serving) {
    Log(serving ? LogLevel::kInfo : LogLevel::kWarning, "health_changed",
        {{"serving", serving ? "true" : "false"},
         {"why", shutting_down_ ? "shutting down"
                 : serving      ? "database answers"
                                : "database unreachable"}});
  }
}

}  // namespace loyalty::broker
