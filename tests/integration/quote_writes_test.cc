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
#include "broker/storage/quote_rows.h"
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

// Every field a commit reads, alike in both.
void ExpectSameQuote(const QuoteRecord& a, const QuoteRecord& b) {
  EXPECT_EQ(a.quote_id, b.quote_id);
  EXPECT_EQ(a.store_id, b.store_id);
  ASSERT_EQ(a.customer.has_value(), b.customer.has_value());
  if (a.customer) {
    EXPECT_EQ(a.customer->kind, b.customer->kind);
    EXPECT_EQ(a.customer->value, b.customer->value);
  }
  EXPECT_EQ(a.coupons, b.coupons);
  EXPECT_EQ(a.total_before_minor, b.total_before_minor);
  EXPECT_EQ(a.discount_minor, b.discount_minor);
  EXPECT_EQ(a.total_minor, b.total_minor);
  EXPECT_EQ(a.spendable_centipoints, b.spendable_centipoints);
  EXPECT_EQ(a.earn_centipoints, b.earn_centipoints);
  EXPECT_EQ(a.expires_at_unix, b.expires_at_unix);
  EXPECT_EQ(LinesJson(a.lines).lines, LinesJson(b.lines).lines);
  EXPECT_EQ(LinesJson(a.lines).discounts, LinesJson(b.lines).discounts);
  for (size_t i = 0; i < a.lines.size() && i < b.lines.size(); ++i) {
    EXPECT_EQ(a.lines[i].discount_program_ids, b.lines[i].discount_program_ids);
  }
  ASSERT_EQ(a.programs.size(), b.programs.size());
  for (size_t i = 0; i < a.programs.size(); ++i) {
    const QuoteProgramRecord& x = a.programs[i];
    const QuoteProgramRecord& y = b.programs[i];
    EXPECT_EQ(x.program_id, y.program_id);
    EXPECT_EQ(x.used, y.used);
    EXPECT_EQ(x.skip_reason, y.skip_reason);
    EXPECT_EQ(x.skip_reason_code, y.skip_reason_code);
    EXPECT_EQ(x.balance_centipoints, y.balance_centipoints);
    EXPECT_EQ(x.unreachable, y.unreachable);
    EXPECT_EQ(x.vendor_customer_id, y.vendor_customer_id);
    EXPECT_EQ(x.discount_minor, y.discount_minor);
    EXPECT_EQ(x.spendable_centipoints, y.spendable_centipoints);
    EXPECT_EQ(x.earn_centipoints, y.earn_centipoints);
    EXPECT_EQ(x.ledger_held_centipoints, y.ledger_held_centipoints);
    EXPECT_EQ(x.vendor_reference, y.vendor_reference);
    EXPECT_EQ(x.explanation, y.explanation);
    EXPECT_EQ(x.customer_message, y.customer_message);
    EXPECT_EQ(x.receipt_texts, y.receipt_texts);
  }
}

TEST_F(QuoteWritesTest, AQuoteAtHandIsTheOneItsCommitWouldReadOnceItsRowIsWritten) {
  PgQuoteRepository quotes(pool_);
  QuoteRecord quote = Quote();
  quote.customer = connectors::CustomerRef{connectors::CustomerRef::Kind::kCard, "2775 0001"};
  quote.coupons = {"SPRING", "\u00e9t\u00e9 \"quoted\""};
  QuoteLineRecord line;
  line.line = {.line_no = 1,
               .sku = "MILK",
               .barcode = "4600000000001",
               .quantity_milli = 1500,
               .unit_price_minor = 400,
               .min_unit_price_minor = 100,
               .total_before_minor = 600,
               .min_total_minor = 150,
               .discount_minor = 90};
  line.discounts = {{.line_no = 1,
                     .amount_minor = 60,
                     .campaign_name = "Level 2",
                     .campaign_code = "",
                     .coupon = ""},
                    {.line_no = 1,
                     .amount_minor = 30,
                     .campaign_name = "Milk week",
                     .campaign_code = "MW-7",
                     .coupon = "SPRING"}};
  line.discount_program_ids = {11, 12};
  QuoteLineRecord bare;
  bare.line.line_no = 2;
  bare.line.sku = "BREAD";
  bare.line.quantity_milli = 1000;
  bare.line.unit_price_minor = bare.line.total_before_minor = 100;
  quote.lines = {line, bare};
  quote.total_before_minor = 700;
  quote.discount_minor = 90;
  quote.total_minor = 610;
  quote.spendable_centipoints = 30500;
  quote.earn_centipoints = 6100;
  QuoteProgramRecord used;
  used.program_id = 11;
  used.used = true;
  used.vendor_customer_id = "c-77";
  used.balance_centipoints = 120000;
  used.discount_minor = 60;
  used.spendable_centipoints = 30500;
  used.earn_centipoints = 6100;
  used.ledger_held_centipoints = 500;
  used.vendor_reference = "r-1";
  used.explanation = "level 2";
  used.customer_message = "Hello";  // answered at the quote, not stored
  used.receipt_texts = {"Thank you"};
  QuoteProgramRecord skipped;
  skipped.program_id = 12;
  skipped.skip_reason = "vendor unreachable";
  skipped.skip_reason_code = "VENDOR_UNAVAILABLE";
  skipped.unreachable = true;
  quote.programs = {used, skipped};

  HoldWrites();
  ASSERT_TRUE(quotes.Save(quote, 900).ok());
  auto at_hand = std::async(std::launch::async, [&] { return quotes.Recent("w", quote.quote_id); });
  EXPECT_EQ(at_hand.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout)
      << "the quote was at hand before its row was written";
  Release();
  const std::shared_ptr<const QuoteRecord> recent = at_hand.get();
  ASSERT_NE(recent, nullptr);
  absl::StatusOr<QuoteRecord> loaded = quotes.Load("w", quote.quote_id);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ExpectSameQuote(*recent, *loaded);
  EXPECT_EQ(recent->programs[0].spendable_centipoints, 30500);

  // Not another store's, nor at hand on another replica.
  EXPECT_EQ(quotes.Recent("x", quote.quote_id), nullptr);
  PgQuoteRepository other_replica(pool_);
  EXPECT_EQ(other_replica.Recent("w", quote.quote_id), nullptr);

  // A quote whose row the database refuses (a negative total) is not at hand.
  QuoteRecord refused = Quote();
  refused.total_minor = -1;
  ASSERT_TRUE(quotes.Save(refused, 900).ok());  // answered before its write
  EXPECT_EQ(quotes.Recent("w", refused.quote_id), nullptr);
  EXPECT_TRUE(absl::IsNotFound(quotes.Load("w", refused.quote_id).status()));
}

}  // namespace
}  // namespace loyalty::broker
