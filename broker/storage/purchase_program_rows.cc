#include "broker/storage/purchase_program_rows.h"

#include <stdexcept>
#include <string>

#include "broker/storage/queries.h"
#include "broker/storage/sql_values.h"
#include "connectors/core/json_writer.h"

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

namespace {

void WriteProgramJson(connectors::JsonWriter& json, const PurchaseProgramRecord& program) {
  json.BeginObject()
      .Int("program_id", program.program_id)
      .StringOrNull("vendor_customer_id", program.vendor_customer_id)
      .Int("spend_centipoints", program.spend_centipoints)
      .Int("spent_centipoints", program.spent_centipoints)
      .Int("earned_centipoints", program.earned_centipoints)
      .StringOrNull("vendor_reference", program.vendor_reference)
      .String("status", StateName(program.state))
      .IntOrNull("balance_after_centipoints", program.balance_after_centipoints)
      .StringOrNull("reason", program.reason)
      .String("last_operation", OperationName(program.last_operation))
      .EndObject();
}

}  // namespace

std::string ProgramsJson(const std::vector<PurchaseProgramRecord>& programs) {
  connectors::JsonWriter json;
  json.BeginArray();
  for (const auto& program : programs) WriteProgramJson(json, program);
  return json.EndArray().Take();
}

std::string IntentProgramsJson(const std::vector<PurchaseProgramRecord>& programs) {
  connectors::JsonWriter json;
  json.BeginArray();
  for (const auto& program : programs) {
    PurchaseProgramRecord asked;
    asked.program_id = program.program_id;
    asked.vendor_customer_id = program.vendor_customer_id;
    asked.spend_centipoints = program.spend_centipoints;
    WriteProgramJson(json, asked);
  }
  return json.EndArray().Take();
}

void UpdatePurchaseProgram(pqxx::work& tx, int64_t purchase_id,
                           const PurchaseProgramRecord& program) {
  connectors::JsonWriter json;
  WriteProgramJson(json, program);
  tx.exec_prepared0(q::kUpdatePurchaseProgram, purchase_id, program.program_id, json.str());
}

// The statements this file runs, prepared on every connection (queries.h).
const std::vector<NamedQuery>& PurchaseProgramQueries() {
  static const std::vector<NamedQuery> kQueries = {
      {q::kUpdatePurchaseProgram,
       // The program's element replaced in place; a purchase without the
       // program is left as it is (as no row was updated before).
       "UPDATE purchases p SET programs = (SELECT jsonb_agg(CASE WHEN "
       "(a.e ->> 'program_id')::bigint = $2 THEN $3::jsonb ELSE a.e END ORDER BY a.n) "
       "FROM jsonb_array_elements(p.programs) WITH ORDINALITY AS a(e, n)) "
       "WHERE p.purchase_id = $1 "
       "AND p.programs @> jsonb_build_array(jsonb_build_object('program_id', $2::bigint))"},
      {q::kSumPurchaseEarned,
       "UPDATE purchases SET earned_centipoints = (SELECT coalesce(sum(earned_centipoints), 0) "
       "FROM purchase_programs WHERE purchase_id = $1), updated_at = now() "
       "WHERE purchase_id = $1"},
  };
  return kQueries;
}

}  // namespace loyalty::broker
