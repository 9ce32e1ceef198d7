// Quotes written behind their answer (pg_quote_repository.h): a read of a
// quote this replica is still writing waits for the row, a quote another
// replica is writing is looked for once more a moment later, a quote waits
// for its own row while the writer is behind, and past the queue's bound a
// quote is refused rather than kept in memory without end.
// The database's write is held back by a lock on the quotes table, in a
// database of the test's own.

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "broker/storage/pg_commit_reads.h"
#include "broker/storage/pg_quote_repository.h"
#include "broker/storage/pool.h"
#include "tests/integration/broker_stack.h"

namespace loyalty::broker {
namespace {

class QuoteWritesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pqxx::connection connection(database_.conninfo());
    pqxx::work tx(connection);
    tx.exec0(
        "INSERT INTO stores (store_id, name) VALUES ('w', 'W');"
        "INSERT INTO programs (store_id, code, vendor, position, base_url) "
        "VALUES ('w', 'lc', 'loyalclient', 0, 'http://127.0.0.1:1')");
    tx.commit();
    ASSERT_TRUE(pool_.Connect().ok());
  }

  static QuoteRecord Quote() {
    QuoteRecord quote;
    quote.store_id = "w";
    quote.total_before_minor = quote.total_minor = 700;
    return quote;
  }

  // Holds every write to the quotes table back until Release (reads go on).
  void HoldWrites() {
    holder_ = std::make_unique<pqxx::connection>(database_.conninfo());
    hold_ = std::make_unique<pqxx::work>(*holder_);
    hold_->exec0("LOCK TABLE quotes IN SHARE MODE");
  }
  void Release() {
    hold_->commit();
    hold_.reset();
  }

  testing::ScratchDatabase database_{"quote_writes", 1 << 20};
  ConnectionPool pool_{database_.conninfo(), 4};
  std::unique_ptr<pqxx::connection> holder_;
  std::unique_ptr<pqxx::work> hold_;
};

TEST_F(QuoteWritesTest, ACommitWaitsForTheQuoteThisReplicaIsWriting) {
  PgQuoteRepository quotes(pool_);
  PgCommitReads reads(pool_, quotes);
  HoldWrites();
  QuoteRecord quote = Quote();
  ASSERT_TRUE(quotes.Save(quote, 900).ok());  // answered at once, though not written
  auto read = std::async(std::launch::async,
                         [&] { return reads.Read("w", "k-1", "commit", "h", quote.quote_id); });
  EXPECT_EQ(read.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout)
      << "the commit's read did not wait for its quote";
  Release();
  absl::StatusOr<CommitStart> start = read.get();
  ASSERT_TRUE(start.ok()) << start.status();
  ASSERT_TRUE(start->quote.ok()) << start->quote.status();
  EXPECT_EQ(start->quote->total_minor, 700);
  EXPECT_EQ(start->quote->expires_at_unix, quote.expires_at_unix);
}

TEST_F(QuoteWritesTest, AQuoteAnotherReplicaIsWritingIsFoundAMomentLater) {
  PgQuoteRepository answered_here(pool_);
  PgQuoteRepository other_replica(pool_, "", {.recheck_after = absl::Seconds(1)});
  HoldWrites();
  QuoteRecord quote = Quote();
  ASSERT_TRUE(answered_here.Save(quote, 900).ok());
  const absl::Time start = absl::Now();
  auto load =
      std::async(std::launch::async, [&] { return other_replica.Load("w", quote.quote_id); });
  absl::SleepFor(absl::Milliseconds(300));  // its first look found nothing
  Release();
  absl::StatusOr<QuoteRecord> loaded = load.get();
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->total_minor, 700);
  EXPECT_GE(absl::Now() - start, absl::Seconds(1));

  // A quote nobody wrote is not found, after the one more look.
  QuoteRecord never = Quote();
  never.quote_id = "00000000-0000-4000-8000-00000000abcd";
  EXPECT_TRUE(absl::IsNotFound(other_replica.Load("w", never.quote_id).status()));
}

TEST_F(QuoteWritesTest, AQuoteWaitsForItsRowWhileTheWriterIsBehind) {
  QuoteWriteSettings settings;
  settings.wait_above = 1;
  settings.write_wait = absl::Seconds(30);
  PgQuoteRepository quotes(pool_, "", settings);
  HoldWrites();
  QuoteRecord first = Quote(), second = Quote();
  ASSERT_TRUE(quotes.Save(first, 900).ok());  // one waiting: answered at once
  auto saving = std::async(std::launch::async, [&] { return quotes.Save(second, 900); });
  EXPECT_EQ(saving.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout)
      << "the quote did not wait for its row";
  Release();
  const absl::Status saved = saving.get();
  EXPECT_TRUE(saved.ok()) << saved;
  EXPECT_TRUE(quotes.Load("w", second.quote_id).ok());

  // A database that stays away: the quote that had to wait is refused,
  // as a quote was when it was written before its answer.
  settings.write_wait = absl::Milliseconds(300);
  PgQuoteRepository impatient(pool_, "", settings);
  HoldWrites();
  QuoteRecord third = Quote(), fourth = Quote();
  ASSERT_TRUE(impatient.Save(third, 900).ok());
  const absl::Status refused = impatient.Save(fourth, 900);
  EXPECT_TRUE(absl::IsUnavailable(refused)) << refused;
  Release();
}

TEST_F(QuoteWritesTest, PastItsBoundTheQueueRefusesAQuoteAndLosesNoneItTook) {
  QuoteWriteSettings settings;
  settings.rows.max_queued = 2;
  PgQuoteRepository quotes(pool_, "", settings);
  HoldWrites();
  // The first is being written (held by the lock), the second waits.
  QuoteRecord first = Quote(), second = Quote(), third = Quote();
  ASSERT_TRUE(quotes.Save(first, 900).ok());
  ASSERT_TRUE(quotes.Save(second, 900).ok());
  const absl::Status refused = quotes.Save(third, 900);
  EXPECT_TRUE(absl::IsUnavailable(refused)) << refused;
  Release();
  ASSERT_TRUE(quotes.Flush(absl::Seconds(10)));
  for (const QuoteRecord* q : {&first, &second}) {
    EXPECT_TRUE(quotes.Load("w", q->quote_id).ok()) << q->quote_id;
  }
  pqxx::connection connection(database_.conninfo());
  EXPECT_EQ(pqxx::nontransaction(connection).exec1("SELECT count(*) FROM quotes")[0].as<int>(), 2);
}

}  // namespace
}  // namespace loyalty::broker
