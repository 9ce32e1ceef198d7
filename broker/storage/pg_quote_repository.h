#pragma once

// QuoteRepository in PostgreSQL. A quote is written behind its answer
// (write_behind.h): a quote is not a promise, one lost in a crash makes its
// commit answer NOT_FOUND and the till quotes again, so the till does not
// wait for the row. Quotes answered meanwhile share one statement, one round
// trip and one asynchronous commit. A read of a quote still being written
// here waits for its write; one not found at all is looked for once more a
// moment later, in case another replica is writing it. The last quotes saved
// here are also kept at hand as stored (recent_quotes.h), for their commits.

#include <string>

#include "broker/core/repositories/quote_repository.h"
#include "broker/storage/pool.h"
#include "broker/storage/recent_quotes.h"
#include "broker/storage/write_behind.h"

namespace loyalty::broker {

struct QuoteWriteSettings {
  // Batches of up to 256, lingering 2 ms for them unless a commit or a hold
  // waits for its quote.
  WriteBehindSettings rows{.max_queued = 10000,
                           .max_batch = 256,
                           .retry_after = absl::Milliseconds(200),
                           .linger = absl::Milliseconds(2)};
  // Past this many quotes waiting, each quote waits for its own row before
  // its answer: a database slower than the tills slows quotes down, as when
  // every quote was written before its answer, instead of filling the queue
  // until quotes are refused.
  size_t wait_above = 1000;
  // How long a quote, or a read of one, waits for its row while the
  // database is away.
  absl::Duration write_wait = absl::Seconds(5);
  // How long a read of a quote found nowhere waits before looking once
  // more: another replica may have answered it a moment ago.
  absl::Duration recheck_after = absl::Milliseconds(50);
  // How much of the last quotes saved is kept at hand for their commits
  // (Recent), as RecentQuotes counts it: a quote of two lines and one
  // program takes about 2.4 kB with its lines' JSON, so at 100 such quotes a
  // second the last seventy seconds; a cart of a thousand lines, 490 kB.
  size_t recent_bytes = 16 << 20;
};

class PgQuoteRepository final : public QuoteRepository {
 public:
  // `customer_hash_key`: the key of quotes.customer_hash, the customer's
  // identifier as analysts may see it (empty: none is written).
  explicit PgQuoteRepository(ConnectionPool& pool, std::string customer_hash_key = "",
                             QuoteWriteSettings settings = {});

  // Queues the quote's row and returns (after its write while more than
  // `wait_above` quotes wait); UNAVAILABLE (DATABASE_UNAVAILABLE) when
  // `max_queued` quotes are already waiting for the database, or when a
  // quote that had to wait for its row waited a few seconds in vain.
  absl::Status Save(QuoteRecord& quote, int ttl_seconds) override;
  absl::StatusOr<QuoteRecord> Load(const std::string& store_id, const std::string& quote_id,
                                   bool allow_expired = false) override;
  std::shared_ptr<const QuoteRecord> Recent(const std::string& store_id,
                                            const std::string& quote_id) override;

  // The JSON of a quote's lines, as its row has them, while the quote is at
  // hand and its lines are `lines` (those of a purchase made from it);
  // nullptr otherwise.
  std::shared_ptr<const LinesAsJson> LinesJsonAtHand(
      const std::string& quote_id, const std::vector<QuoteLineRecord>& lines) const {
    return recent_.LinesJsonOf(quote_id, lines);
  }
  // Returns once the quote saved here is written (at once for any other),
  // or after a few seconds if the database stays away (false).
  bool AwaitWritten(const std::string& quote_id);
  // Waits until every quote saved before the call is written; false on timeout.
  bool Flush(absl::Duration timeout) { return rows_.Flush(timeout); }
  // Quotes waiting for the database, and quotes given up (write_behind.h).
  size_t queued() const { return rows_.queued(); }
  uint64_t dropped() const { return rows_.dropped(); }

 private:
  // One quote's row as the statement reads it: a JSON object.
  struct Row {
    std::string quote_id;
    std::string store_id;
    std::string json;
  };
  std::string RowJson(const QuoteRecord& quote, const LinesAsJson& lines) const;
  absl::Status WriteRows(const std::vector<Row>& rows);
  absl::StatusOr<QuoteRecord> LoadWritten(const std::string& store_id, const std::string& quote_id,
                                          bool allow_expired);

  ConnectionPool& pool_;
  const std::string customer_hash_key_;
  const size_t wait_above_;
  const absl::Duration write_wait_;
  const absl::Duration recheck_after_;
  RecentQuotes recent_;
  WriteBehind<Row> rows_;
};

// True for a syntactically valid UUID (so lookups never hit a SQL cast error).
bool LooksLikeUuid(const std::string& text);

}  // namespace loyalty::broker
