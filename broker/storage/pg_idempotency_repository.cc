#include "broker/storage/pg_idempotency_repository.h"

#include <pqxx/pqxx>
#include <string>

#include "absl/strings/str_cat.h"
#include "broker/common/error_reasons.h"
#include "broker/common/status_details.h"
#include "broker/storage/queries.h"

namespace loyalty::broker {

const char kIdempotencyKeyColumns[] =
    "method, request_hash, state, coalesce(status_code, 0) AS status_code, "
    "coalesce(status_message, '') AS status_message, response, status_details";

absl::StatusOr<IdempotencyClaim> ClaimFromRow(const pqxx::row& row, const std::string& method,
                                              const std::string& request_hash) {
  if (row["method"].as<std::string>() != method ||
      row["request_hash"].as<std::string>() != request_hash) {
    return ReasonedError(absl::StatusCode::kAlreadyExists, ErrorReason::kIdempotencyKeyReused,
                         "idempotency_key: already used for a different request; use a new key");
  }
  IdempotencyClaim claim;
  if (row["state"].as<std::string>() == "in_progress") {
    claim.state = IdempotencyClaim::State::kInProgress;
    return claim;
  }
  claim.state = IdempotencyClaim::State::kReplay;
  const int code = row["status_code"].as<int>();
  claim.status = WithSerializedDetails(
      absl::Status(static_cast<absl::StatusCode>(code), row["status_message"].as<std::string>()),
      row["status_details"].is_null() ? std::string()
                                      : pqxx::binarystring(row["status_details"]).str());
  if (!row["response"].is_null()) claim.response = pqxx::binarystring(row["response"]).str();
  return claim;
}

absl::StatusOr<IdempotencyClaim> PgIdempotencyRepository::Find(const std::string& store_id,
                                                               const std::string& key,
                                                               const std::string& method,
                                                               const std::string& request_hash) {
  absl::StatusOr<IdempotencyClaim> claim = IdempotencyClaim{};  // free unless found
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);  // one statement: one snapshot, one round trip
    pqxx::result rows = tx.exec_prepared(q::kIdempotencyKey, store_id, key);
    if (!rows.empty()) claim = ClaimFromRow(rows[0], method, request_hash);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return claim;
}

absl::Status PgIdempotencyRepository::Forget(const std::string& store_id, const std::string& key) {
  return pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_prepared0(q::kForgetIdempotencyKey, store_id, key);
    tx.commit();
    return absl::OkStatus();
  });
}

// The statements this file runs, prepared on every connection (queries.h).
const std::vector<NamedQuery>& IdempotencyQueries() {
  static const std::string kIdempotencyKeySql =
      absl::StrCat("SELECT ", kIdempotencyKeyColumns,
                   " FROM idempotency_keys WHERE store_id = $1 AND idempotency_key = $2");
  static const std::vector<NamedQuery> kQueries = {
      {q::kIdempotencyKey, kIdempotencyKeySql.c_str()},
      {q::kForgetIdempotencyKey,
       "DELETE FROM idempotency_keys WHERE store_id = $1 AND idempotency_key = $2 "
       "AND state = 'in_progress'"},
  };
  return kQueries;
}

}  // namespace loyalty::broker
