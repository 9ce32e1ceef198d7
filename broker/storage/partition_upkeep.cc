#include "broker/storage/partition_upkeep.h"

#include <pqxx/pqxx>

namespace loyalty::broker {
namespace {

// lock_timeout ran out (migration 0023's 200 ms).
constexpr char kLockNotAvailable[] = "55P03";

}  // namespace

absl::StatusOr<PartitionUpkeep::Done> PartitionUpkeep::RunOnce() {
  Done done;
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    try {
      const pqxx::row row =
          tx.exec_params1("SELECT created, dropped FROM loyalty_maintain_partitions($1, $2, $3)",
                          retention_.days_ahead, retention_.quote_days, retention_.journal_days);
      done.created = row[0].as<int>();
      done.dropped = row[1].as<int>();
    } catch (const pqxx::sql_error& e) {
      if (e.sqlstate() != kLockNotAvailable) throw;
      done.gave_way = true;  // nothing was changed: the transaction rolls back
      return absl::OkStatus();
    }
    tx.commit();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return done;
}

}  // namespace loyalty::broker
