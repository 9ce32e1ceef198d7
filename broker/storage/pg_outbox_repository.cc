#include "broker/storage/pg_outbox_repository.h"

#include <pqxx/pqxx>

#include "broker/storage/queries.h"
#include "broker/storage/sql_values.h"

namespace loyalty::broker {

absl::StatusOr<std::vector<int64_t>> PgOutboxRepository::ProgramsWithBacklog() {
  std::vector<int64_t> programs;
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
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
    pqxx::read_transaction tx(c);
    pqxx::result r = tx.exec_prepared(q::kOutboxHead, program_id);
    if (r.empty()) return absl::OkStatus();
    OutboxEntry e;
    e.outbox_id = r[0][0].as<int64_t>();
    e.purchase_id = r[0][1].as<int64_t>();
    e.program_id = r[0][2].as<int64_t>();
    e.operation = r[0][3].as<std::string>();
    e.status = r[0][4].as<std::string>();
    e.attempts = r[0][5].as<int>();
    e.lease_expired = r[0][6].as<bool>();
    e.due = r[0][7].as<bool>();
    e.store_id = r[0][8].as<std::string>();
    e.order_number = r[0][9].as<std::string>();
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
      entry.status = "sending";
      entry.attempts = r[0][0].as<int>();
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

absl::Status PgOutboxRepository::Finish(const OutboxEntry& entry, const std::string& status,
                                        const std::string& error,
                                        const std::optional<PurchaseProgramRecord>& program) {
  return pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_prepared0(q::kFinishOutbox, entry.outbox_id, status, NullIfEmpty(error));
    if (program) {
      tx.exec_prepared0(q::kUpdatePurchaseProgram, entry.purchase_id, program->program_id,
                        program->spent_centipoints, program->earned_centipoints,
                        NullIfEmpty(program->vendor_reference), program->status,
                        program->vendor_customer_id,
                        NullIfEmpty(OptionalNumberText(program->balance_after_centipoints)));
      tx.exec_prepared0(q::kSumPurchaseEarned, entry.purchase_id);
    }
    tx.commit();
    return absl::OkStatus();
  });
}

}  // namespace loyalty::broker
