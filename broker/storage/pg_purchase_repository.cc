#include "broker/storage/pg_purchase_repository.h"

#include <pqxx/pqxx>
#include <stdexcept>

#include "broker/common/error_reasons.h"
#include "broker/storage/purchase_program_rows.h"
#include "broker/storage/queries.h"
#include "broker/storage/quote_rows.h"

namespace loyalty::broker {

absl::StatusOr<bool> PgPurchaseRepository::WriteIntent(PurchaseRecord& p, const KeyClaim& claim) {
  return intents_.Write(p, claim);
}

absl::Status PgPurchaseRepository::WriteOutcome(const PurchaseRecord& p,
                                                const std::optional<StoredAnswer>& answer,
                                                const std::vector<OutboxEntry>& outbox) {
  return outcomes_.Write(p, answer, outbox);
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
