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

}  // namespace loyalty::broker
