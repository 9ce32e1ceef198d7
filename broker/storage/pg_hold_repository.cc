#include "broker/storage/pg_hold_repository.h"

#include <pqxx/pqxx>

#include "broker/common/error_reasons.h"
#include "broker/storage/pg_quote_repository.h"
#include "broker/storage/queries.h"
#include "broker/storage/sql_values.h"

namespace loyalty::broker {
namespace {

void InsertActive(pqxx::work& tx, HoldRecord& hold) {
  hold.hold_id = tx.exec_prepared1(q::kInsertHold, hold.store_id, hold.program_id, hold.quote_id,
                                   hold.vendor_customer_id, hold.amount_centipoints, hold.mode,
                                   hold.expires_at_unix)[0]
                     .as<std::string>();
  hold.status = "active";
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
                                                  const std::string& status) {
  return pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_prepared0(q::kCloseVendorHoldsOf, program_id, vendor_customer_id, status);
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
    pqxx::read_transaction tx(c);
    pqxx::result r = tx.exec_prepared(q::kHoldById, hold_id, store_id);
    if (r.empty())
      return ReasonedError(absl::StatusCode::kNotFound, ErrorReason::kHoldNotFound,
                           "hold not found");
    hold.hold_id = r[0][0].as<std::string>();
    hold.store_id = r[0][1].as<std::string>();
    hold.program_id = r[0][2].as<int64_t>();
    hold.quote_id = r[0][3].as<std::string>();
    hold.vendor_customer_id = r[0][4].as<std::string>();
    hold.amount_centipoints = r[0][5].as<int64_t>();
    hold.mode = r[0][6].as<std::string>();
    hold.status = r[0][7].as<std::string>();
    hold.expires_at_unix = r[0][8].as<int64_t>();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return hold;
}

absl::StatusOr<bool> PgHoldRepository::Close(const std::string& store_id,
                                             const std::string& hold_id, const std::string& status,
                                             int64_t purchase_id) {
  bool closed = false;
  absl::Status result = pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    const char* purchase = nullptr;
    const std::string purchase_text = std::to_string(purchase_id);
    if (purchase_id > 0) purchase = purchase_text.c_str();
    closed =
        tx.exec_prepared(q::kCloseHold, hold_id, store_id, status, purchase).affected_rows() > 0;
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
    pqxx::read_transaction tx(c);
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

}  // namespace loyalty::broker
