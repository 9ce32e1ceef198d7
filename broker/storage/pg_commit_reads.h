#pragma once

// CommitReads in PostgreSQL: the idempotency key and the quote in one
// statement (one round trip, one snapshot).

#include "broker/core/repositories/commit_reads.h"
#include "broker/storage/pg_quote_repository.h"
#include "broker/storage/pool.h"

namespace loyalty::broker {

class PgCommitReads final : public CommitReads {
 public:
  // `quotes` writes the quotes this replica answers (a commit waits for its
  // own), and looks for a quote the statement does not find among the
  // recent days' quotes.
  PgCommitReads(ConnectionPool& pool, PgQuoteRepository& quotes) : pool_(pool), quotes_(quotes) {}

  absl::StatusOr<CommitStart> Read(const std::string& store_id, const std::string& key,
                                   const std::string& method, const std::string& request_hash,
                                   const std::string& quote_id) override;

 private:
  ConnectionPool& pool_;
  PgQuoteRepository& quotes_;
};

}  // namespace loyalty::broker
