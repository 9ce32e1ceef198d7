// Purchase intents written together (pg_purchase_intents.h): tills that
// commit at the same moment share one statement, and what each is told
// matches what the database holds, also when intents of one batch collide
// (the same key, the same order number, the same quote), which makes the
// batch give way to each intent on its own.

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <pqxx/pqxx>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/barrier.h"
#include "broker/common/random_id.h"
#include "broker/storage/migrations.h"
#include "broker/storage/pg_purchase_repository.h"
#include "broker/storage/pool.h"
#include "tests/integration/broker_stack.h"

namespace loyalty::broker {
namespace {

using testing::ExecuteSql;
using testing::QueryInt;

class PurchaseIntentsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pqxx::connection connection("");
    ASSERT_TRUE(ApplyMigrations(connection, EmbeddedMigrations()).ok());
  }

  void SetUp() override {
    store_ = absl::StrCat("intents-", testing::RunId(), "-",
                          ::testing::UnitTest::GetInstance()->current_test_info()->name());
    // Quote ids are unique across stores: each test has its own.
    quote_prefix_ = RandomUuid().substr(0, 8);
    ASSERT_TRUE(pool_.Connect().ok());
  }

  // A purchase of `order` from `quote` under `key`, with one program and a
  // one-line cart.
  PurchaseRecord Purchase(const std::string& order, int quote, const std::string& key) const {
    PurchaseRecord p;
    p.store_id = store_;
    p.order_number = order;
    p.quote_id = absl::StrCat(quote_prefix_, "-0000-4000-8000-", absl::StrFormat("%012d", quote));
    p.idempotency_key = key;
    p.total_before_minor = 1000 + quote;
    p.discount_minor = 100;
    p.total_minor = 900 + quote;
    p.paid_minor = 900 + quote;
    QuoteLineRecord line;
    line.line.line_no = 1;
    line.line.sku = "SKU-" + order;
    line.line.quantity_milli = 1000;
    line.line.unit_price_minor = 1000 + quote;
    line.line.total_before_minor = 1000 + quote;
    line.line.discount_minor = 100;
    p.lines.push_back(line);
    PurchaseProgramRecord program;
    program.program_id = 7;
    program.vendor_customer_id = "customer-" + key;
    p.programs.push_back(program);
    return p;
  }

  int64_t Count(const std::string& table, const std::string& where = "") const {
    return QueryInt(
        absl::StrCat("SELECT count(*) FROM ", table, " WHERE store_id = '", store_, "'", where));
  }

  std::string store_;
  std::string quote_prefix_;
  ConnectionPool pool_{"", 8};
};

// One intent each; they all land, each under its own purchase, and some
// share a transaction (rows written by one statement share its xmin).
TEST_F(PurchaseIntentsTest, ConcurrentIntentsShareStatementsAndEachGetsItsOwnPurchase) {
  PgPurchaseRepository purchases(pool_);
  constexpr int kThreads = 16;
  constexpr int kEach = 20;
  std::vector<std::vector<PurchaseRecord>> written(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int n = 0; n < kEach; ++n) {
        PurchaseRecord p =
            Purchase(absl::StrCat("O-", t, "-", n), t * kEach + n, absl::StrCat("K-", t, "-", n));
        const absl::StatusOr<bool> claimed = purchases.WriteIntent(p, {"CommitPurchase", "h"});
        ASSERT_TRUE(claimed.ok()) << claimed.status();
        ASSERT_TRUE(*claimed);
        written[t].push_back(p);
      }
    });
  }
  for (auto& thread : threads) thread.join();

  // The id each was told is the row of its own order, key, quote, figures
  // and lines, with its program: checked in one query for all of them.
  std::set<int64_t> ids;
  std::string told;
  for (const auto& of_thread : written) {
    for (const PurchaseRecord& p : of_thread) {
      ids.insert(p.purchase_id);
      absl::StrAppend(&told, told.empty() ? "" : ", ", "(", p.purchase_id, ", '", p.order_number,
                      "', '", p.idempotency_key, "', '", p.quote_id, "'::uuid, ", p.total_minor,
                      ", '", p.lines[0].line.sku, "')");
    }
  }
  EXPECT_EQ(
      QueryInt(absl::StrCat(
          "SELECT count(*) FROM (VALUES ", told,
          ") AS t(purchase_id, order_number, idempotency_key, quote_id, total_minor, sku) "
          "JOIN purchases p USING (purchase_id, order_number, idempotency_key, quote_id, "
          "total_minor) JOIN purchase_programs pp USING (purchase_id) "
          "WHERE p.store_id = '",
          store_,
          "' AND p.status = 'pending' AND p.lines->0->>'sku' = t.sku "
          "AND pp.program_id = 7 AND pp.vendor_customer_id = 'customer-' || t.idempotency_key")),
      kThreads * kEach);
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(Count("purchases"), kThreads * kEach);
  EXPECT_EQ(Count("idempotency_keys", " AND state = 'in_progress'"), kThreads * kEach);
  EXPECT_LT(QueryInt(absl::StrCat("SELECT count(DISTINCT xmin::text) FROM purchases "
                                  "WHERE store_id = '",
                                  store_, "'")),
            kThreads * kEach)
      << "no two intents shared a statement";
}

// Intents drawn from a few orders, keys and quotes, so that many collide,
// also within a batch (seeded). Whatever each was told: a claimed key has
// its purchase and no other; an order has one purchase; a quote backs one
// purchase; a refused intent leaves nothing behind, its key included.
TEST_F(PurchaseIntentsTest, CollidingIntentsAreEachToldWhatTheDatabaseHolds) {
  PgPurchaseRepository purchases(pool_);
  constexpr int kThreads = 16;
  constexpr int kRounds = 12;
  struct Outcome {
    PurchaseRecord purchase;
    absl::StatusOr<bool> claimed;
  };
  std::vector<Outcome> outcomes;
  std::mutex outcomes_mutex;
  for (int round = 0; round < kRounds; ++round) {
    std::mt19937 random(1000 + round);
    // A few orders, keys and quotes per round, fresh each round.
    const auto pick = [&](int n) { return static_cast<int>(random() % n); };
    std::vector<PurchaseRecord> intents;
    for (int t = 0; t < kThreads; ++t) {
      const int order = pick(8);
      const int key = pick(10);
      const int quote = pick(9);
      intents.push_back(Purchase(absl::StrCat("R", round, "-O", order), round * 100 + quote,
                                 absl::StrCat("R", round, "-K", key)));
    }
    absl::Barrier* start = new absl::Barrier(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        PurchaseRecord p = intents[t];
        if (start->Block()) delete start;
        absl::StatusOr<bool> claimed = purchases.WriteIntent(p, {"CommitPurchase", "h"});
        std::lock_guard lock(outcomes_mutex);
        outcomes.push_back({p, claimed});
      });
    }
    for (auto& thread : threads) thread.join();
  }

  std::map<std::string, int64_t> purchase_of_key;  // claimed keys
  std::set<int64_t> ids;
  for (const Outcome& o : outcomes) {
    if (!o.claimed.ok()) {
      // Refused: a taken order number or quote, or a race lost.
      const auto code = o.claimed.status().code();
      EXPECT_TRUE(code == absl::StatusCode::kAlreadyExists || code == absl::StatusCode::kAborted ||
                  code == absl::StatusCode::kFailedPrecondition)
          << o.claimed.status();
      continue;
    }
    if (!*o.claimed) continue;  // the key was another intent's
    const std::string key = o.purchase.idempotency_key;
    EXPECT_FALSE(purchase_of_key.count(key)) << "key " << key << " claimed twice";
    purchase_of_key[key] = o.purchase.purchase_id;
    EXPECT_TRUE(ids.insert(o.purchase.purchase_id).second)
        << "purchase " << o.purchase.purchase_id << " told to two intents";
    EXPECT_EQ(QueryInt(absl::StrCat(
                  "SELECT count(*) FROM purchases WHERE purchase_id = ", o.purchase.purchase_id,
                  " AND order_number = '", o.purchase.order_number, "' AND idempotency_key = '",
                  key, "' AND quote_id = '", o.purchase.quote_id, "'")),
              1)
        << key;
  }
  // What the database holds is exactly what the intents were told.
  EXPECT_EQ(Count("purchases"), static_cast<int64_t>(ids.size()));
  EXPECT_EQ(Count("idempotency_keys"), static_cast<int64_t>(purchase_of_key.size()))
      << "a refused intent kept its key";
  EXPECT_EQ(QueryInt(absl::StrCat("SELECT count(*) FROM (SELECT quote_id FROM purchases "
                                  "WHERE store_id = '",
                                  store_, "' GROUP BY quote_id HAVING count(*) > 1) AS twice")),
            0);
  EXPECT_EQ(QueryInt(absl::StrCat("SELECT count(*) FROM purchase_programs pp JOIN purchases p "
                                  "USING (purchase_id) WHERE p.store_id = '",
                                  store_, "'")),
            static_cast<int64_t>(ids.size()));
  // Some of each kind happened: purchases, and intents turned away.
  EXPECT_GT(ids.size(), 0u);
  EXPECT_LT(ids.size(), outcomes.size());
}

}  // namespace
}  // namespace loyalty::broker
