#pragma once

// Keeps the day partitions of quotes and the vendor journal (migration 0012):
// days ahead created, days past retention dropped. The work is the database
// function loyalty_maintain_partitions; several replicas may call it, one
// does the work.

#include "absl/status/statusor.h"
#include "broker/config/config.h"
#include "broker/storage/pool.h"

namespace loyalty::broker {

class PartitionUpkeep {
 public:
  PartitionUpkeep(ConnectionPool& pool, const BrokerConfig::Retention& retention)
      : pool_(pool), retention_(retention) {}

  struct Done {
    int created = 0;
    int dropped = 0;
    // The pass waited its 200 ms for a table that commits were using, and
    // left the work to the next pass (migration 0023).
    bool gave_way = false;
  };
  absl::StatusOr<Done> RunOnce();

 private:
  ConnectionPool& pool_;
  const BrokerConfig::Retention retention_;
};

}  // namespace loyalty::broker
