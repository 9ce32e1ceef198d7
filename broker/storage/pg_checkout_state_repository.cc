#include "broker/storage/pg_checkout_state_repository.h"

#include <pqxx/pqxx>

#include "broker/storage/queries.h"

namespace loyalty::broker {

absl::StatusOr<CheckoutStateSample> PgCheckoutStateRepository::Sample() {
  CheckoutStateSample sample;
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    for (const auto& row : tx.exec_prepared(q::kActiveHoldsByProgram)) {
      sample.holds.push_back({row["code"].as<std::string>(), row["vendor"].as<std::string>(),
                              row["active"].as<int64_t>()});
    }
    for (const auto& row : tx.exec_prepared(q::kOutboxBacklog)) {
      sample.outbox.push_back({row["code"].as<std::string>(), row["vendor"].as<std::string>(),
                               row["backlog"].as<int64_t>(), row["oldest_seconds"].as<double>()});
    }
    for (const auto& row : tx.exec_prepared(q::kOpenMismatchesByProgram)) {
      sample.mismatches.push_back({row["code"].as<std::string>(), row["vendor"].as<std::string>(),
                                   row["open"].as<int64_t>()});
    }
    const pqxx::row purchases = tx.exec_prepared1(q::kUnfinishedPurchases);
    sample.purchases_pending = purchases["pending"].as<int64_t>();
    sample.purchases_in_doubt = purchases["in_doubt"].as<int64_t>();
    sample.oldest_pending_seconds = purchases["oldest_pending_seconds"].as<double>();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return sample;
}

// The statements this file runs, prepared on every connection (queries.h).
const std::vector<NamedQuery>& CheckoutStateQueries() {
  static const std::vector<NamedQuery> kQueries = {
      {q::kOpenMismatchesByProgram,
       // Every enabled program, with none open too, so its series exist.
       "SELECT pr.code, pr.vendor, count(m.mismatch_id) AS open FROM programs pr "
       "LEFT JOIN reconciliation_mismatches m ON m.program_id = pr.program_id "
       "AND m.resolved_at IS NULL WHERE pr.enabled GROUP BY 1, 2 ORDER BY 1, 2"},
      {q::kActiveHoldsByProgram,
       // Every enabled program, with zero holds too, so its series exist.
       "SELECT pr.code, pr.vendor, count(h.hold_id) AS active FROM programs pr "
       "LEFT JOIN holds h ON h.program_id = pr.program_id AND h.status = 'active' "
       "AND h.expires_at > now() WHERE pr.enabled GROUP BY 1, 2 ORDER BY 1, 2"},
      {q::kUnfinishedPurchases,
       // In doubt: the purchase itself, or a program of a purchase that
       // went through (an earn-only booking in doubt), each counted once.
       "SELECT count(*) FILTER (WHERE status = 'pending') AS pending, "
       "(SELECT count(*) FROM (SELECT purchase_id FROM purchases WHERE status = 'in_doubt' "
       "UNION SELECT purchase_id FROM purchases WHERE programs @> '[{\"status\": \"in_doubt\"}]') "
       "d) AS in_doubt, "
       "coalesce(extract(epoch FROM now() - min(updated_at) FILTER (WHERE status = 'pending')), "
       "0)::float8 AS oldest_pending_seconds FROM purchases WHERE status = 'pending'"},
      {q::kOutboxBacklog,
       // Every enabled program, with an empty outbox too, so its series exist.
       "SELECT pr.code, pr.vendor, count(o.outbox_id) AS backlog, "
       "coalesce(extract(epoch FROM now() - min(o.created_at)), 0)::float8 AS oldest_seconds "
       "FROM programs pr "
       "LEFT JOIN outbox o ON o.program_id = pr.program_id "
       "AND o.status IN ('waiting', 'sending') WHERE pr.enabled GROUP BY 1, 2 ORDER BY 1, 2"},
  };
  return kQueries;
}

}  // namespace loyalty::broker
