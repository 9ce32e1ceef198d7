#include "broker/storage/pg_commit_reads.h"

#include <pqxx/pqxx>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "broker/storage/pg_idempotency_repository.h"
#include "broker/storage/pg_quote_repository.h"
#include "broker/storage/queries.h"
#include "broker/storage/quote_rows.h"

namespace loyalty::broker {

absl::StatusOr<CommitStart> PgCommitReads::Read(const std::string& store_id, const std::string& key,
                                                const std::string& method,
                                                const std::string& request_hash,
                                                const std::string& quote_id) {
  // A quote id that is no UUID names no quote; the statement looks for the
  // nil UUID instead, which no quote has (they are random ones), rather
  // than fail on the cast.
  const std::string uuid =
      LooksLikeUuid(quote_id) ? quote_id : "00000000-0000-0000-0000-000000000000";
  CommitStart start{IdempotencyClaim{},
                    absl::NotFoundError("quote not looked for: the key is not free")};
  bool quote_found = false;
  quotes_.AwaitWritten(quote_id);  // answered here a moment ago: its row may be on its way
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    const auto [from, to] = RecentQuoteDays(absl::Now());
    const pqxx::row row = tx.exec_prepared1(q::kCommitReads, store_id, key, uuid, from, to);
    if (!row["method"].is_null()) start.key = ClaimFromRow(row, method, request_hash);
    quote_found = !row["quote_id"].is_null();
    if (quote_found) start.quote = QuoteFromRow(row, store_id, /*allow_expired=*/false);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  // Not among the recent days' quotes: looked for through every day kept,
  // only when the commit will go on to need it.
  const bool key_free = start.key.ok() && start.key->state == IdempotencyClaim::State::kFree;
  if (!quote_found && key_free) start.quote = quotes_.Load(store_id, quote_id);
  return start;
}

// The statements this file runs, prepared on every connection (queries.h).
const std::vector<NamedQuery>& CommitReadQueries() {
  // One row whatever is found: the key's columns and the quote's (as
  // kQuoteById finds it), NULL where there is none.
  static const std::string kCommitReadsSql = absl::StrCat(
      "SELECT k.*, q.* FROM (SELECT) AS one "
      "LEFT JOIN (SELECT ",
      kIdempotencyKeyColumns,
      " FROM idempotency_keys WHERE store_id = $1 AND idempotency_key = $2) AS k ON true "
      "LEFT JOIN (SELECT ",
      kQuoteColumns,
      " FROM quotes WHERE quote_id = $3::uuid "
      "AND created_at >= $4::timestamptz AND created_at < $5::timestamptz) AS q ON true");
  static const std::vector<NamedQuery> kQueries = {
      {q::kCommitReads, kCommitReadsSql.c_str()},
  };
  return kQueries;
}

}  // namespace loyalty::broker
