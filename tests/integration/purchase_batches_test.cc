// Purchase intents and outcomes written together (pg_purchase_intents.h,
// pg_purchase_outcomes.h): tills that commit at the same moment share one
// statement, and what each is told matches what the database holds, also
// when intents of one batch collide (the same key, the same order number,
// the same quote), which makes the batch give way to each intent on its
// own; each outcome lands on its own purchase, programs, outbox steps,
// holds and stored answer.

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <pqxx/pqxx>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/barrier.h"
#include "broker/common/error_reasons.h"
#include "broker/common/random_id.h"
#include "broker/common/status_details.h"
#include "broker/storage/migrations.h"
#include "broker/storage/pg_purchase_repository.h"
#include "broker/storage/pool.h"
#include "tests/integration/broker_stack.h"

namespace loyalty::broker {
namespace {

using testing::ExecuteSql;
using testing::QueryInt;

class PurchaseBatchesTest : public ::testing::Test {
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

  // A new active hold of `customer` in program 7, linked to no purchase.
  std::string ActiveHold(const std::string& mode, const std::string& customer) const {
    pqxx::connection connection("");
    return pqxx::nontransaction(connection)
        .exec1(absl::StrCat("INSERT INTO holds (store_id, program_id, quote_id, "
                            "vendor_customer_id, amount_centipoints, mode, status, expires_at) "
                            "VALUES ('",
                            store_, "', 7, gen_random_uuid(), '", customer, "', 100, '", mode,
                            "', 'active', now() + interval '1 hour') RETURNING hold_id::text"))[0]
        .as<std::string>();
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
// share a transaction (rows written by one statement share its xmin). Every
// fifth uses a hold, so batches with and without holds (two statements)
// both occur: each hold is linked to its own purchase only.
TEST_F(PurchaseBatchesTest, ConcurrentIntentsShareStatementsAndEachGetsItsOwnPurchase) {
  PgPurchaseRepository purchases(pool_);
  constexpr int kThreads = 16;
  constexpr int kEach = 20;
  constexpr int kHoldEvery = 5;
  std::map<int, std::string> hold_of;  // by intent number
  for (int i = 0; i < kThreads * kEach; i += kHoldEvery) {
    hold_of[i] = ActiveHold("ledger", absl::StrCat("held-", i));
  }
  std::vector<std::vector<PurchaseRecord>> written(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int n = 0; n < kEach; ++n) {
        PurchaseRecord p =
            Purchase(absl::StrCat("O-", t, "-", n), t * kEach + n, absl::StrCat("K-", t, "-", n));
        if (auto hold = hold_of.find(t * kEach + n); hold != hold_of.end()) {
          p.hold_ids.push_back(hold->second);
        }
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
  std::string linked;
  for (const auto& of_thread : written) {
    for (const PurchaseRecord& p : of_thread) {
      for (const std::string& hold : p.hold_ids) {
        absl::StrAppend(&linked, linked.empty() ? "" : ", ", "('", hold, "'::uuid, ", p.purchase_id,
                        ")");
      }
    }
  }
  ASSERT_EQ(hold_of.size(), static_cast<size_t>(kThreads * kEach / kHoldEvery));
  EXPECT_EQ(QueryInt(absl::StrCat("SELECT count(*) FROM (VALUES ", linked,
                                  ") AS t(hold_id, purchase_id) JOIN holds h USING (hold_id, "
                                  "purchase_id)")),
            static_cast<int64_t>(hold_of.size()));
  EXPECT_EQ(Count("holds", " AND purchase_id IS NOT NULL"), static_cast<int64_t>(hold_of.size()));
}

// Intents drawn from a few orders, keys and quotes, so that many collide,
// also within a batch (seeded). Whatever each was told: a claimed key has
// its purchase and no other; an order has one purchase; a quote backs one
// purchase; a refused intent leaves nothing behind, its key included.
TEST_F(PurchaseBatchesTest, CollidingIntentsAreEachToldWhatTheDatabaseHolds) {
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

// Outcomes of many purchases at once (seeded): half go through, half fail
// with a step left to the outbox and an error stored with its details; some
// of the programs dropped their customer's vendor holds. Each purchase,
// program, step and stored answer is its own; a hold linked to a purchase
// that went through is never left active, and one only a dropping outcome's
// customer has is released.
TEST_F(PurchaseBatchesTest, ConcurrentOutcomesEachLandOnTheirOwnPurchase) {
  PgPurchaseRepository purchases(pool_);
  constexpr int kPurchases = 96;
  constexpr int kCustomers = 8;
  std::mt19937 random(77);
  // Every third purchase's commit names an active vendor hold of its
  // customer, which its intent links to it (as a till's commit does); every
  // customer also has an unlinked one.
  const auto hold = [&](int customer) {
    return ActiveHold("vendor", absl::StrCat("cust-", customer));
  };
  std::vector<PurchaseRecord> records;
  for (int n = 0; n < kPurchases; ++n) {
    PurchaseRecord p = Purchase(absl::StrCat("OUT-", n), n, absl::StrCat("OK-", n));
    p.programs[0].vendor_customer_id = absl::StrCat("cust-", n % kCustomers);
    if (n % 3 == 0) p.hold_ids.push_back(hold(n % kCustomers));
    const absl::StatusOr<bool> claimed = purchases.WriteIntent(p, {"CommitPurchase", "h"});
    ASSERT_TRUE(claimed.ok() && *claimed) << claimed.status();
    records.push_back(p);
  }
  for (int c = 0; c < kCustomers; ++c) hold(c);
  ASSERT_EQ(Count("holds", " AND purchase_id IS NOT NULL"), (kPurchases + 2) / 3);
  std::set<int> dropping_customers;
  std::vector<StoredAnswer> answers(kPurchases);
  std::vector<std::vector<OutboxEntry>> steps(kPurchases);
  for (int n = 0; n < kPurchases; ++n) {
    PurchaseRecord& p = records[n];
    PurchaseProgramRecord& program = p.programs[0];
    const bool through = n % 2 == 0;
    program.state = through ? BookingState::kApproved : BookingState::kFailed;
    program.vendor_reference = absl::StrCat("ref-", n);
    program.earned_centipoints = through ? 10 * n : 0;
    program.balance_after_centipoints = 5000 + n;
    // Customers 0-2 drop their holds at some of their purchases.
    program.dropped_vendor_holds = n % kCustomers < 3 && random() % 2 == 0;
    if (program.dropped_vendor_holds) dropping_customers.insert(n % kCustomers);
    p.state = through ? PurchaseState::kBooked : PurchaseState::kFailed;
    p.earned_centipoints = program.earned_centipoints;
    p.spent_centipoints = 0;
    p.paid_minor = p.total_minor - n;
    if (!through) {
      p.failure_reason = absl::StrCat("vendor said no to ", n);
      OutboxEntry step;
      step.purchase_id = p.purchase_id;
      step.program_id = 7;
      step.step = OutboxStep::kCancel;
      steps[n].push_back(step);
    }
    // Binary answers, every byte value among them.
    std::string response;
    for (int b = 0; b < 40; ++b) response.push_back(static_cast<char>((n * 41 + b * 7) % 256));
    answers[n] = {p.idempotency_key,
                  through ? absl::OkStatus()
                          : ReasonedError(absl::StatusCode::kFailedPrecondition,
                                          ErrorReason::kQuoteAlreadyCommitted,
                                          absl::StrCat("no ", n), {{"n", absl::StrCat(n)}}),
                  response};
  }
  std::vector<std::thread> threads;
  constexpr int kThreads = 16;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int n = t; n < kPurchases; n += kThreads) {
        const absl::Status written = purchases.WriteOutcome(records[n], answers[n], steps[n]);
        EXPECT_TRUE(written.ok()) << written;
      }
    });
  }
  for (auto& thread : threads) thread.join();

  std::string expected;
  for (int n = 0; n < kPurchases; ++n) {
    const PurchaseRecord& p = records[n];
    absl::StrAppend(&expected, expected.empty() ? "" : ", ", "(", p.purchase_id, ", '",
                    std::string(PurchaseStateName(p.state)), "', ", p.paid_minor, ", ",
                    p.earned_centipoints, ", ",
                    p.failure_reason.empty() ? "NULL" : absl::StrCat("'", p.failure_reason, "'"),
                    ", '", p.programs[0].vendor_reference, "', ", p.programs[0].earned_centipoints,
                    ", '", std::string(StateName(p.programs[0].state)), "', ");
    absl::StrAppend(&expected, *p.programs[0].balance_after_centipoints, ", ", steps[n].size(),
                    ", ", static_cast<int>(answers[n].status.code()), ", '",
                    absl::BytesToHexString(answers[n].response), "', '",
                    absl::BytesToHexString(SerializedDetails(answers[n].status)), "')");
  }
  EXPECT_EQ(QueryInt(absl::StrCat(
                "SELECT count(*) FROM (VALUES ", expected,
                ") AS e(purchase_id, status, paid_minor, earned, failure_reason, reference, "
                "program_earned, program_status, balance, steps, code, response, details) "
                "JOIN purchases p USING (purchase_id) "
                "JOIN purchase_programs pp USING (purchase_id) "
                "JOIN idempotency_keys k ON k.store_id = p.store_id "
                "AND k.idempotency_key = p.idempotency_key "
                "WHERE p.status = e.status AND p.paid_minor = e.paid_minor "
                "AND p.earned_centipoints = e.earned "
                "AND p.failure_reason IS NOT DISTINCT FROM e.failure_reason "
                "AND p.busy_with IS NULL AND pp.vendor_reference = e.reference "
                "AND pp.earned_centipoints = e.program_earned AND pp.status = e.program_status "
                "AND pp.balance_after_centipoints = e.balance "
                "AND k.state = 'completed' AND k.status_code = e.code "
                "AND encode(k.response, 'hex') = e.response "
                "AND encode(k.status_details, 'hex') = e.details "
                "AND (SELECT count(*) FROM outbox o WHERE o.purchase_id = p.purchase_id "
                "AND o.operation = 'cancel' AND o.program_id = 7) = e.steps")),
            kPurchases);
  // Holds: linked to a purchase that went through, never left active;
  // unlinked, released exactly for the customers whose holds were dropped.
  const std::string holds = absl::StrCat("holds h WHERE h.store_id = '", store_, "'");
  EXPECT_EQ(QueryInt(absl::StrCat("SELECT count(*) FROM ", holds,
                                  " AND h.status = 'active' AND h.purchase_id IN (SELECT "
                                  "purchase_id FROM purchases WHERE status = 'booked')")),
            0);
  EXPECT_GT(QueryInt(absl::StrCat("SELECT count(*) FROM ", holds, " AND h.status = 'consumed'")),
            0);
  std::string dropped = "-1";
  for (int c : dropping_customers) absl::StrAppend(&dropped, ", ", c);
  EXPECT_EQ(QueryInt(absl::StrCat("SELECT count(*) FROM ", holds,
                                  " AND h.purchase_id IS NULL AND (h.status = 'released') <> "
                                  "(substr(h.vendor_customer_id, 6)::int IN (",
                                  dropped, "))")),
            0);
  EXPECT_EQ(QueryInt(absl::StrCat("SELECT count(*) FROM ", holds,
                                  " AND (h.status = 'active') = (h.closed_at IS NOT NULL)")),
            0);
  EXPECT_FALSE(dropping_customers.empty());
  // Outcomes shared statements (rows updated by one share its xmin).
  EXPECT_LT(QueryInt(absl::StrCat("SELECT count(DISTINCT xmin::text) FROM purchases "
                                  "WHERE store_id = '",
                                  store_, "'")),
            kPurchases)
      << "no two outcomes shared a statement";
}

}  // namespace
}  // namespace loyalty::broker
