#include "broker/storage/pg_operation_journal.h"

#include <optional>
#include <pqxx/pqxx>

#include "broker/storage/queries.h"
#include "broker/storage/sql_values.h"
#include "connectors/core/json_writer.h"

namespace loyalty::broker {

absl::Status PgOperationJournal::RecordAll(const std::vector<VendorOperation>& operations) {
  // Vendor text is untrusted: bytes that are not UTF-8 are replaced.
  connectors::JsonWriter rows;
  rows.BeginArray();
  for (const VendorOperation& op : operations) {
    rows.BeginObject()
        .String("store_id", op.store_id)
        .Int("program_id", op.program_id)
        .String("operation", op.operation)
        .StringOrNull("quote_id", op.quote_id)
        .IntOrNull("purchase_id",
                   op.purchase_id > 0 ? std::optional<int64_t>(op.purchase_id) : std::nullopt)
        .StringOrNull("hold_id", op.hold_id)
        .String("outcome", op.outcome)
        .Bool("maybe_applied", op.maybe_applied)
        .IntOrNull("amount_minor", op.amount_minor)
        .IntOrNull("points_centipoints", op.points_centipoints)
        .StringOrNull("vendor_reference", op.vendor_reference)
        .StringOrNull("decline_field", op.decline_field)
        .StringOrNull("message", op.message)
        .Int("latency_us", op.latency_us)
        .Int("started_at_us", op.started_at_unix_us)
        .EndObject();
  }
  rows.EndArray();
  const std::string& json = rows.str();
  return pool_.Run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    tx.exec_prepared0(q::kInsertVendorOperations, json);
    return absl::OkStatus();
  });
}

// The statements this file runs, prepared on every connection (queries.h).
const std::vector<NamedQuery>& JournalQueries() {
  static const std::vector<NamedQuery> kQueries = {
      // One statement is its own transaction. The journal records vendor
      // calls for analysis; what a store was promised lives in purchases and
      // holds, committed synchronously. So this commit does not wait for the
      // WAL flush (set_config local to the statement's own transaction): a
      // crash may lose the last few milliseconds of journal, never an outcome.
      {q::kInsertVendorOperations,
       "WITH asynchronous AS (SELECT set_config('synchronous_commit', 'off', true)) "
       "INSERT INTO vendor_operations (store_id, program_id, operation, quote_id, purchase_id, "
       "hold_id, outcome, maybe_applied, amount_minor, points_centipoints, vendor_reference, "
       "decline_field, message, latency_us, started_at) "
       "SELECT r.store_id, r.program_id, r.operation, r.quote_id, r.purchase_id, r.hold_id, "
       "r.outcome, r.maybe_applied, r.amount_minor, r.points_centipoints, r.vendor_reference, "
       "r.decline_field, r.message, r.latency_us, "
       "to_timestamp(r.started_at_us::double precision / 1000000) "
       "FROM asynchronous, jsonb_to_recordset($1::jsonb) AS r(store_id text, program_id bigint, "
       "operation text, quote_id uuid, purchase_id bigint, hold_id uuid, outcome text, "
       "maybe_applied boolean, amount_minor bigint, points_centipoints bigint, "
       "vendor_reference text, decline_field text, message text, latency_us bigint, "
       "started_at_us bigint)"},
  };
  return kQueries;
}

}  // namespace loyalty::broker
