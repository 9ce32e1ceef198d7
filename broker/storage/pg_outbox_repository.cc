#include "broker/storage/pg_outbox_repository.h"

#include <pqxx/pqxx>
#include <stdexcept>

#include "broker/storage/purchase_program_rows.h"
#include "broker/storage/queries.h"
#include "broker/storage/sql_values.h"

namespace loyalty::broker {

absl::StatusOr<std::vector<int64_t>> PgOutboxRepository::ProgramsWithBacklog() {
  std::vector<int64_t> programs;
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);  // one statement: one snapshot, one round trip
    for (const auto& row : tx.exec_prepared(q::kOutboxPrograms)) {
      programs.push_back(row[0].as<int64_t>());
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return programs;
}

absl::StatusOr<std::optional<OutboxEntry>> PgOutboxRepository::Head(int64_t program_id) {
  std::optional<OutboxEntry> head;
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);  // one statement: one snapshot, one round trip
    pqxx::result r = tx.exec_prepared(q::kOutboxHead, program_id);
    if (r.empty()) return absl::OkStatus();
    OutboxEntry e;
    e.outbox_id = r[0]["outbox_id"].as<int64_t>();
    e.purchase_id = r[0]["purchase_id"].as<int64_t>();
    e.program_id = r[0]["program_id"].as<int64_t>();
    const auto step = OutboxStepFromName(r[0]["operation"].as<std::string>());
    const auto state = OutboxStateFromName(r[0]["status"].as<std::string>());
    if (!step || !state) throw std::runtime_error("outbox row in an unknown state");
    e.step = *step;
    e.state = *state;
    e.attempts = r[0]["attempts"].as<int>();
    e.lease_expired = r[0]["lease_expired"].as<bool>();
    e.due = r[0]["due"].as<bool>();
    e.store_id = r[0]["store_id"].as<std::string>();
    e.order_number = r[0]["order_number"].as<std::string>();
    head = std::move(e);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return head;
}

absl::StatusOr<bool> PgOutboxRepository::Claim(OutboxEntry& entry, absl::Duration lease) {
  bool claimed = false;
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    pqxx::result r =
        tx.exec_prepared(q::kClaimOutbox, entry.outbox_id, absl::ToDoubleSeconds(lease));
    tx.commit();
    if (!r.empty()) {
      claimed = true;
      entry.state = OutboxState::kSending;
      entry.attempts = r[0]["attempts"].as<int>();
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return claimed;
}

absl::Status PgOutboxRepository::Retry(const OutboxEntry& entry, const std::string& error,
                                       absl::Duration backoff) {
  return pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_prepared0(q::kRetryOutbox, entry.outbox_id, error, absl::ToDoubleSeconds(backoff));
    tx.commit();
    return absl::OkStatus();
  });
}

absl::Status PgOutboxRepository::Finish(const OutboxEntry& entry, OutboxState state,
                                        const std::string& error,
                                        const std::optional<PurchaseProgramRecord>& program) {
  return pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_prepared0(q::kFinishOutbox, entry.outbox_id, std::string(OutboxStateName(state)),
                      NullIfEmpty(error));
    if (program) {
      UpdatePurchaseProgram(tx, entry.purchase_id, *program);
      tx.exec_prepared0(q::kSumPurchaseEarned, entry.purchase_id);
    }
    tx.commit();
    return absl::OkStatus();
  });
}

// The statements this file runs, prepared on every connection (queries.h).
const std::vector<NamedQuery>& OutboxQueries() {
  static const std::vector<NamedQuery> kQueries = {
      {q::kOutboxPrograms,
       "SELECT DISTINCT program_id FROM outbox WHERE status IN ('waiting', 'sending') "
       "ORDER BY program_id"},
      {q::kOutboxHead,
       // The oldest undelivered entry of a program: entries go out in order.
       "SELECT o.outbox_id, o.purchase_id, o.program_id, o.operation, o.status, o.attempts, "
       "coalesce(o.status = 'sending' AND o.lease_until <= now(), false) AS lease_expired, "
       "o.next_attempt_at <= now() AS due, p.store_id, p.order_number "
       "FROM outbox o JOIN purchases p USING (purchase_id) "
       "WHERE o.program_id = $1 AND o.status IN ('waiting', 'sending') "
       "ORDER BY o.outbox_id LIMIT 1"},
      {q::kClaimOutbox,
       // Only one sender wins: the row must still be waiting and due.
       "UPDATE outbox SET status = 'sending', attempts = attempts + 1, "
       "lease_until = now() + make_interval(secs => $2) "
       "WHERE outbox_id = $1 AND status = 'waiting' AND next_attempt_at <= now() "
       "RETURNING attempts"},
      {q::kRetryOutbox,
       "UPDATE outbox SET status = 'waiting', last_error = $2, lease_until = NULL, "
       "next_attempt_at = now() + make_interval(secs => $3) WHERE outbox_id = $1"},
      {q::kFinishOutbox,
       "UPDATE outbox SET status = $2, last_error = $3, lease_until = NULL, finished_at = now() "
       "WHERE outbox_id = $1"},
  };
  return kQueries;
}

}  // namespace loyalty::broker
