#include "broker/storage/pg_purchase_repository.h"

#include <pqxx/pqxx>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "broker/common/error_reasons.h"
#include "broker/common/status_details.h"
#include "broker/storage/purchase_program_rows.h"
#include "broker/storage/queries.h"
#include "broker/storage/quote_rows.h"
#include "broker/storage/sql_values.h"
#include "connectors/core/json_writer.h"

namespace loyalty::broker {
absl::StatusOr<bool> PgPurchaseRepository::WriteIntent(PurchaseRecord& p, const KeyClaim& claim) {
  return intents_.Write(p, claim);
}

absl::Status PgPurchaseRepository::WriteOutcome(const PurchaseRecord& p,
                                                const std::optional<StoredAnswer>& answer,
                                                const std::vector<OutboxEntry>& outbox) {
  // Vendor text is untrusted: bytes that are not UTF-8 are replaced.
  connectors::JsonWriter programs;
  connectors::JsonWriter dropped_holds;
  programs.BeginArray();
  dropped_holds.BeginArray();
  for (const auto& prog : p.programs) {
    if (prog.dropped_vendor_holds) {
      dropped_holds.BeginObject()
          .Int("program_id", prog.program_id)
          .String("vendor_customer_id", prog.vendor_customer_id)
          .EndObject();
    }
    programs.BeginObject()
        .Int("program_id", prog.program_id)
        .Int("spent_centipoints", prog.spent_centipoints)
        .Int("earned_centipoints", prog.earned_centipoints)
        .StringOrNull("vendor_reference", prog.vendor_reference)
        .String("status", StateName(prog.state))
        .StringOrNull("reason", prog.reason)
        .String("last_operation", OperationName(prog.last_operation))
        .String("vendor_customer_id", prog.vendor_customer_id)
        .IntOrNull("balance_after_centipoints", prog.balance_after_centipoints)
        .EndObject();
  }
  connectors::JsonWriter steps;
  steps.BeginArray();
  for (const auto& entry : outbox) {
    steps.BeginObject()
        .Int("program_id", entry.program_id)
        .String("operation", OutboxStepName(entry.step))
        .EndObject();
  }
  const std::string programs_json = programs.EndArray().Take();
  const std::string steps_json = steps.EndArray().Take();
  const std::string dropped_json = dropped_holds.EndArray().Take();
  const std::string state = std::string(PurchaseStateName(p.state));
  const std::string key = answer ? answer->idempotency_key : std::string();
  const std::string message = answer ? std::string(answer->status.message()) : std::string();
  const std::string details = answer ? SerializedDetails(answer->status) : std::string();
  const std::string response = answer ? answer->response : std::string();
  const int code = answer ? static_cast<int>(answer->status.code()) : 0;
  return pool_.Run([&](pqxx::connection& c) {
    // One statement: its own transaction, committed synchronously before
    // the answer leaves.
    pqxx::nontransaction tx(c);
    tx.exec_prepared0(q::kWriteOutcome, p.purchase_id, state, p.spent_centipoints, p.paid_minor,
                      p.earned_centipoints, NullIfEmpty(p.failure_reason), programs_json,
                      steps_json, p.store_id, NullIfEmpty(key), code, message,
                      pqxx::binarystring(response), pqxx::binarystring(details), dropped_json);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<StalePurchase>> PgPurchaseRepository::StalePending(absl::Duration age) {
  std::vector<StalePurchase> orders;
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);  // one statement: one snapshot, one round trip
    for (const auto& r : tx.exec_prepared(q::kStalePendingPurchases, absl::ToDoubleSeconds(age))) {
      orders.push_back({r[0].as<int64_t>(), r[1].as<std::string>(), r[2].as<std::string>()});
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return orders;
}

absl::StatusOr<bool> PgPurchaseRepository::ClaimStale(int64_t purchase_id, absl::Duration age) {
  bool claimed = false;
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    claimed =
        !tx.exec_prepared(q::kClaimStalePurchase, purchase_id, absl::ToDoubleSeconds(age)).empty();
    tx.commit();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return claimed;
}

absl::StatusOr<std::optional<int64_t>> PgPurchaseRepository::ClaimBusy(
    const std::string& store_id, const std::string& order_number, const std::string& operation,
    absl::Duration lease) {
  std::optional<int64_t> claimed;
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    pqxx::result r = tx.exec_prepared(q::kClaimPurchaseBusy, store_id, order_number, operation,
                                      absl::ToDoubleSeconds(lease));
    if (!r.empty()) claimed = r[0][0].as<int64_t>();
    tx.commit();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return claimed;
}

absl::Status PgPurchaseRepository::ReleaseBusy(int64_t purchase_id) {
  return pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_prepared0(q::kReleasePurchaseBusy, purchase_id);
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<PurchaseRecord> PgPurchaseRepository::LoadByOrder(const std::string& store_id,
                                                                 const std::string& order_number) {
  PurchaseRecord p;
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    pqxx::result head = tx.exec_prepared(q::kPurchaseByOrder, store_id, order_number);
    if (head.empty())
      return ReasonedError(absl::StatusCode::kNotFound, ErrorReason::kPurchaseNotFound,
                           "purchase not found");
    const pqxx::row& h = head[0];
    p.purchase_id = h["purchase_id"].as<int64_t>();
    p.store_id = store_id;
    p.order_number = h["order_number"].as<std::string>();
    p.quote_id = h["quote_id"].as<std::string>();
    p.idempotency_key = h["idempotency_key"].as<std::string>();
    const auto state = PurchaseStateFromName(h["status"].as<std::string>());
    if (!state) throw std::runtime_error("purchases row in an unknown state");
    p.state = *state;
    p.total_before_minor = h["total_before_minor"].as<int64_t>();
    p.discount_minor = h["discount_minor"].as<int64_t>();
    p.total_minor = h["total_minor"].as<int64_t>();
    p.spent_centipoints = h["spent_centipoints"].as<int64_t>();
    p.paid_minor = h["paid_minor"].as<int64_t>();
    p.earned_centipoints = h["earned_centipoints"].as<int64_t>();
    p.failure_reason = h["failure_reason"].as<std::string>();
    p.created_at_unix = h["created_at_unix"].as<int64_t>();
    p.updated_at_unix = h["updated_at_unix"].as<int64_t>();
    p.lines = LinesFromJson(h["lines"].as<std::string>(), h["line_discounts"].as<std::string>());
    for (const auto& r : tx.exec_prepared(q::kPurchasePrograms, p.purchase_id)) {
      p.programs.push_back(PurchaseProgramFromRow(r));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return p;
}

// The statements this file runs, prepared on every connection (queries.h).
const std::vector<NamedQuery>& PurchaseQueries() {
  static const std::vector<NamedQuery> kQueries = {
      {q::kClaimPurchaseBusy,
       // One operation at a time per purchase; a lease that ran out means
       // its holder died and the purchase is free again.
       "UPDATE purchases SET busy_with = $3, busy_until = now() + make_interval(secs => $4) "
       "WHERE store_id = $1 AND order_number = $2 AND (busy_until IS NULL OR busy_until < now()) "
       "RETURNING purchase_id"},
      {q::kReleasePurchaseBusy,
       "UPDATE purchases SET busy_with = NULL, busy_until = NULL WHERE purchase_id = $1"},
      // The outcome, in one statement: the purchase, its programs, the steps
      // left to the outbox and the stored answer ($10 NULL: none). A
      // purchase that went through consumes the holds linked to it, also one
      // that ran out while the purchase was being recovered. The programs in
      // $15 dropped the customer's other vendor holds: those are released
      // (every active one the first update does not consume, so no row is
      // updated twice).
      {q::kWriteOutcome,
       "WITH consumed AS (UPDATE holds SET status = 'consumed', closed_at = now() "
       "WHERE purchase_id = $1 AND status IN ('active', 'expired') "
       "AND $2::text IN ('booked', 'confirmed')), "
       "released AS (UPDATE holds SET status = 'released', closed_at = now() "
       "WHERE mode = 'vendor' AND status = 'active' "
       "AND (purchase_id IS DISTINCT FROM $1 OR $2::text NOT IN ('booked', 'confirmed')) "
       "AND (program_id, vendor_customer_id) IN (SELECT r.program_id, r.vendor_customer_id "
       "FROM jsonb_to_recordset($15::jsonb) AS r(program_id bigint, vendor_customer_id text))), "
       "programs AS (UPDATE purchase_programs pp SET spent_centipoints = r.spent_centipoints, "
       "earned_centipoints = r.earned_centipoints, vendor_reference = r.vendor_reference, "
       "status = r.status, reason = r.reason, last_operation = r.last_operation, "
       "vendor_customer_id = r.vendor_customer_id, "
       "balance_after_centipoints = r.balance_after_centipoints "
       "FROM jsonb_to_recordset($7::jsonb) AS r(program_id bigint, spent_centipoints bigint, "
       "earned_centipoints bigint, vendor_reference text, status text, reason text, "
       "last_operation text, vendor_customer_id text, balance_after_centipoints bigint) "
       "WHERE pp.purchase_id = $1 AND pp.program_id = r.program_id), "
       "steps AS (INSERT INTO outbox (purchase_id, program_id, operation) "
       "SELECT $1, r.program_id, r.operation "
       "FROM jsonb_to_recordset($8::jsonb) AS r(program_id bigint, operation text)), "
       "answer AS (UPDATE idempotency_keys SET state = 'completed', status_code = $11, "
       "status_message = $12, response = $13, status_details = $14, completed_at = now() "
       "WHERE store_id = $9 AND idempotency_key = $10) "
       "UPDATE purchases SET status = $2, spent_centipoints = $3, paid_minor = $4, "
       "earned_centipoints = $5, failure_reason = $6, updated_at = now(), busy_with = NULL, "
       "busy_until = NULL WHERE purchase_id = $1"},
      {q::kPurchaseByOrder,
       "SELECT purchase_id, order_number, quote_id::text AS quote_id, idempotency_key, status, "
       "total_before_minor, discount_minor, total_minor, spent_centipoints, paid_minor, "
       "earned_centipoints, coalesce(failure_reason, '') AS failure_reason, "
       "extract(epoch FROM created_at)::bigint AS created_at_unix, "
       "extract(epoch FROM updated_at)::bigint AS updated_at_unix, "
       "lines::text AS lines, line_discounts::text AS line_discounts FROM purchases "
       "WHERE store_id = $1 AND order_number = $2"},
      {q::kPurchasePrograms,
       "SELECT program_id, coalesce(vendor_customer_id, '') AS vendor_customer_id, "
       "spend_centipoints, spent_centipoints, earned_centipoints, "
       "coalesce(vendor_reference, '') AS vendor_reference, status, "
       "coalesce(reason, '') AS reason, last_operation, "
       "coalesce(balance_after_centipoints::text, '') AS balance_after_centipoints "
       "FROM purchase_programs "
       "WHERE purchase_id = $1 ORDER BY program_id"},
      {q::kStalePendingPurchases,
       // Pending longer than any commit may run: its broker died mid-commit.
       "SELECT purchase_id, store_id, order_number FROM purchases WHERE status = 'pending' "
       "AND updated_at < now() - make_interval(secs => $1) ORDER BY purchase_id LIMIT 100"},
      {q::kClaimStalePurchase,
       // Moves updated_at on, so another replica's recovery leaves it alone.
       "UPDATE purchases SET updated_at = now() WHERE purchase_id = $1 AND status = 'pending' "
       "AND updated_at < now() - make_interval(secs => $2) RETURNING purchase_id"},
  };
  return kQueries;
}

}  // namespace loyalty::broker
