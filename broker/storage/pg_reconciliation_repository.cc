#include "broker/storage/pg_reconciliation_repository.h"

#include <pqxx/pqxx>

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
    tx.exec_prepared0(q::kUpdatePurchaseProgram, purchase_id, program.program_id,
                      program.spent_centipoints, program.earned_centipoints,
                      NullIfEmpty(program.vendor_reference), program.status,
                      program.vendor_customer_id,
                      NullIfEmpty(OptionalNumberText(program.balance_after_centipoints)));
    tx.exec_prepared0(q::kSumPurchaseEarned, purchase_id);
    tx.exec_prepared0(q::kUpsertMismatch, purchase_id, program.program_id, "in_doubt_settled", was,
                      vendor_says, true);
    tx.commit();
    return absl::OkStatus();
  });
}

}  // namespace loyalty::broker
