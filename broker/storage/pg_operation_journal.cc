#include "broker/storage/pg_operation_journal.h"

#include <pqxx/pqxx>

#include "broker/storage/queries.h"
#include "broker/storage/sql_values.h"

namespace loyalty::broker {

absl::Status PgOperationJournal::Record(const VendorOperation& op) {
  const std::string purchase = op.purchase_id > 0 ? std::to_string(op.purchase_id) : "";
  const std::string amount = op.amount_minor ? std::to_string(*op.amount_minor) : "";
  const std::string points = op.points_centipoints ? std::to_string(*op.points_centipoints) : "";
  return pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    // The journal records vendor calls for analysis; what a store was
    // promised lives in purchases and holds, written synchronously. A crash
    // may lose the last few milliseconds of journal rows, never an outcome.
    tx.exec0("SET LOCAL synchronous_commit = off");
    tx.exec_prepared0(q::kInsertVendorOperation, op.store_id, op.program_id, op.operation,
                      NullIfEmpty(op.quote_id), NullIfEmpty(purchase), NullIfEmpty(op.hold_id),
                      op.outcome, op.maybe_applied, NullIfEmpty(amount), NullIfEmpty(points),
                      NullIfEmpty(op.vendor_reference), NullIfEmpty(op.decline_field),
                      NullIfEmpty(op.message), op.latency_us, op.started_at_unix_us);
    tx.commit();
    return absl::OkStatus();
  });
}

// The statements this file runs, prepared on every connection (queries.h).
const std::vector<NamedQuery>& JournalQueries() {
  static const std::vector<NamedQuery> kQueries = {
      {q::kInsertVendorOperation,
       "INSERT INTO vendor_operations (store_id, program_id, operation, quote_id, purchase_id, "
       "hold_id, outcome, maybe_applied, amount_minor, points_centipoints, vendor_reference, "
       "decline_field, message, latency_us, started_at) VALUES ($1, $2, $3, $4::uuid, $5, "
       "$6::uuid, $7, $8, $9::bigint, $10::bigint, $11, $12, $13, $14, "
       "to_timestamp($15::double precision / 1000000))"},
  };
  return kQueries;
}

}  // namespace loyalty::broker
