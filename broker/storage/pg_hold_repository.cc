#include "broker/storage/pg_hold_repository.h"

#include <pqxx/pqxx>
#include <stdexcept>

#include "broker/common/error_reasons.h"
#include "broker/storage/pg_quote_repository.h"
#include "broker/storage/queries.h"
#include "broker/storage/sql_values.h"

namespace loyalty::broker {
namespace {

void InsertActive(pqxx::work& tx, HoldRecord& hold) {
  hold.hold_id = tx.exec_prepared1(q::kInsertHold, hold.store_id, hold.program_id, hold.quote_id,
                                   hold.vendor_customer_id, hold.amount_centipoints,
                                   std::string(HoldModeName(hold.mode)), hold.expires_at_unix)[0]
                     .as<std::string>();
  hold.state = HoldState::kActive;
}

}  // namespace

absl::Status PgHoldRepository::Insert(HoldRecord& hold) {
  return pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    InsertActive(tx, hold);
    tx.commit();
    return absl::OkStatus();
  });
}

absl::Status PgHoldRepository::InsertLedger(
    HoldRecord& hold, const std::function<absl::Status(const LedgerHeld&)>& check) {
  return pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_prepared(q::kLockLedger, hold.program_id, hold.vendor_customer_id);
    LedgerHeld held;
    const int64_t all = tx.exec_prepared1(q::kActiveHeldAmount, hold.program_id,
                                          hold.vendor_customer_id, nullptr)[0]
                            .as<int64_t>();
    held.by_this_quote = tx.exec_prepared1(q::kActiveHeldAmount, hold.program_id,
                                           hold.vendor_customer_id, hold.quote_id)[0]
                             .as<int64_t>();
    held.by_others = all - held.by_this_quote;
    if (absl::Status allowed = check(held); !allowed.ok()) return allowed;
    InsertActive(tx, hold);
    tx.commit();
    return absl::OkStatus();
  });
}

absl::Status PgHoldRepository::CloseVendorHoldsOf(int64_t program_id,
                                                  const std::string& vendor_customer_id,
                                                  HoldState state) {
  return pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_prepared0(q::kCloseVendorHoldsOf, program_id, vendor_customer_id,
                      std::string(HoldStateName(state)));
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<HoldRecord> PgHoldRepository::Load(const std::string& store_id,
                                                  const std::string& hold_id) {
  if (!LooksLikeUuid(hold_id))
    return ReasonedError(absl::StatusCode::kNotFound, ErrorReason::kHoldNotFound, "hold not found");
  HoldRecord hold;
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);  // one statement: one snapshot, one round trip
    pqxx::result r = tx.exec_prepared(q::kHoldById, hold_id, store_id);
    if (r.empty())
      return ReasonedError(absl::StatusCode::kNotFound, ErrorReason::kHoldNotFound,
                           "hold not found");
    hold.hold_id = r[0]["hold_id"].as<std::string>();
    hold.store_id = r[0]["store_id"].as<std::string>();
    hold.program_id = r[0]["program_id"].as<int64_t>();
    hold.quote_id = r[0]["quote_id"].as<std::string>();
    hold.vendor_customer_id = r[0]["vendor_customer_id"].as<std::string>();
    hold.amount_centipoints = r[0]["amount_centipoints"].as<int64_t>();
    const auto mode = HoldModeFromName(r[0]["mode"].as<std::string>());
    const auto state = HoldStateFromName(r[0]["status"].as<std::string>());
    if (!mode || !state) throw std::runtime_error("holds row in an unknown state");
    hold.mode = *mode;
    hold.state = *state;
    hold.expires_at_unix = r[0]["expires_at_unix"].as<int64_t>();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return hold;
}

absl::StatusOr<bool> PgHoldRepository::Close(const std::string& store_id,
                                             const std::string& hold_id, HoldState state,
                                             int64_t purchase_id) {
  bool closed = false;
  absl::Status result = pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    const char* purchase = nullptr;
    const std::string purchase_text = std::to_string(purchase_id);
    if (purchase_id > 0) purchase = purchase_text.c_str();
    closed = tx.exec_prepared(q::kCloseHold, hold_id, store_id, std::string(HoldStateName(state)),
                              purchase)
                 .affected_rows() > 0;
    tx.commit();
    return absl::OkStatus();
  });
  if (!result.ok()) return result;
  return closed;
}

absl::StatusOr<int64_t> PgHoldRepository::ActiveAmount(int64_t program_id,
                                                       const std::string& vendor_customer_id,
                                                       const std::string& quote_id) {
  int64_t amount = 0;
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);  // one statement: one snapshot, one round trip
    amount = tx.exec_prepared1(q::kActiveHeldAmount, program_id, vendor_customer_id,
                               NullIfEmpty(quote_id))[0]
                 .as<int64_t>();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return amount;
}

absl::StatusOr<int64_t> PgHoldRepository::ExpireDue() {
  int64_t expired = 0;
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    expired = tx.exec_prepared(q::kExpireHolds).affected_rows();
    tx.commit();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return expired;
}

// The statements this file runs, prepared on every connection (queries.h).
const std::vector<NamedQuery>& HoldQueries() {
  static const std::vector<NamedQuery> kQueries = {
      {q::kInsertHold,
       "INSERT INTO holds (store_id, program_id, quote_id, vendor_customer_id, amount_centipoints, "
       "mode, status, expires_at) VALUES ($1, $2, $3::uuid, $4, $5, $6, 'active', "
       "to_timestamp($7)) RETURNING hold_id::text"},
      {q::kHoldById,
       "SELECT hold_id::text AS hold_id, store_id, program_id, quote_id::text AS quote_id, "
       "vendor_customer_id, amount_centipoints, mode, "
       "CASE WHEN status = 'active' AND expires_at <= now() THEN 'expired' ELSE status END "
       "AS status, extract(epoch FROM expires_at)::bigint AS expires_at_unix "
       "FROM holds WHERE hold_id = $1::uuid AND store_id = $2"},
      {q::kCloseHold,
       "UPDATE holds SET status = $3, closed_at = now(), purchase_id = $4 "
       "WHERE hold_id = $1::uuid AND store_id = $2 AND status = 'active'"},
      {q::kActiveHeldAmount,
       "SELECT coalesce(sum(amount_centipoints), 0)::bigint FROM holds "
       "WHERE program_id = $1 AND vendor_customer_id = $2 AND status = 'active' "
       "AND expires_at > now() AND ($3::uuid IS NULL OR quote_id = $3::uuid)"},
      {q::kExpireHolds,
       "UPDATE holds SET status = 'expired', closed_at = now() "
       "WHERE status = 'active' AND expires_at <= now()"},
      {q::kCloseVendorHoldsOf,
       // The vendor keeps one set of holds per point and client: a release
       // or a new operation there drops them all.
       "UPDATE holds SET status = $3, closed_at = now() WHERE program_id = $1 "
       "AND vendor_customer_id = $2 AND mode = 'vendor' AND status = 'active'"},
      {q::kLockLedger,
       // Serialises ledger checks and holds of one customer at one program.
       "SELECT pg_advisory_xact_lock($1, hashtext($2))"},
  };
  return kQueries;
}

}  // namespace loyalty::broker
