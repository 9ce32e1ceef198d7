#include "broker/storage/pg_purchase_outcomes.h"

#include <algorithm>
#include <pqxx/pqxx>
#include <set>
#include <stdexcept>

#include "absl/strings/escaping.h"
#include "broker/common/status_details.h"
#include "broker/core/booking_state.h"
#include "broker/core/outbox_state.h"
#include "broker/storage/purchase_program_rows.h"
#include "broker/storage/queries.h"
#include "broker/storage/sql_values.h"
#include "connectors/core/json_writer.h"

namespace loyalty::broker {

namespace {

// The parts of an outcome's statement beyond the purchase, its programs and
// its stored answer. PostgreSQL sets up every writing CTE of a statement on
// each execution, written to or not (the table opened and locked, its
// indexes opened), so a commit's usual outcome is written without the parts
// it does not need.
struct OutcomeParts {
  // Consume the holds linked to the purchase, and leave steps to the outbox.
  bool consume_or_steps = true;
  // Release the customer's other vendor holds, which a booking dropped.
  bool release = true;
};

// The outcome, in one statement: the purchase with its programs (in its
// row, migration 0024), the steps left to the outbox and the stored answer
// ($10 NULL: none). A purchase that went through consumes the holds linked
// to it, also one that ran out while the purchase was being recovered. The
// programs in $15 dropped the customer's other vendor holds: those are
// released (every active one the first update does not consume, so no row
// is updated twice). A part left out keeps its parameters, typed by a CTE
// that is never read (the planner drops it), so that every form is called
// alike.
std::string WriteOutcomeSql(OutcomeParts parts) {
  std::string unused;
  if (!parts.consume_or_steps) unused = "$8::jsonb";
  if (!parts.release) absl::StrAppend(&unused, unused.empty() ? "" : ", ", "$15::jsonb");
  return absl::StrCat(
      "WITH ",
      parts.consume_or_steps ? "consumed AS (UPDATE holds SET status = 'consumed', closed_at = "
                               "now() WHERE purchase_id = $1 AND status IN ('active', 'expired') "
                               "AND $2::text IN ('booked', 'confirmed')), "
                             : "",
      parts.release
          ? "released AS (UPDATE holds SET status = 'released', closed_at = now() "
            "WHERE mode = 'vendor' AND status = 'active' "
            "AND (purchase_id IS DISTINCT FROM $1 OR $2::text NOT IN ('booked', 'confirmed')) "
            "AND (program_id, vendor_customer_id) IN (SELECT r.program_id, "
            "r.vendor_customer_id FROM jsonb_to_recordset($15::jsonb) AS r(program_id bigint, "
            "vendor_customer_id text))), "
          : "",
      unused.empty() ? "" : absl::StrCat("unused AS (SELECT ", unused, "), "),
      parts.consume_or_steps
          ? "steps AS (INSERT INTO outbox (purchase_id, program_id, operation) "
            "SELECT $1, r.program_id, r.operation "
            "FROM jsonb_to_recordset($8::jsonb) AS r(program_id bigint, operation text)), "
          : "",
      "answer AS (UPDATE idempotency_keys SET state = 'completed', status_code = $11, "
      "status_message = $12, response = $13, status_details = $14, completed_at = now() "
      "WHERE store_id = $9 AND idempotency_key = $10) "
      "UPDATE purchases SET status = $2, spent_centipoints = $3, paid_minor = $4, "
      "earned_centipoints = $5, failure_reason = $6, programs = $7::jsonb, updated_at = now(), "
      "busy_with = NULL, busy_until = NULL WHERE purchase_id = $1");
}

// Many outcomes at once, from a JSON array of them, each written as
// WriteOutcomeSql writes one. A hold is updated once in a statement: one
// that an outcome of the batch consumes is not also released by another's
// dropped holds (as when the consuming outcome was written second).
// Its rows come through loyalty_batch_items, as in pg_purchase_intents.cc.
std::string WriteOutcomesSql(OutcomeParts parts) {
  return absl::StrCat(
      "WITH input AS MATERIALIZED (SELECT r.* FROM loyalty_batch_items($1::jsonb) AS item, "
      "jsonb_to_record(item) AS r("
      "purchase_id bigint, state text, spent_centipoints bigint, paid_minor bigint, "
      "earned_centipoints bigint, failure_reason text, programs jsonb, steps jsonb, "
      "dropped_holds jsonb, store_id text, idempotency_key text, code integer, message text, "
      "response text, details text)), ",
      parts.consume_or_steps || parts.release
          ? "went_through AS (SELECT purchase_id FROM input WHERE state IN ('booked', "
            "'confirmed')), "
          : "",
      parts.consume_or_steps ? "consumed AS (UPDATE holds SET status = 'consumed', closed_at = "
                               "now() WHERE purchase_id IN (SELECT purchase_id FROM "
                               "went_through) AND status IN ('active', 'expired')), "
                             : "",
      parts.release
          ? "released AS (UPDATE holds SET status = 'released', closed_at = now() "
            "WHERE mode = 'vendor' AND status = 'active' "
            "AND (purchase_id IS NULL OR purchase_id NOT IN (SELECT purchase_id FROM "
            "went_through)) AND (program_id, vendor_customer_id) IN (SELECT d.program_id, "
            "d.vendor_customer_id FROM input, jsonb_to_recordset(input.dropped_holds) AS "
            "d(program_id bigint, vendor_customer_id text))), "
          : "",
      parts.consume_or_steps
          ? "steps AS (INSERT INTO outbox (purchase_id, program_id, operation) "
            "SELECT input.purchase_id, r.program_id, r.operation "
            "FROM input, jsonb_to_recordset(input.steps) AS r(program_id bigint, "
            "operation text)), "
          : "",
      "answer AS (UPDATE idempotency_keys k SET state = 'completed', status_code = input.code, "
      "status_message = input.message, response = decode(input.response, 'hex'), "
      "status_details = decode(input.details, 'hex'), completed_at = now() FROM input "
      "WHERE k.store_id = input.store_id AND k.idempotency_key = input.idempotency_key) "
      "UPDATE purchases p SET status = input.state, spent_centipoints = input.spent_centipoints, "
      "paid_minor = input.paid_minor, earned_centipoints = input.earned_centipoints, "
      "failure_reason = input.failure_reason, programs = input.programs, updated_at = now(), "
      "busy_with = NULL, busy_until = NULL FROM input WHERE p.purchase_id = input.purchase_id "
      "RETURNING p.purchase_id");
}

constexpr OutcomeParts kFull{};
constexpr OutcomeParts kReleasing{.consume_or_steps = false, .release = true};
constexpr OutcomeParts kBare{.consume_or_steps = false, .release = false};

// The statement of the smallest form that has every part `needed` names:
// the full one where a consumption or a step is needed, releasing or not.
const char* OutcomeStatement(OutcomeParts needed, bool batch) {
  if (needed.consume_or_steps) return batch ? q::kWriteOutcomes : q::kWriteOutcome;
  if (needed.release) return batch ? q::kWriteOutcomesReleasing : q::kWriteOutcomeReleasing;
  return batch ? q::kWriteOutcomesBare : q::kWriteOutcomeBare;
}

}  // namespace

PgPurchaseOutcomes::PgPurchaseOutcomes(ConnectionPool& pool, size_t max_batch,
                                       absl::Duration gather)
    : pool_(pool),
      writer_([this](const std::vector<PendingOutcome*>& outcomes) { return WriteAll(outcomes); },
              max_batch, gather) {}

absl::Status PgPurchaseOutcomes::Write(const PurchaseRecord& p,
                                       const std::optional<StoredAnswer>& answer,
                                       const std::vector<OutboxEntry>& outbox) {
  // Vendor text is untrusted: bytes that are not UTF-8 are replaced.
  connectors::JsonWriter dropped_holds;
  dropped_holds.BeginArray();
  for (const auto& prog : p.programs) {
    if (!prog.dropped_vendor_holds) continue;
    dropped_holds.BeginObject()
        .Int("program_id", prog.program_id)
        .String("vendor_customer_id", prog.vendor_customer_id)
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
  PendingOutcome outcome;
  outcome.purchase = &p;
  outcome.state = std::string(PurchaseStateName(p.state));
  outcome.programs_json = ProgramsJson(p.programs);
  outcome.steps_json = steps.EndArray().Take();
  outcome.dropped_holds_json = dropped_holds.EndArray().Take();
  outcome.consumes_or_steps = p.holds_maybe_linked || !outbox.empty();
  outcome.releases = std::any_of(p.programs.begin(), p.programs.end(),
                                 [](const auto& prog) { return prog.dropped_vendor_holds; });
  if (answer) {
    outcome.key = answer->idempotency_key;
    outcome.code = static_cast<int>(answer->status.code());
    outcome.message = std::string(answer->status.message());
    outcome.response = answer->response;
    outcome.details = SerializedDetails(answer->status);
  }
  return writer_.Write(outcome);
}

absl::Status PgPurchaseOutcomes::WriteAll(const std::vector<PendingOutcome*>& outcomes) {
  if (outcomes.size() == 1) return WriteOne(*outcomes.front());
  return WriteBatch(outcomes);
}

absl::Status PgPurchaseOutcomes::WriteOne(const PendingOutcome& o) {
  const PurchaseRecord& p = *o.purchase;
  return pool_.Run([&](pqxx::connection& c) {
    // One statement: its own transaction, committed synchronously before
    // the answer leaves.
    pqxx::nontransaction tx(c);
    tx.exec_prepared0(OutcomeStatement({o.consumes_or_steps, o.releases}, /*batch=*/false),
                      p.purchase_id, o.state, p.spent_centipoints, p.paid_minor,
                      p.earned_centipoints, NullIfEmpty(p.failure_reason), o.programs_json,
                      o.steps_json, p.store_id, NullIfEmpty(o.key), o.code, o.message,
                      pqxx::binarystring(o.response), pqxx::binarystring(o.details),
                      o.dropped_holds_json);
    return absl::OkStatus();
  });
}

absl::Status PgPurchaseOutcomes::WriteBatch(const std::vector<PendingOutcome*>& outcomes) {
  // A purchase has one outcome at a time (its commit, or whoever holds its
  // lease); two of one purchase are written one after the other.
  std::set<int64_t> purchases;
  for (const PendingOutcome* o : outcomes) {
    if (!purchases.insert(o->purchase->purchase_id).second) {
      return absl::AbortedError("two outcomes of one purchase in a batch");
    }
  }
  connectors::JsonWriter batch;
  batch.BeginArray();
  for (const PendingOutcome* o : outcomes) {
    const PurchaseRecord& p = *o->purchase;
    // Binary values (the stored answer, its details) travel as hex.
    batch.BeginObject()
        .Int("purchase_id", p.purchase_id)
        .String("state", o->state)
        .Int("spent_centipoints", p.spent_centipoints)
        .Int("paid_minor", p.paid_minor)
        .Int("earned_centipoints", p.earned_centipoints)
        .StringOrNull("failure_reason", p.failure_reason)
        .Raw("programs", o->programs_json)
        .Raw("steps", o->steps_json)
        .Raw("dropped_holds", o->dropped_holds_json)
        .String("store_id", p.store_id)
        .StringOrNull("idempotency_key", o->key)
        .Int("code", o->code)
        .String("message", o->message)
        .String("response", absl::BytesToHexString(o->response))
        .String("details", absl::BytesToHexString(o->details))
        .EndObject();
  }
  const std::string& batch_json = batch.EndArray().str();
  OutcomeParts needed = kBare;
  for (const PendingOutcome* o : outcomes) {
    needed.consume_or_steps |= o->consumes_or_steps;
    needed.release |= o->releases;
  }
  const char* statement = OutcomeStatement(needed, /*batch=*/true);
  return pool_.Run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    const pqxx::result written = tx.exec_prepared(statement, batch_json);
    if (written.size() != outcomes.size()) {
      throw std::runtime_error("the outcomes' batch found a different number of purchases");
    }
    return absl::OkStatus();
  });
}

// The statements this file runs, prepared on every connection (queries.h).
const std::vector<NamedQuery>& PurchaseOutcomeQueries() {
  static const std::string kWriteOutcomeSql = WriteOutcomeSql(kFull);
  static const std::string kWriteOutcomeReleasingSql = WriteOutcomeSql(kReleasing);
  static const std::string kWriteOutcomeBareSql = WriteOutcomeSql(kBare);
  static const std::string kWriteOutcomesSql = WriteOutcomesSql(kFull);
  static const std::string kWriteOutcomesReleasingSql = WriteOutcomesSql(kReleasing);
  static const std::string kWriteOutcomesBareSql = WriteOutcomesSql(kBare);
  static const std::vector<NamedQuery> kQueries = {
      {q::kWriteOutcome, kWriteOutcomeSql.c_str()},
      {q::kWriteOutcomeReleasing, kWriteOutcomeReleasingSql.c_str()},
      {q::kWriteOutcomeBare, kWriteOutcomeBareSql.c_str()},
      {q::kWriteOutcomes, kWriteOutcomesSql.c_str()},
      {q::kWriteOutcomesReleasing, kWriteOutcomesReleasingSql.c_str()},
      {q::kWriteOutcomesBare, kWriteOutcomesBareSql.c_str()},
  };
  return kQueries;
}

}  // namespace loyalty::broker
