// Quotes and the vendor journal in day partitions (migration 0012): days
// are created ahead, days past retention go with their rows while the
// purchases made from them stay, a quote is found whatever day it was filed
// on (also by a commit's first read), and the migration moves the rows an older schema holds (a
// quote's lines, discounts and programs into its row, read back through views).

#include <gtest/gtest.h>

#include <functional>
#include <future>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "broker/storage/migrations.h"
#include "broker/storage/partition_upkeep.h"
#include "broker/storage/pg_commit_reads.h"
#include "broker/storage/pg_quote_repository.h"
#include "broker/storage/pool.h"
#include "tests/integration/broker_stack.h"

namespace loyalty::broker {
namespace {

using testing::ExecuteSql;
using testing::QueryInt;

const std::vector<std::string> kParents = {"quotes", "vendor_operations"};

// The partition of `parent` for the UTC day `days` from today.
std::string DayPartition(const std::string& parent, int days) {
  return absl::StrCat(
      parent, "_",
      absl::FormatTime("%Y%m%d", absl::Now() + absl::Hours(24 * days), absl::UTCTimeZone()));
}

bool Exists(const std::string& table) {
  return QueryInt(absl::StrCat("SELECT count(*) FROM pg_class WHERE relname = '", table, "'")) > 0;
}

// Runs the upkeep until `done` holds (a pass does nothing while another
// broker's pass runs), a few times at most.
void RunUntil(PartitionUpkeep& upkeep, const std::function<bool()>& done) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    auto pass = upkeep.RunOnce();
    ASSERT_TRUE(pass.ok()) << pass.status();
    if (done()) return;
    absl::SleepFor(absl::Milliseconds(50));
  }
  ADD_FAILURE() << "the upkeep did not get its turn";
}

class PartitionsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pqxx::connection connection("");
    ASSERT_TRUE(ApplyMigrations(connection, EmbeddedMigrations()).ok());
  }

  void SetUp() override {
    store_ = absl::StrCat("part-", testing::RunId(), "-",
                          ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ExecuteSql(absl::StrCat("INSERT INTO stores (store_id, name) VALUES ('", store_, "', 'P')"));
    ExecuteSql(
        absl::StrCat("INSERT INTO programs (store_id, code, vendor, position, base_url) "
                     "VALUES ('",
                     store_, "', 'lc', 'loyalclient', 0, 'http://127.0.0.1:1')"));
    ASSERT_TRUE(pool_.Connect().ok());
  }

  // A quote filed `days_ago` days back, with a line and the program's result.
  std::string FileQuote(int days_ago) {
    const std::string day = absl::StrCat("(now() AT TIME ZONE 'UTC')::date - ", days_ago);
    for (const auto& parent : kParents) {
      ExecuteSql(absl::StrCat("SELECT loyalty_create_day_partitions('", parent, "', ", day, ", ",
                              day, ")"));
    }
    pqxx::connection connection("");
    pqxx::work tx(connection);
    const std::string quote_id =
        tx.exec_params1(
              "INSERT INTO quotes (quote_id, store_id, total_before_minor, discount_minor, "
              "total_minor, spendable_centipoints, earn_centipoints, created_at, expires_at, "
              "lines, programs) SELECT gen_random_uuid(), $1, 1000, 100, 900, 0, 0, "
              "now() - make_interval(days => $2), now() + interval '1 hour', "
              "jsonb_build_array(jsonb_build_object('line_no', 1, 'sku', 'MILK', 'barcode', '', "
              "'quantity_milli', 1000, 'unit_price_minor', 1000, 'min_unit_price_minor', 0, "
              "'total_before_minor', 1000, 'discount_minor', 100, 'total_minor', 900, "
              "'min_total_minor', 0)), "
              "jsonb_build_array(jsonb_build_object('program_id', program_id, 'used', true, "
              "'discount_minor', 100, 'spendable_centipoints', 0, 'earn_centipoints', 0, "
              "'ledger_held_centipoints', 0, 'unreachable', false)) "
              "FROM programs WHERE store_id = $1 RETURNING quote_id::text",
              store_, days_ago)[0]
            .as<std::string>();
    tx.commit();
    return quote_id;
  }

  // A journal row of this store's program, `days_ago` days back.
  void JournalRow(int days_ago) {
    const std::string day = absl::StrCat("(now() AT TIME ZONE 'UTC')::date - ", days_ago);
    ExecuteSql(absl::StrCat("SELECT loyalty_create_day_partitions('vendor_operations', ", day, ", ",
                            day, ")"));
    ExecuteSql(absl::StrCat(
        "INSERT INTO vendor_operations (store_id, program_id, operation, outcome, latency_us, "
        "started_at) SELECT store_id, program_id, 'quote', 'approved', 1000, now() - interval '",
        days_ago, " days' FROM programs WHERE store_id = '", store_, "'"));
  }

  int64_t Count(const std::string& table) {
    return QueryInt(
        absl::StrCat("SELECT count(*) FROM ", table, " WHERE store_id = '", store_, "'"));
  }

  std::string store_;
  ConnectionPool pool_{"", 2};
};

TEST_F(PartitionsTest, DaysAheadAreCreatedForEveryPartitionedTable) {
  PartitionUpkeep upkeep(pool_, {.quote_days = 35, .journal_days = 90, .days_ahead = 20});
  RunUntil(upkeep, [] { return Exists(DayPartition("vendor_operations", 20)); });
  for (const auto& parent : kParents) {
    EXPECT_TRUE(Exists(DayPartition(parent, 0))) << parent;
    EXPECT_TRUE(Exists(DayPartition(parent, 20))) << parent;
  }
  // A second pass finds nothing to create.
  auto again = upkeep.RunOnce();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->created, 0);
}

// A day's journal partition locks `holds` and `purchases` (the journal's keys
// name them), which commits hold while they write: the upkeep waits 200 ms
// at most, leaves the work to its next pass, and a commit is never the one a
// lock cycle is broken on (migration 0023).
TEST_F(PartitionsTest, TheUpkeepGivesWayToACommitInsteadOfWaitingForIt) {
  pqxx::connection commit("");
  pqxx::work in_flight(commit);
  in_flight.exec0("LOCK TABLE holds IN ROW EXCLUSIVE MODE");  // as a commit's statement does
  PartitionUpkeep upkeep(pool_, {.quote_days = 35, .journal_days = 90, .days_ahead = 45});
  bool gave_way = false;
  // Another broker's pass may hold the upkeep's turn for a moment.
  for (int attempt = 0; attempt < 20 && !gave_way; ++attempt) {
    const absl::Time start = absl::Now();
    auto pass = upkeep.RunOnce();
    ASSERT_TRUE(pass.ok()) << pass.status();
    if (!pass->gave_way) {
      absl::SleepFor(absl::Milliseconds(50));
      continue;
    }
    gave_way = true;
    EXPECT_LT(absl::Now() - start, absl::Milliseconds(900));
    EXPECT_EQ(pass->created, 0);
  }
  EXPECT_TRUE(gave_way);
  EXPECT_FALSE(Exists(DayPartition("vendor_operations", 45)));
  EXPECT_FALSE(Exists(DayPartition("quotes", 45)));  // the whole pass gave way
  in_flight.abort();
  RunUntil(upkeep, [] { return Exists(DayPartition("vendor_operations", 45)); });
}

TEST_F(PartitionsTest, DaysPastRetentionGoWithTheirRowsAndThePurchasesStay) {
  // The other tests' brokers keep the partitions too (default retention):
  // the upkeep's own lock keeps them off while the old days are filled.
  auto keeper = std::make_unique<pqxx::connection>("");
  pqxx::nontransaction(*keeper).exec1(
      "SELECT pg_advisory_lock(hashtext('loyalty_maintain_partitions'))");
  const std::string old_quote = FileQuote(40);
  FileQuote(3);
  ExecuteSql(absl::StrCat(
      "INSERT INTO purchases (store_id, order_number, quote_id, idempotency_key, status, "
      "total_before_minor, discount_minor, total_minor, paid_minor) VALUES ('",
      store_, "', 'OLD-1', '", old_quote, "', 'k-old-1', 'confirmed', 1000, 100, 900, 900)"));
  JournalRow(40);
  JournalRow(100);
  ASSERT_EQ(Count("quotes"), 2);
  ASSERT_EQ(Count("vendor_operations"), 2);
  keeper.reset();  // its lock goes with its session

  PartitionUpkeep upkeep(pool_, {.quote_days = 35, .journal_days = 90, .days_ahead = 14});
  RunUntil(upkeep, [] { return !Exists(DayPartition("vendor_operations", -100)); });

  // The 40-day-old quote's day is gone with its lines; the 3-day-old one
  // is kept, and so is the purchase made from the old quote.
  EXPECT_FALSE(Exists(DayPartition("quotes", -40)));
  EXPECT_TRUE(Exists(DayPartition("quotes", -3)));
  EXPECT_EQ(Count("quotes"), 1);
  EXPECT_EQ(
      QueryInt(absl::StrCat("SELECT count(*) FROM quote_lines WHERE quote_id = '", old_quote, "'")),
      0);
  EXPECT_EQ(Count("purchases"), 1);
  // The journal keeps its own retention: the 100-day-old row went, the
  // 40-day-old one stays.
  EXPECT_EQ(Count("vendor_operations"), 1);
  EXPECT_FALSE(Exists(DayPartition("vendor_operations", -100)));
  EXPECT_TRUE(Exists(DayPartition("vendor_operations", -40)));
}

TEST_F(PartitionsTest, AQuoteIsFoundWhateverDayItWasFiledOn) {
  PgQuoteRepository quotes(pool_);
  QuoteRecord fresh;
  fresh.store_id = store_;
  fresh.total_before_minor = fresh.total_minor = 500;
  ASSERT_TRUE(quotes.Save(fresh, 900).ok());
  auto loaded = quotes.Load(store_, fresh.quote_id);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->total_minor, 500);
  EXPECT_FALSE(loaded->created_at.empty());
  EXPECT_EQ(QueryInt(absl::StrCat("SELECT count(*) FROM ", DayPartition("quotes", 0),
                                  " WHERE quote_id = '", fresh.quote_id, "'")),
            1);

  // Filed five days ago (past the recent days a lookup tries first), still
  // live: found, with its line and program.
  const std::string old_quote = FileQuote(5);
  auto old = quotes.Load(store_, old_quote);
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ(old->total_minor, 900);
  ASSERT_EQ(old->lines.size(), 1u);
  EXPECT_EQ(old->lines[0].line.sku, "MILK");
  ASSERT_EQ(old->programs.size(), 1u);
  EXPECT_EQ(old->programs[0].discount_minor, 100);
}

// A commit's first read finds its key and its quote in one statement, and
// answers each as its own repository would, whatever day the quote is on.
TEST_F(PartitionsTest, ACommitReadsItsKeyAndItsQuoteTogether) {
  PgQuoteRepository quotes(pool_);
  PgCommitReads reads(pool_, quotes);
  QuoteRecord fresh;
  fresh.store_id = store_;
  fresh.total_before_minor = fresh.total_minor = 500;
  ASSERT_TRUE(quotes.Save(fresh, 900).ok());
  const auto read = [&](const std::string& key, const std::string& hash,
                        const std::string& quote_id, const std::string& store) {
    auto start = reads.Read(store, key, "commit", hash, quote_id);
    EXPECT_TRUE(start.ok()) << start.status();
    return start.ok() ? *std::move(start) : CommitStart{start.status(), start.status()};
  };

  CommitStart start = read("k-1", "h", fresh.quote_id, store_);
  ASSERT_TRUE(start.key.ok()) << start.key.status();
  EXPECT_EQ(start.key->state, IdempotencyClaim::State::kFree);
  ASSERT_TRUE(start.quote.ok()) << start.quote.status();
  EXPECT_EQ(start.quote->total_minor, 500);
  EXPECT_EQ(start.quote->created_at, quotes.Load(store_, fresh.quote_id)->created_at);
  // The expiry stored is the one the till was told.
  EXPECT_EQ(start.quote->expires_at_unix, fresh.expires_at_unix);
  // Past the recent days: found by the wider look.
  start = read("k-1", "h", FileQuote(5), store_);
  ASSERT_TRUE(start.quote.ok()) << start.quote.status();
  ASSERT_EQ(start.quote->lines.size(), 1u);
  EXPECT_EQ(start.quote->lines[0].line.sku, "MILK");
  // Another store's quote, or no UUID at all: nobody's.
  EXPECT_TRUE(absl::IsNotFound(read("k-1", "h", fresh.quote_id, store_ + "-other").quote.status()));
  start = read("k-1", "h", "not-a-uuid", store_);
  EXPECT_TRUE(start.key.ok());
  EXPECT_TRUE(absl::IsNotFound(start.quote.status()));

  // A key claimed by a request still running, and the same key with other
  // content.
  ExecuteSql(
      absl::StrCat("INSERT INTO idempotency_keys (store_id, idempotency_key, method, "
                   "request_hash, state) VALUES ('",
                   store_, "', 'k-1', 'commit', 'h', 'in_progress')"));
  start = read("k-1", "h", fresh.quote_id, store_);
  ASSERT_TRUE(start.key.ok());
  EXPECT_EQ(start.key->state, IdempotencyClaim::State::kInProgress);
  EXPECT_EQ(read("k-1", "other", fresh.quote_id, store_).key.status().code(),
            absl::StatusCode::kAlreadyExists);
}

// The migration on a database an older broker filled: every row moves to
// its day's partition, children with their quote's time.
TEST(PartitionsMigration, MovesTheRowsAnOlderSchemaHolds) {
  testing::ScratchDatabase database("migrate", 12);
  {
    pqxx::connection connection(database.conninfo());
    pqxx::work tx(connection);
    tx.exec0(
        "INSERT INTO stores (store_id, name) VALUES ('m', 'M');"
        "INSERT INTO programs (store_id, code, vendor, position, base_url) "
        "VALUES ('m', 'lc', 'loyalclient', 0, 'http://127.0.0.1:1');"
        "INSERT INTO quotes (quote_id, store_id, total_before_minor, discount_minor, total_minor, "
        "spendable_centipoints, earn_centipoints, created_at, expires_at) VALUES "
        "('00000000-0000-4000-8000-000000000001', 'm', 100, 0, 100, 0, 0, "
        "now() - interval '10 days', now()), "
        "('00000000-0000-4000-8000-000000000002', 'm', 200, 0, 200, 0, 0, now(), now());"
        "INSERT INTO quote_lines (quote_id, line_no, sku, quantity_milli, unit_price_minor, "
        "min_unit_price_minor, total_before_minor, discount_minor, total_minor) "
        "SELECT quote_id, 1, 'MILK', 1000, total_minor, 0, total_minor, 10, total_minor - 10 "
        "FROM quotes;"
        "INSERT INTO quote_line_discounts (quote_id, line_no, program_id, campaign, "
        "amount_minor) SELECT quote_id, 1, (SELECT program_id FROM programs), 'c', 10 "
        "FROM quotes;"
        "INSERT INTO purchases (store_id, order_number, quote_id, idempotency_key, status, "
        "total_before_minor, discount_minor, total_minor, paid_minor) VALUES "
        "('m', 'M-1', '00000000-0000-4000-8000-000000000001', 'k', 'confirmed', 100, 0, 100, "
        "100);"
        "INSERT INTO vendor_operations (store_id, program_id, operation, outcome, latency_us, "
        "started_at) SELECT 'm', program_id, 'quote', 'approved', 5, now() - interval '20 days' "
        "FROM programs;");
    tx.commit();
    const absl::Status applied = database.MigrateToNewest();
    ASSERT_TRUE(applied.ok()) << applied;
    pqxx::nontransaction read(connection);
    auto count = [&](const std::string& sql) { return read.exec1(sql)[0].as<int64_t>(); };
    EXPECT_EQ(count("SELECT count(*) FROM quotes"), 2);
    EXPECT_EQ(count("SELECT count(DISTINCT tableoid) FROM quotes"), 2);
    EXPECT_EQ(count("SELECT count(*) FROM quote_lines l JOIN quotes q "
                    "USING (quote_id, created_at)"),
              2);
    EXPECT_EQ(count("SELECT count(*) FROM quote_line_discounts d JOIN quote_lines l "
                    "USING (quote_id, created_at, line_no)"),
              2);
    EXPECT_EQ(count("SELECT count(*) FROM vendor_operations"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM daily_quote_conversion WHERE purchased = 1"), 1);
    // The journal's ids go on from where they were.
    EXPECT_GT(count("SELECT nextval('vendor_operations_operation_id_seq')"), 1);
  }
}

// Two callers creating the same days at once (two replicas' upkeep, a
// migration, an operator): each day is created once and neither fails.
TEST(PartitionsConcurrency, TwoCallersCreatingTheSameDaysBothSucceed) {
  testing::ScratchDatabase database("partitions_race", 1 << 20);
  for (int round = 0; round < 10; ++round) {
    // Days no one made yet: a week each round, well past the days ahead.
    const int first = 100 + 7 * round;
    const std::string sql = absl::StrCat(
        "SELECT loyalty_create_day_partitions('quotes', (now() AT TIME ZONE 'UTC')::date + ", first,
        ", (now() AT TIME ZONE 'UTC')::date + ", first + 6, ")");
    std::vector<std::future<std::string>> callers;
    for (int caller = 0; caller < 2; ++caller) {
      callers.push_back(std::async(std::launch::async, [&] {
        try {
          pqxx::connection connection(database.conninfo());
          pqxx::nontransaction(connection).exec1(sql);
          return std::string();
        } catch (const std::exception& e) {
          return std::string(e.what());
        }
      }));
    }
    for (auto& caller : callers) EXPECT_EQ(caller.get(), "") << "round " << round;
  }
  pqxx::connection connection(database.conninfo());
  EXPECT_EQ(pqxx::nontransaction(connection)
                .exec1("SELECT count(*) FROM pg_inherits WHERE inhparent = 'quotes'::regclass "
                       "AND inhrelid::regclass::text >= 'quotes_' || to_char((now() AT TIME "
                       "ZONE 'UTC')::date + 100, 'YYYYMMDD')")[0]
                .as<int>(),
            70);
}

}  // namespace
}  // namespace loyalty::broker
