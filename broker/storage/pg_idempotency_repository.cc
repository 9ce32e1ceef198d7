#include "broker/storage/pg_idempotency_repository.h"

#include <pqxx/pqxx>

#include "broker/common/error_reasons.h"
#include "broker/common/status_details.h"
#include "broker/storage/queries.h"

namespace loyalty::broker {

absl::StatusOr<IdempotencyClaim> PgIdempotencyRepository::Claim(const std::string& store_id,
                                                                const std::string& key,
                                                                const std::string& method,
                                                                const std::string& request_hash) {
  IdempotencyClaim claim;
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    const bool inserted =
        tx.exec_prepared(q::kClaimIdempotencyKey, store_id, key, method, request_hash)
            .affected_rows() > 0;
    if (inserted) {
      tx.commit();
      claim.state = IdempotencyClaim::State::kClaimed;
      return absl::OkStatus();
    }
    pqxx::row row = tx.exec_prepared1(q::kIdempotencyKey, store_id, key);
    tx.commit();
    if (row[0].as<std::string>() != method || row[1].as<std::string>() != request_hash) {
      return ReasonedError(absl::StatusCode::kAlreadyExists, ErrorReason::kIdempotencyKeyReused,
                           "idempotency_key: already used for a different request; use a new key");
    }
    if (row[2].as<std::string>() == "in_progress") {
      claim.state = IdempotencyClaim::State::kInProgress;
      return absl::OkStatus();
    }
    claim.state = IdempotencyClaim::State::kReplay;
    const int code = row[3].as<int>();
    claim.status = WithSerializedDetails(
        absl::Status(static_cast<absl::StatusCode>(code), row[4].as<std::string>()),
        row[6].is_null() ? std::string() : pqxx::binarystring(row[6]).str());
    if (!row[5].is_null()) claim.response = pqxx::binarystring(row[5]).str();
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

}  // namespace loyalty::broker
