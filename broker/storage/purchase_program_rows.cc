#include "broker/storage/purchase_program_rows.h"

#include <stdexcept>
#include <string>

#include "broker/storage/queries.h"
#include "broker/storage/sql_values.h"

namespace loyalty::broker {

PurchaseProgramRecord PurchaseProgramFromRow(const pqxx::row& row) {
  PurchaseProgramRecord program;
  program.program_id = row["program_id"].as<int64_t>();
  program.vendor_customer_id = row["vendor_customer_id"].as<std::string>();
  program.spend_centipoints = row["spend_centipoints"].as<int64_t>();
  program.spent_centipoints = row["spent_centipoints"].as<int64_t>();
  program.earned_centipoints = row["earned_centipoints"].as<int64_t>();
  program.vendor_reference = row["vendor_reference"].as<std::string>();
  const std::string state = row["status"].as<std::string>();
  const std::string operation = row["last_operation"].as<std::string>();
  const auto known_state = StateFromName(state);
  const auto known_operation = OperationFromName(operation);
  if (!known_state || !known_operation) {
    throw std::runtime_error("purchase_programs row in an unknown state: " + state + "/" +
                             operation);
  }
  program.state = *known_state;
  program.last_operation = *known_operation;
  program.reason = row["reason"].as<std::string>();
  program.balance_after_centipoints =
      OptionalNumberFromText(row["balance_after_centipoints"].as<std::string>());
  return program;
}

void UpdatePurchaseProgram(pqxx::work& tx, int64_t purchase_id,
                           const PurchaseProgramRecord& program) {
  tx.exec_prepared0(q::kUpdatePurchaseProgram, purchase_id, program.program_id,
                    program.spent_centipoints, program.earned_centipoints,
                    NullIfEmpty(program.vendor_reference), std::string(StateName(program.state)),
                    NullIfEmpty(program.reason), std::string(OperationName(program.last_operation)),
                    program.vendor_customer_id,
                    NullIfEmpty(OptionalNumberText(program.balance_after_centipoints)));
}

// The statements this file runs, prepared on every connection (queries.h).
const std::vector<NamedQuery>& PurchaseProgramQueries() {
  static const std::vector<NamedQuery> kQueries = {
      {q::kUpdatePurchaseProgram,
       "UPDATE purchase_programs SET spent_centipoints = $3, earned_centipoints = $4, "
       "vendor_reference = $5, status = $6, reason = $7, last_operation = $8, "
       "vendor_customer_id = $9, balance_after_centipoints = $10::bigint "
       "WHERE purchase_id = $1 AND program_id = $2"},
      {q::kSumPurchaseEarned,
       "UPDATE purchases SET earned_centipoints = (SELECT coalesce(sum(earned_centipoints), 0) "
       "FROM purchase_programs WHERE purchase_id = $1), updated_at = now() "
       "WHERE purchase_id = $1"},
  };
  return kQueries;
}

}  // namespace loyalty::broker
