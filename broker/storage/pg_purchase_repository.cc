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
namespace {

// Raised by loyalty_intent_gives_way() (migration 0014).
constexpr char kIntentGivesWay[] = "LY001";

}  // namespace

absl::StatusOr<bool> PgPurchaseRepository::WriteIntent(PurchaseRecord& p, const KeyClaim& claim) {
  connectors::JsonWriter programs;
  programs.BeginArray();
  for (const auto& prog : p.programs) {
    programs.BeginObject()
        .Int("program_id", prog.program_id)
        .StringOrNull("vendor_customer_id", prog.vendor_customer_id)
        .Int("spend_centipoints", prog.spend_centipoints)
        .EndObject();
  }
  const std::string programs_json = programs.EndArray().Take();
  connectors::JsonWriter holds;
  holds.BeginArray();
  for (const std::string& hold_id : p.hold_ids) holds.String(hold_id);
  const std::string holds_json = holds.EndArray().Take();
  // Its lines as its quote priced them, kept in its row (migration 0016).
  const LinesAsJson lines = LinesJson(p.lines);
  bool claimed = false;
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    // The usual intent, one statement on its own: one round trip and one
    // synchronous commit. A claim without a purchase undoes itself and
    // comes down to the transaction below, which decides the answer.
    try {
      pqxx::nontransaction alone(c);
      const pqxx::row intent = alone.exec_prepared1(
          q::kWriteIntentAlone, p.store_id, p.order_number, p.quote_id, p.idempotency_key,
          claim.method, claim.request_hash, p.total_before_minor, p.discount_minor, p.total_minor,
          p.spent_centipoints, p.paid_minor, lines.lines, programs_json, holds_json,
          lines.discounts);
      claimed = intent["claimed"].as<bool>();
      if (!claimed) return absl::OkStatus();  // nothing written
      p.purchase_id = intent["purchase_id"].as<int64_t>();
      p.state = PurchaseState::kPending;
      return absl::OkStatus();
    } catch (const pqxx::sql_error& e) {
      if (e.sqlstate() != kIntentGivesWay) throw;
    }
    pqxx::work tx(c);
    // The same intent in a transaction, which rolls the claim back where no
    // purchase is written.
    const pqxx::row intent = tx.exec_prepared1(
        q::kWriteIntent, p.store_id, p.order_number, p.quote_id, p.idempotency_key, claim.method,
        claim.request_hash, p.total_before_minor, p.discount_minor, p.total_minor,
        p.spent_centipoints, p.paid_minor, lines.lines, programs_json, holds_json, lines.discounts);
    claimed = intent["claimed"].as<bool>();
    if (!claimed) return absl::OkStatus();  // nothing written: the transaction rolls back
    // A quote backs one purchase (a unique index is the backstop for races).
    if (!intent["other_order"].is_null()) {
      const std::string other = intent["other_order"].as<std::string>();
      return ReasonedError(absl::StatusCode::kFailedPrecondition,
                           ErrorReason::kQuoteAlreadyCommitted,
                           absl::StrCat("quote_id: the quote is already committed as order ", other,
                                        "; quote the cart again"),
                           {{"order_number", other}});
    }
    if (!intent["purchase_id"].is_null()) {
      p.purchase_id = intent["purchase_id"].as<int64_t>();
      p.state = PurchaseState::kPending;
      tx.commit();
      return absl::OkStatus();
    }
    // The order number is taken: an earlier attempt that failed gives way
    // to this one, anything else is refused.
    pqxx::result inserted =
        tx.exec_prepared(q::kRetryPurchase, p.store_id, p.order_number, p.quote_id,
                         p.idempotency_key, p.total_before_minor, p.discount_minor, p.total_minor,
                         p.spent_centipoints, p.paid_minor, lines.lines, lines.discounts);
    if (inserted.empty()) {
      pqxx::result existing =
          tx.exec_prepared(q::kPurchaseStatusByOrder, p.store_id, p.order_number);
      const std::string status = existing.empty() ? "" : existing[0][0].as<std::string>();
      if (status == "pending") {
        return ReasonedError(
            absl::StatusCode::kAborted, ErrorReason::kRequestInProgress,
            absl::StrCat("order_number: ", p.order_number, " is being committed right now"),
            {{"order_number", p.order_number}});
      }
      if (status == "failed" || status == "declined") {
        return ReasonedError(absl::StatusCode::kAborted, ErrorReason::kPurchaseBusy,
                             absl::StrCat("order_number: ", p.order_number,
                                          " is still being undone at a vendor; try again shortly"),
                             {{"order_number", p.order_number}});
      }
      return ReasonedError(
          absl::StatusCode::kAlreadyExists, ErrorReason::kOrderNumberTaken,
          absl::StrCat("order_number: ", p.order_number, " is already committed (", status, ")"),
          {{"order_number", p.order_number}, {"status", status}});
    }
    p.purchase_id = inserted[0][0].as<int64_t>();
    p.state = PurchaseState::kPending;
    // What the earlier attempt wrote gives way to this one's.
    tx.exec_prepared0(q::kDeletePurchasePrograms, p.purchase_id);
    tx.exec_prepared(q::kInsertPurchaseChildren, p.purchase_id, programs_json, holds_json,
                     p.store_id);
    tx.commit();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return claimed;
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

namespace {

// The CTEs that write the children of the purchase in the CTE `purchase`
// (none when it is empty): its programs from a JSON array, and the holds it
// uses linked to it. Its lines and discounts are in its own row (migration
// 0016). The arguments are the statement's parameters.
std::string PurchaseChildren(const char* store_id, const char* programs, const char* holds) {
  return absl::StrCat(
      "programs AS (INSERT INTO purchase_programs (purchase_id, program_id, "
      "vendor_customer_id, spend_centipoints, status) "
      "SELECT purchase.purchase_id, r.program_id, r.vendor_customer_id, r.spend_centipoints, "
      "'pending' FROM purchase, jsonb_to_recordset(",
      programs,
      "::jsonb) AS r(program_id bigint, "
      "vendor_customer_id text, spend_centipoints bigint)), "
      "linked AS (UPDATE holds SET purchase_id = (SELECT purchase_id FROM purchase) "
      "WHERE hold_id IN (SELECT h::uuid FROM jsonb_array_elements_text(",
      holds,
      "::jsonb) AS h) "
      "AND store_id = ",
      store_id, " AND status = 'active' AND EXISTS (SELECT 1 FROM purchase)) ");
}

}  // namespace

// The statements this file runs, prepared on every connection (queries.h).
const std::vector<NamedQuery>& PurchaseQueries() {
  // A new purchase's intent: the idempotency key claimed, then (unless the
  // quote is already another order's, or the order number is taken) the
  // purchase with its children. Run in a transaction, which rolls the
  // claim back when no purchase is written.
  static const std::string kWriteIntentSql = absl::StrCat(
      "WITH claim AS (INSERT INTO idempotency_keys (store_id, idempotency_key, method, "
      "request_hash, state) VALUES ($1, $4, $5, $6, 'in_progress') "
      "ON CONFLICT DO NOTHING RETURNING 1), "
      "other AS (SELECT order_number FROM purchases WHERE quote_id = $3::uuid "
      "AND status NOT IN ('failed', 'declined') AND NOT (store_id = $1 AND order_number = $2) "
      "LIMIT 1), "
      "purchase AS (INSERT INTO purchases (store_id, order_number, quote_id, idempotency_key, "
      "status, total_before_minor, discount_minor, total_minor, spent_centipoints, paid_minor, "
      "lines, line_discounts) "
      "SELECT $1, $2, $3::uuid, $4, 'pending', $7, $8, $9, $10, $11, $12::jsonb, $15::jsonb "
      "WHERE EXISTS (SELECT 1 FROM claim) AND NOT EXISTS (SELECT 1 FROM other) "
      "ON CONFLICT (store_id, order_number) DO NOTHING RETURNING purchase_id), ",
      PurchaseChildren("$1", "$13", "$14"),
      "SELECT EXISTS (SELECT 1 FROM claim) AS claimed, "
      "(SELECT order_number FROM other) AS other_order, "
      "(SELECT purchase_id FROM purchase) AS purchase_id");
  // The same on its own (autocommit): a key claimed without a purchase
  // fails the whole statement (migration 0014), so nothing is kept.
  static const std::string kWriteIntentAloneSql = absl::StrCat(
      kWriteIntentSql,
      ", CASE WHEN EXISTS (SELECT 1 FROM claim) AND NOT EXISTS (SELECT 1 FROM purchase) "
      "THEN loyalty_intent_gives_way() END AS gave_way");
  // A retried purchase's children: the same, for the purchase $1.
  static const std::string kInsertPurchaseChildrenSql =
      absl::StrCat("WITH purchase AS (SELECT $1::bigint AS purchase_id), ",
                   PurchaseChildren("$4", "$2", "$3"), "SELECT 1");
  // An earlier attempt that failed gives way to this one: the purchase
  // takes this attempt's quote, figures and lines.
  static const char kRetryPurchaseSql[] =
      "UPDATE purchases SET quote_id = $3::uuid, idempotency_key = $4, status = 'pending', "
      "total_before_minor = $5, discount_minor = $6, total_minor = $7, spent_centipoints = $8, "
      "paid_minor = $9, earned_centipoints = 0, failure_reason = NULL, "
      "attempts = attempts + 1, updated_at = now(), lines = $10::jsonb, "
      "line_discounts = $11::jsonb "
      "WHERE store_id = $1 AND order_number = $2 AND status IN ('failed', 'declined') "
      // Not while a vendor still has to undo the failed attempt's booking.
      "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.purchase_id = purchases.purchase_id "
      "AND o.status IN ('waiting', 'sending')) RETURNING purchase_id";
  static const std::vector<NamedQuery> kQueries = {
      {q::kWriteIntent, kWriteIntentSql.c_str()},
      {q::kWriteIntentAlone, kWriteIntentAloneSql.c_str()},
      {q::kInsertPurchaseChildren, kInsertPurchaseChildrenSql.c_str()},
      {q::kRetryPurchase, kRetryPurchaseSql},
      {q::kClaimPurchaseBusy,
       // One operation at a time per purchase; a lease that ran out means
       // its holder died and the purchase is free again.
       "UPDATE purchases SET busy_with = $3, busy_until = now() + make_interval(secs => $4) "
       "WHERE store_id = $1 AND order_number = $2 AND (busy_until IS NULL OR busy_until < now()) "
       "RETURNING purchase_id"},
      {q::kReleasePurchaseBusy,
       "UPDATE purchases SET busy_with = NULL, busy_until = NULL WHERE purchase_id = $1"},
      {q::kPurchaseStatusByOrder,
       "SELECT status FROM purchases WHERE store_id = $1 AND order_number = $2"},
      {q::kDeletePurchasePrograms, "DELETE FROM purchase_programs WHERE purchase_id = $1"},
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
