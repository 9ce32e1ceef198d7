#include "broker/storage/pg_purchase_outcomes.h"

#include <pqxx/pqxx>
#include <set>
#include <stdexcept>

#include "absl/strings/escaping.h"
#include "broker/common/status_details.h"
#include "broker/core/booking_state.h"
#include "broker/core/outbox_state.h"
#include "broker/storage/queries.h"
#include "broker/storage/sql_values.h"
#include "connectors/core/json_writer.h"

namespace loyalty::broker {

PgPurchaseOutcomes::PgPurchaseOutcomes(ConnectionPool& pool, size_t max_batch)
    : pool_(pool),
      writer_([this](const std::vector<PendingOutcome*>& outcomes) { return WriteAll(outcomes); },
              max_batch) {}

absl::Status PgPurchaseOutcomes::Write(const PurchaseRecord& p,
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
  PendingOutcome outcome;
  outcome.purchase = &p;
  outcome.state = std::string(PurchaseStateName(p.state));
  outcome.programs_json = programs.EndArray().Take();
  outcome.steps_json = steps.EndArray().Take();
  outcome.dropped_holds_json = dropped_holds.EndArray().Take();
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
    tx.exec_prepared0(q::kWriteOutcome, p.purchase_id, o.state, p.spent_centipoints, p.paid_minor,
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
  return pool_.Run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    const pqxx::result written = tx.exec_prepared(q::kWriteOutcomes, batch_json);
    if (written.size() != outcomes.size()) {
      throw std::runtime_error("the outcomes' batch found a different number of purchases");
    }
    return absl::OkStatus();
  });
}

// The statements this file runs, prepared on every connection (queries.h).
const std::vector<NamedQuery>& PurchaseOutcomeQueries() {
  // Many outcomes at once, from a JSON array of them, each written as
  // kWriteOutcome writes one. A hold is updated once in a statement: one
  // that an outcome of the batch consumes is not also released by another's
  // dropped holds (as when the consuming outcome was written second).
  // Its rows come through loyalty_batch_items, as in pg_purchase_intents.cc.
  static const char kWriteOutcomesSql[] =
      "WITH input AS MATERIALIZED (SELECT r.* FROM loyalty_batch_items($1::jsonb) AS item, "
      "jsonb_to_record(item) AS r("
      "purchase_id bigint, state text, spent_centipoints bigint, paid_minor bigint, "
      "earned_centipoints bigint, failure_reason text, programs jsonb, steps jsonb, "
      "dropped_holds jsonb, store_id text, idempotency_key text, code integer, message text, "
      "response text, details text)), "
      "went_through AS (SELECT purchase_id FROM input WHERE state IN ('booked', 'confirmed')), "
      "consumed AS (UPDATE holds SET status = 'consumed', closed_at = now() "
      "WHERE purchase_id IN (SELECT purchase_id FROM went_through) "
      "AND status IN ('active', 'expired')), "
      "released AS (UPDATE holds SET status = 'released', closed_at = now() "
      "WHERE mode = 'vendor' AND status = 'active' "
      "AND (purchase_id IS NULL OR purchase_id NOT IN (SELECT purchase_id FROM went_through)) "
      "AND (program_id, vendor_customer_id) IN (SELECT d.program_id, d.vendor_customer_id "
      "FROM input, jsonb_to_recordset(input.dropped_holds) AS d(program_id bigint, "
      "vendor_customer_id text))), "
      "programs AS (UPDATE purchase_programs pp SET spent_centipoints = r.spent_centipoints, "
      "earned_centipoints = r.earned_centipoints, vendor_reference = r.vendor_reference, "
      "status = r.status, reason = r.reason, last_operation = r.last_operation, "
      "vendor_customer_id = r.vendor_customer_id, "
      "balance_after_centipoints = r.balance_after_centipoints "
      "FROM input, jsonb_to_recordset(input.programs) AS r(program_id bigint, "
      "spent_centipoints bigint, earned_centipoints bigint, vendor_reference text, status text, "
      "reason text, last_operation text, vendor_customer_id text, "
      "balance_after_centipoints bigint) "
      "WHERE pp.purchase_id = input.purchase_id AND pp.program_id = r.program_id), "
      "steps AS (INSERT INTO outbox (purchase_id, program_id, operation) "
      "SELECT input.purchase_id, r.program_id, r.operation "
      "FROM input, jsonb_to_recordset(input.steps) AS r(program_id bigint, operation text)), "
      "answer AS (UPDATE idempotency_keys k SET state = 'completed', status_code = input.code, "
      "status_message = input.message, response = decode(input.response, 'hex'), "
      "status_details = decode(input.details, 'hex'), completed_at = now() FROM input "
      "WHERE k.store_id = input.store_id AND k.idempotency_key = input.idempotency_key) "
      "UPDATE purchases p SET status = input.state, spent_centipoints = input.spent_centipoints, "
      "paid_minor = input.paid_minor, earned_centipoints = input.earned_centipoints, "
      "failure_reason = input.failure_reason, updated_at = now(), busy_with = NULL, "
      "busy_until = NULL FROM input WHERE p.purchase_id = input.purchase_id "
      "RETURNING p.purchase_id";
  static const std::vector<NamedQuery> kQueries = {
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
      {q::kWriteOutcomes, kWriteOutcomesSql},
  };
  return kQueries;
}

}  // namespace loyalty::broker
