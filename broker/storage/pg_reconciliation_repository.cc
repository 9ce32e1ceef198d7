#include "broker/storage/pg_reconciliation_repository.h"

#include <pqxx/pqxx>

#include "broker/storage/purchase_program_rows.h"
#include "broker/storage/queries.h"
#include "broker/storage/sql_values.h"

namespace loyalty::broker {

absl::StatusOr<std::vector<ReconciliationRepository::Due>> PgReconciliationRepository::ClaimDue(
    absl::Duration window, absl::Duration every, int limit) {
  std::vector<Due> due;
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    for (const auto& r : tx.exec_prepared(q::kClaimReconcileBatch, absl::ToDoubleSeconds(window),
                                          absl::ToDoubleSeconds(every), limit)) {
      due.push_back({r[0].as<std::string>(), r[1].as<std::string>()});
    }
    tx.commit();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return due;
}

absl::Status PgReconciliationRepository::RecordComparison(int64_t purchase_id, int64_t program_id,
                                                          const std::vector<Mismatch>& found) {
  return pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    std::string kinds = "{";
    for (const Mismatch& m : found) {
      tx.exec_prepared0(q::kUpsertMismatch, purchase_id, program_id, m.kind, m.broker_value,
                        m.vendor_value, false);
      if (kinds.size() > 1) kinds += ",";
      kinds += m.kind;  // kinds are fixed identifiers: no quoting needed
    }
    kinds += "}";
    tx.exec_prepared0(q::kResolveMismatches, purchase_id, program_id, kinds);
    tx.commit();
    return absl::OkStatus();
  });
}

absl::Status PgReconciliationRepository::Settle(int64_t purchase_id,
                                                const PurchaseProgramRecord& program,
                                                const std::string& was,
                                                const std::string& vendor_says) {
  return pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    UpdatePurchaseProgram(tx, purchase_id, program);
    tx.exec_prepared0(q::kSumPurchaseEarned, purchase_id);
    tx.exec_prepared0(q::kUpsertMismatch, purchase_id, program.program_id, "in_doubt_settled", was,
                      vendor_says, true);
    tx.commit();
    return absl::OkStatus();
  });
}

// The statements this file runs, prepared on every connection (queries.h).
const std::vector<NamedQuery>& ReconciliationQueries() {
  static const std::vector<NamedQuery> kQueries = {
      {q::kClaimReconcileBatch,
       // Purchases of the window due for a comparison, oldest compared first;
       // bookings in doubt whatever their age. SKIP LOCKED: replicas share.
       "UPDATE purchases SET reconciled_at = now() WHERE purchase_id IN ("
       "SELECT p.purchase_id FROM purchases p WHERE p.purchase_id IN ("
       "SELECT purchase_id FROM purchases WHERE programs @> '[{\"status\": \"in_doubt\"}]' "
       "UNION SELECT purchase_id FROM purchases WHERE status IN ('booked', 'confirmed', "
       "'cancelled') AND updated_at > now() - make_interval(secs => $1)) "
       "AND (p.reconciled_at IS NULL OR p.reconciled_at < now() - make_interval(secs => $2)) "
       "AND (p.busy_until IS NULL OR p.busy_until < now()) "
       "ORDER BY p.reconciled_at NULLS FIRST, p.purchase_id LIMIT $3 "
       "FOR UPDATE SKIP LOCKED) RETURNING store_id, order_number"},
      {q::kUpsertMismatch,
       "INSERT INTO reconciliation_mismatches (purchase_id, program_id, kind, broker_value, "
       "vendor_value, resolved_at) VALUES ($1, $2, $3, $4, $5, "
       "CASE WHEN $6::boolean THEN now() END) "
       "ON CONFLICT (purchase_id, program_id, kind) DO UPDATE SET "
       "broker_value = EXCLUDED.broker_value, vendor_value = EXCLUDED.vendor_value, "
       "resolved_at = EXCLUDED.resolved_at"},
      {q::kResolveMismatches,
       // Kinds this comparison no longer finds ($3: the kinds it found).
       "UPDATE reconciliation_mismatches SET resolved_at = now() WHERE purchase_id = $1 "
       "AND program_id = $2 AND resolved_at IS NULL AND kind <> ALL ($3::text[])"},
  };
  return kQueries;
}

}  // namespace loyalty::broker
