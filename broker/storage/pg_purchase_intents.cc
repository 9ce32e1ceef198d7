#include "broker/storage/pg_purchase_intents.h"

#include <algorithm>
#include <pqxx/pqxx>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "broker/common/error_reasons.h"
#include "broker/storage/pg_quote_repository.h"
#include "broker/storage/purchase_program_rows.h"
#include "broker/storage/queries.h"
#include "connectors/core/json_writer.h"

namespace loyalty::broker {
namespace {

// Raised by loyalty_intent_gives_way() (migration 0014).
constexpr char kIntentGivesWay[] = "LY001";

// The CTE that links the holds the purchase in the CTE `purchase` uses
// (none when it is empty) to it. Its lines, discounts and programs are in
// its own row (migrations 0016, 0024). The arguments are the statement's
// parameters.
//
// Without `link_holds`, for a purchase that uses no hold: PostgreSQL sets up
// every writing CTE on each execution, written to or not (the holds' update
// with its table and indexes). The holds' parameter stays, typed by a CTE
// that is never read (the planner drops it), so both are called alike.
std::string LinkHolds(const char* store_id, const char* holds, bool link_holds = true) {
  if (!link_holds) return absl::StrCat("unused AS (SELECT ", holds, "::jsonb) ");
  return absl::StrCat(
      "linked AS (UPDATE holds SET purchase_id = (SELECT purchase_id FROM "
      "purchase) WHERE hold_id IN (SELECT h::uuid FROM "
      "jsonb_array_elements_text(",
      holds,
      "::jsonb) AS h) "
      "AND store_id = ",
      store_id, " AND status = 'active' AND EXISTS (SELECT 1 FROM purchase)) ");
}

// A new purchase's intent: the idempotency key claimed, then (unless the
// quote is already another order's, or the order number is taken) the
// purchase with its children. Run in a transaction, which rolls the claim
// back when no purchase is written.
std::string WriteIntentSql(bool link_holds) {
  return absl::StrCat(
      "WITH claim AS (INSERT INTO idempotency_keys (store_id, idempotency_key, method, "
      "request_hash, state) VALUES ($1, $4, $5, $6, 'in_progress') "
      "ON CONFLICT DO NOTHING RETURNING 1), "
      "other AS (SELECT order_number FROM purchases WHERE quote_id = $3::uuid "
      "AND status NOT IN ('failed', 'declined') AND NOT (store_id = $1 AND order_number = $2) "
      "LIMIT 1), "
      "purchase AS (INSERT INTO purchases (store_id, order_number, quote_id, idempotency_key, "
      "status, total_before_minor, discount_minor, total_minor, spent_centipoints, paid_minor, "
      "lines, line_discounts, programs) "
      "SELECT $1, $2, $3::uuid, $4, 'pending', $7, $8, $9, $10, $11, $12::jsonb, $15::jsonb, "
      "$13::jsonb WHERE EXISTS (SELECT 1 FROM claim) AND NOT EXISTS (SELECT 1 FROM other) "
      "ON CONFLICT (store_id, order_number) DO NOTHING RETURNING purchase_id), ",
      LinkHolds("$1", "$14", link_holds),
      "SELECT EXISTS (SELECT 1 FROM claim) AS claimed, "
      "(SELECT order_number FROM other) AS other_order, "
      "(SELECT purchase_id FROM purchase) AS purchase_id");
}

// Many intents at once, from a JSON array of them: each as the intent
// alone does, written all or not at all. An intent's key counts as claimed
// for the first intent that names it; a claim without a purchase (the
// quote is another order's, the order number is taken, also by another
// intent of the batch) fails the whole statement, and each intent is then
// written on its own. A purchase is matched back to its intent by its
// store, order number and key, which no two intents written share.
// Its rows come through loyalty_batch_items (migration 0018), which the
// planner counts as few, so that it looks each one up by its index.
// Without `link_holds`, for a batch in which no purchase uses a hold.
std::string WriteIntentsSql(bool link_holds) {
  return absl::StrCat(
      "WITH input AS MATERIALIZED (SELECT r.* FROM loyalty_batch_items($1::jsonb) AS item, "
      "jsonb_to_record(item) AS r(i integer, "
      "store_id text, order_number text, quote_id uuid, idempotency_key text, method text, "
      "request_hash text, total_before_minor bigint, discount_minor bigint, total_minor bigint, "
      "spent_centipoints bigint, paid_minor bigint, lines jsonb, line_discounts jsonb, "
      "programs jsonb, holds jsonb)), "
      "claim AS (INSERT INTO idempotency_keys (store_id, idempotency_key, method, request_hash, "
      "state) SELECT store_id, idempotency_key, method, request_hash, 'in_progress' FROM input "
      "ORDER BY i ON CONFLICT DO NOTHING RETURNING store_id, idempotency_key), "
      "claimed AS (SELECT min(input.i) AS i FROM input JOIN claim USING (store_id, "
      "idempotency_key) GROUP BY store_id, idempotency_key), "
      "other AS (SELECT input.i, o.order_number FROM input CROSS JOIN LATERAL ("
      "SELECT p.order_number FROM purchases p WHERE p.quote_id = input.quote_id "
      "AND p.status NOT IN ('failed', 'declined') "
      "AND NOT (p.store_id = input.store_id AND p.order_number = input.order_number) "
      "LIMIT 1) AS o), "
      "purchase AS (INSERT INTO purchases (store_id, order_number, quote_id, idempotency_key, "
      "status, total_before_minor, discount_minor, total_minor, spent_centipoints, paid_minor, "
      "lines, line_discounts, programs) "
      "SELECT store_id, order_number, quote_id, idempotency_key, 'pending', total_before_minor, "
      "discount_minor, total_minor, spent_centipoints, paid_minor, lines, line_discounts, "
      "programs "
      "FROM input WHERE i IN (SELECT i FROM claimed) AND i NOT IN (SELECT i FROM other) "
      "ORDER BY i ON CONFLICT (store_id, order_number) DO NOTHING "
      "RETURNING purchase_id, store_id, order_number, idempotency_key), "
      "written AS (SELECT input.i, input.store_id, input.holds, "
      "purchase.purchase_id FROM input JOIN purchase USING (store_id, order_number, "
      "idempotency_key) WHERE input.i IN (SELECT i FROM claimed))",
      link_holds ? ", linked AS (UPDATE holds SET purchase_id = used.purchase_id "
                   "FROM (SELECT written.purchase_id, written.store_id, h::uuid AS hold_id "
                   "FROM written, jsonb_array_elements_text(written.holds) AS h) AS used "
                   "WHERE holds.hold_id = used.hold_id AND holds.store_id = used.store_id "
                   "AND holds.status = 'active') "
                 : " ",
      "SELECT input.i, input.i IN (SELECT i FROM claimed) AS claimed, "
      "written.purchase_id, "
      "CASE WHEN input.i IN (SELECT i FROM claimed) AND written.purchase_id IS NULL "
      "THEN loyalty_intent_gives_way() END AS gave_way "
      "FROM input LEFT JOIN written USING (i) ORDER BY input.i");
}

}  // namespace

PgPurchaseIntents::PgPurchaseIntents(ConnectionPool& pool, size_t max_batch, absl::Duration gather,
                                     const PgQuoteRepository* quotes)
    : pool_(pool),
      quotes_(quotes),
      writer_([this](const std::vector<PendingIntent*>& intents) { return WriteAll(intents); },
              max_batch, gather) {}

absl::StatusOr<bool> PgPurchaseIntents::Write(PurchaseRecord& p, const KeyClaim& claim) {
  connectors::JsonWriter holds;
  holds.BeginArray();
  for (const std::string& hold_id : p.hold_ids) holds.String(hold_id);
  // Its lines as its quote priced them, kept in its row (migration 0016):
  // the quote's own text when the quote is at hand.
  std::shared_ptr<const LinesAsJson> lines =
      quotes_ != nullptr ? quotes_->LinesJsonAtHand(p.quote_id, p.lines) : nullptr;
  if (lines == nullptr) lines = std::make_shared<const LinesAsJson>(LinesJson(p.lines));
  PendingIntent intent{&p, &claim, IntentProgramsJson(p.programs), holds.EndArray().Take(),
                       std::move(lines)};
  absl::Status status = writer_.Write(intent);
  if (!status.ok()) return status;
  return intent.claimed;
}

absl::Status PgPurchaseIntents::WriteAll(const std::vector<PendingIntent*>& intents) {
  // Alone, the statement made for one intent, which costs a little less.
  if (intents.size() == 1) return WriteOne(*intents.front());
  return WriteBatch(intents);
}

absl::Status PgPurchaseIntents::WriteOne(PendingIntent& intent) {
  PurchaseRecord& p = *intent.purchase;
  const KeyClaim& claim = *intent.claim;
  const LinesAsJson& lines = *intent.lines;
  const std::string& programs_json = intent.programs_json;
  const std::string& holds_json = intent.holds_json;
  return pool_.Run([&](pqxx::connection& c) {
    // The usual intent, one statement on its own: one round trip and one
    // synchronous commit. A claim without a purchase undoes itself and
    // comes down to the transaction below, which decides the answer.
    try {
      pqxx::nontransaction alone(c);
      const pqxx::row row = alone.exec_prepared1(
          p.hold_ids.empty() ? q::kWriteIntentAloneNoHolds : q::kWriteIntentAlone, p.store_id,
          p.order_number, p.quote_id, p.idempotency_key, claim.method, claim.request_hash,
          p.total_before_minor, p.discount_minor, p.total_minor, p.spent_centipoints, p.paid_minor,
          lines.lines, programs_json, holds_json, lines.discounts);
      intent.claimed = row["claimed"].as<bool>();
      if (!intent.claimed) return absl::OkStatus();  // nothing written
      p.purchase_id = row["purchase_id"].as<int64_t>();
      p.state = PurchaseState::kPending;
      p.holds_maybe_linked = !p.hold_ids.empty();  // a new row
      return absl::OkStatus();
    } catch (const pqxx::sql_error& e) {
      if (e.sqlstate() != kIntentGivesWay) throw;
    }
    pqxx::work tx(c);
    // The same intent in a transaction, which rolls the claim back where no
    // purchase is written.
    const pqxx::row row = tx.exec_prepared1(
        q::kWriteIntent, p.store_id, p.order_number, p.quote_id, p.idempotency_key, claim.method,
        claim.request_hash, p.total_before_minor, p.discount_minor, p.total_minor,
        p.spent_centipoints, p.paid_minor, lines.lines, programs_json, holds_json, lines.discounts);
    intent.claimed = row["claimed"].as<bool>();
    if (!intent.claimed) return absl::OkStatus();  // nothing written: the transaction rolls back
    // A quote backs one purchase (a unique index is the backstop for races).
    if (!row["other_order"].is_null()) {
      const std::string other = row["other_order"].as<std::string>();
      return ReasonedError(absl::StatusCode::kFailedPrecondition,
                           ErrorReason::kQuoteAlreadyCommitted,
                           absl::StrCat("quote_id: the quote is already committed as order ", other,
                                        "; quote the cart again"),
                           {{"order_number", other}});
    }
    if (!row["purchase_id"].is_null()) {
      p.purchase_id = row["purchase_id"].as<int64_t>();
      p.state = PurchaseState::kPending;
      p.holds_maybe_linked = !p.hold_ids.empty();  // a new row
      tx.commit();
      return absl::OkStatus();
    }
    // The order number is taken: an earlier attempt that failed gives way
    // to this one, anything else is refused.
    pqxx::result inserted = tx.exec_prepared(
        q::kRetryPurchase, p.store_id, p.order_number, p.quote_id, p.idempotency_key,
        p.total_before_minor, p.discount_minor, p.total_minor, p.spent_centipoints, p.paid_minor,
        lines.lines, lines.discounts, programs_json);
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
    p.holds_maybe_linked = true;  // the earlier attempt's may still be linked
    // What the earlier attempt wrote gives way to this one's.
    tx.exec_prepared(q::kLinkRetriedPurchaseHolds, p.purchase_id, holds_json, p.store_id);
    tx.commit();
    return absl::OkStatus();
  });
}

absl::Status PgPurchaseIntents::WriteBatch(const std::vector<PendingIntent*>& intents) {
  connectors::JsonWriter batch;
  batch.BeginArray();
  for (size_t i = 0; i < intents.size(); ++i) {
    const PendingIntent& intent = *intents[i];
    const PurchaseRecord& p = *intent.purchase;
    batch.BeginObject()
        .Int("i", static_cast<int64_t>(i))
        .String("store_id", p.store_id)
        .String("order_number", p.order_number)
        .String("quote_id", p.quote_id)
        .String("idempotency_key", p.idempotency_key)
        .String("method", intent.claim->method)
        .String("request_hash", intent.claim->request_hash)
        .Int("total_before_minor", p.total_before_minor)
        .Int("discount_minor", p.discount_minor)
        .Int("total_minor", p.total_minor)
        .Int("spent_centipoints", p.spent_centipoints)
        .Int("paid_minor", p.paid_minor)
        .Raw("lines", intent.lines->lines)
        .Raw("line_discounts", intent.lines->discounts)
        .Raw("programs", intent.programs_json)
        .Raw("holds", intent.holds_json)
        .EndObject();
  }
  const std::string& batch_json = batch.EndArray().str();
  const bool any_holds = std::any_of(intents.begin(), intents.end(), [](const PendingIntent* i) {
    return !i->purchase->hold_ids.empty();
  });
  return pool_.Run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    pqxx::result rows;
    try {
      rows = tx.exec_prepared(any_holds ? q::kWriteIntents : q::kWriteIntentsNoHolds, batch_json);
    } catch (const pqxx::sql_error& e) {
      if (e.sqlstate() != kIntentGivesWay) throw;
      // Nothing was written; each intent is written again on its own.
      return absl::AbortedError("an intent of the batch gives way");
    }
    if (rows.size() != intents.size()) {
      throw std::runtime_error("the intents' batch answered for a different number of intents");
    }
    for (const auto& row : rows) {
      PendingIntent& intent = *intents.at(row["i"].as<size_t>());
      intent.claimed = row["claimed"].as<bool>();
      if (!intent.claimed) continue;  // nothing written for it
      intent.purchase->purchase_id = row["purchase_id"].as<int64_t>();
      intent.purchase->state = PurchaseState::kPending;
      // A new row: linked to the holds its intent named, and no others.
      intent.purchase->holds_maybe_linked = !intent.purchase->hold_ids.empty();
    }
    return absl::OkStatus();
  });
}

// The statements this file runs, prepared on every connection (queries.h).
const std::vector<NamedQuery>& PurchaseIntentQueries() {
  static const std::string kWriteIntentSql = WriteIntentSql(/*link_holds=*/true);
  // The same on its own (autocommit): a key claimed without a purchase
  // fails the whole statement (migration 0014), so nothing is kept.
  static const std::string kGivesWay =
      ", CASE WHEN EXISTS (SELECT 1 FROM claim) AND NOT EXISTS (SELECT 1 FROM purchase) "
      "THEN loyalty_intent_gives_way() END AS gave_way";
  static const std::string kWriteIntentAloneSql = absl::StrCat(kWriteIntentSql, kGivesWay);
  static const std::string kWriteIntentAloneNoHoldsSql =
      absl::StrCat(WriteIntentSql(/*link_holds=*/false), kGivesWay);
  // A retried purchase's holds: the same, for the purchase $1.
  static const std::string kLinkRetriedPurchaseHoldsSql = absl::StrCat(
      "WITH purchase AS (SELECT $1::bigint AS purchase_id), ", LinkHolds("$3", "$2"), "SELECT 1");
  // An earlier attempt that failed gives way to this one: the purchase
  // takes this attempt's quote, figures, lines and programs.
  static const char kRetryPurchaseSql[] =
      "UPDATE purchases SET quote_id = $3::uuid, idempotency_key = $4, status = 'pending', "
      "total_before_minor = $5, discount_minor = $6, total_minor = $7, spent_centipoints = $8, "
      "paid_minor = $9, earned_centipoints = 0, failure_reason = NULL, "
      "attempts = attempts + 1, updated_at = now(), lines = $10::jsonb, "
      "line_discounts = $11::jsonb, programs = $12::jsonb "
      "WHERE store_id = $1 AND order_number = $2 AND status IN ('failed', 'declined') "
      // Not while a vendor still has to undo the failed attempt's booking.
      "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.purchase_id = purchases.purchase_id "
      "AND o.status IN ('waiting', 'sending')) RETURNING purchase_id";
  static const std::string kWriteIntentsSql = WriteIntentsSql(/*link_holds=*/true);
  static const std::string kWriteIntentsNoHoldsSql = WriteIntentsSql(/*link_holds=*/false);
  static const std::vector<NamedQuery> kQueries = {
      {q::kWriteIntent, kWriteIntentSql.c_str()},
      {q::kWriteIntentAlone, kWriteIntentAloneSql.c_str()},
      {q::kWriteIntentAloneNoHolds, kWriteIntentAloneNoHoldsSql.c_str()},
      {q::kWriteIntents, kWriteIntentsSql.c_str()},
      {q::kWriteIntentsNoHolds, kWriteIntentsNoHoldsSql.c_str()},
      {q::kLinkRetriedPurchaseHolds, kLinkRetriedPurchaseHoldsSql.c_str()},
      {q::kRetryPurchase, kRetryPurchaseSql},
      {q::kPurchaseStatusByOrder,
       "SELECT status FROM purchases WHERE store_id = $1 AND order_number = $2"},
  };
  return kQueries;
}

}  // namespace loyalty::broker
