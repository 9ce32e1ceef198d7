// migrations/README.md as an analyst reads it: after a scripted checkout at
// a store in Moscow, every query in the file runs against the database, and
// the views answer in the store's day with the history, keys and conversion
// the README promises.

#include <gtest/gtest.h>

#include <fstream>
#include <pqxx/pqxx>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/common/hashing.h"
#include "simulators/loyalclient/server.h"
#include "tests/integration/simulator_stack_test.h"

namespace loyalty::broker {
namespace {

using Stub = v1::LoyaltyBroker::Stub;

constexpr char kHashKey[] = "analyst-test-hash-key";

// Every ```sql block of the file, in order.
std::vector<std::string> SqlBlocks(const std::string& relative) {
  std::ifstream in(std::string(LOYALTY_SOURCE_DIR) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  const std::string readme = text.str();
  std::vector<std::string> blocks;
  const std::regex block("```sql\\n([\\s\\S]*?)```");
  for (auto it = std::sregex_iterator(readme.begin(), readme.end(), block);
       it != std::sregex_iterator(); ++it) {
    blocks.push_back((*it)[1].str());
  }
  return blocks;
}

class AnalystQueriesTest
    : public testing::SimulatorStackTest<AnalystQueriesTest,
                                         simulator::loyalclient::LoyalClientSimulator> {
 protected:
  static void SetUpTestSuite() {
    store_ = absl::StrCat("an-", testing::RunId());
    key_ = StoreKey("an");
    StartStack(
        "loyalclient/data/loyalclient-seed.json",
        [](int port) {
          return absl::StrCat(
              "stores:\n  - id: ", store_, "\n    time_zone: Europe/Moscow\n",
              "    api_keys: [{label: till, key: ", key_,
              "}]\n    programs:\n      - code: lc-an\n        vendor: loyalclient\n",
              "        base_url: http://127.0.0.1:", port, "\n",
              "        settings: {point: 62a1f0c0e4b0a1b2c3d4e5f4}\n",
              "        credentials: {apikey: lc-demo-apikey-0001}\n");
        },
        {}, [](BrokerConfig& config) { config.privacy.customer_hash_key = kHashKey; });
    if (!setup_error_.empty()) return;
    // Two quotes, one of them committed with points.
    for (int i = 0; i < 2; ++i) {
      v1::QuoteCartRequest ask;
      ask.mutable_customer()->set_phone("79990000003");
      auto* line = ask.add_lines();
      line->set_line_no(1);
      line->set_sku("MILK");
      line->set_quantity_milli(1000);
      line->set_unit_price_minor(100000);
      v1::QuoteCartResponse quote;
      if (!stack_->Call(key_, &Stub::QuoteCart, ask, &quote).ok()) {
        setup_error_ = "quote failed";
        return;
      }
      if (i > 0) continue;
      commit_ = testing::CommitRequest(quote.quote_id(), "AN", "lc-an", 1000);
      v1::PurchaseResponse purchase;
      grpc::Status status = stack_->Call(key_, &Stub::CommitPurchase, commit_, &purchase);
      if (!status.ok()) setup_error_ = status.error_message();
    }
    if (!stack_->FlushJournal()) setup_error_ = "the journal was not written";
  }

  static inline std::string store_, key_;
  static inline v1::CommitPurchaseRequest commit_;
};

TEST_F(AnalystQueriesTest, EveryQueryInTheReadmeRuns) {
  const auto blocks = SqlBlocks("migrations/README.md");
  ASSERT_GE(blocks.size(), 10u);
  pqxx::connection connection("");
  for (const std::string& sql : blocks) {
    pqxx::read_transaction tx(connection);
    try {
      tx.exec(sql);
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what() << "\nin\n" << sql;
    }
  }
}

TEST_F(AnalystQueriesTest, ViewsDateByTheStoresDay) {
  // The store's "today" in Moscow, whatever the session's time zone.
  const std::string today = "(now() AT TIME ZONE 'Europe/Moscow')::date";
  EXPECT_EQ(
      testing::QueryInt(absl::StrCat("SELECT count(*) FROM daily_store_sales WHERE store_id = '",
                                     store_, "' AND day = ", today)),
      1);
  EXPECT_EQ(testing::QueryInt(
                absl::StrCat("SET LOCAL TIME ZONE 'America/Los_Angeles'; SELECT count(*) FROM "
                             "daily_program_points WHERE store_id = '",
                             store_, "' AND day = ", today, " AND spent_centipoints = 1000")),
            1);
  // One booking, answered within a second: the histogram columns add up.
  EXPECT_EQ(testing::QueryInt(
                absl::StrCat("SELECT count(*) FROM vendor_operation_stats WHERE store_id = '",
                             store_, "' AND day = ", today,
                             " AND operation = 'book' AND operations = 1 AND within_1000ms = 1")),
            1);
}

TEST_F(AnalystQueriesTest, ConversionCountsQuotesAndTheirPurchases) {
  EXPECT_EQ(testing::QueryInt(absl::StrCat(
                "SELECT quotes * 10 + purchased FROM daily_quote_conversion WHERE store_id = '",
                store_, "'")),
            21);
}

TEST_F(AnalystQueriesTest, APurchasesStatusChangesAreKept) {
  const std::string history = absl::StrCat(
      "SELECT string_agg(h.status, ',' ORDER BY h.changed_at, h.status = 'pending' DESC) FROM "
      "purchase_status_history h JOIN purchases p USING (purchase_id) WHERE p.store_id = '",
      store_, "' AND p.order_number = '", commit_.order_number(), "'");
  pqxx::connection connection("");
  pqxx::read_transaction tx(connection);
  EXPECT_EQ(tx.exec1(history)[0].as<std::string>(), "pending,confirmed");
}

// Migration 0017 dropped index entries nobody read. The lookups the
// indexes left are kept for still read through them: the journal by
// purchase (its index holds only rows that name one), and a quote's
// purchase as the conversion view joins it.
TEST_F(AnalystQueriesTest, LookupsByPurchaseAndByQuoteStillUseAnIndex) {
  pqxx::connection connection("");
  pqxx::work tx(connection);  // never committed
  tx.exec0("SET LOCAL enable_seqscan = off");
  tx.exec0("SET LOCAL enable_hashjoin = off");
  tx.exec0("SET LOCAL enable_mergejoin = off");
  tx.exec0("SET LOCAL enable_bitmapscan = off");
  const auto plan_of = [&](const std::string& sql) {
    std::string plan;
    for (const auto& row : tx.exec("EXPLAIN " + sql)) plan += row[0].as<std::string>() + "\n";
    return plan;
  };
  const std::string journal = plan_of(absl::StrCat(
      "SELECT o.operation FROM vendor_operations o JOIN purchases p USING (purchase_id) "
      "WHERE p.store_id = '",
      store_, "' AND p.order_number = '", commit_.order_number(), "'"));
  EXPECT_NE(journal.find("Index Cond: (purchase_id = "), std::string::npos) << journal;
  // The purchases of a quote that went through, as the conversion view
  // asks for them.
  const std::string conversion = plan_of(
      "SELECT purchase_id FROM purchases WHERE quote_id = "
      "'00000000-0000-4000-8000-000000000000' "
      "AND status IN ('booked', 'confirmed', 'cancelled')");
  EXPECT_NE(conversion.find("Index Cond: (quote_id = "), std::string::npos) << conversion;
  EXPECT_EQ(testing::QueryInt("SELECT count(*) FROM pg_indexes WHERE indexname = "
                              "'vendor_operations_purchase_idx' "
                              "AND indexdef LIKE '%WHERE (purchase_id IS NOT NULL)'"),
            1);
}

TEST_F(AnalystQueriesTest, TheJournalsReferencesAreKeys) {
  EXPECT_EQ(testing::QueryInt(
                "SELECT count(*) FROM pg_constraint WHERE conrelid = 'vendor_operations'::regclass "
                "AND contype = 'f' AND confrelid IN ('purchases'::regclass, 'holds'::regclass)"),
            2);
  // Quotes are dropped past their retention (migration 0012): a reference
  // to one is not a key.
  EXPECT_EQ(testing::QueryInt("SELECT count(*) FROM pg_constraint WHERE conrelid = "
                              "'vendor_operations'::regclass AND confrelid = 'quotes'::regclass"),
            0);
  // The checkout's booking is journalled against its purchase.
  EXPECT_EQ(testing::QueryInt(absl::StrCat(
                "SELECT count(*) FROM vendor_operations o JOIN purchases p USING (purchase_id) "
                "WHERE p.order_number = '",
                commit_.order_number(), "' AND o.operation = 'book'")),
            1);
}

// "done", or the SQLSTATE PostgreSQL refuses `sql` with. Never committed:
// were the triggers gone, a test must not take other tests' rows with it.
std::string Refused(const std::string& sql) {
  try {
    pqxx::connection connection("");
    pqxx::work tx(connection);
    tx.exec0(sql);
    return "done";
  } catch (const pqxx::sql_error& e) {
    return e.sqlstate();
  }
}

// Purchases, holds, keys and the journal name their store and program
// without a key (migration 0015): those rows can neither go nor change key.
TEST_F(AnalystQueriesTest, StoresAndProgramsThatRowsNameAreKept) {
  const std::string restrict_violation = "23001";
  EXPECT_EQ(Refused(absl::StrCat("DELETE FROM stores WHERE store_id = '", store_, "'")),
            restrict_violation);
  EXPECT_EQ(Refused(absl::StrCat("UPDATE stores SET store_id = store_id || '-renamed' "
                                 "WHERE store_id = '",
                                 store_, "'")),
            restrict_violation);
  EXPECT_EQ(Refused(absl::StrCat("DELETE FROM programs WHERE store_id = '", store_, "'")),
            restrict_violation);
  EXPECT_EQ(Refused("TRUNCATE programs CASCADE"), restrict_violation);
  // A change that keeps the key is an ordinary update.
  EXPECT_EQ(Refused(absl::StrCat("UPDATE stores SET store_id = store_id WHERE store_id = '", store_,
                                 "'")),
            "done");
  EXPECT_EQ(testing::QueryInt(absl::StrCat(
                "SELECT count(*) FROM purchases p JOIN stores s USING (store_id) "
                "JOIN purchase_programs pp USING (purchase_id) "
                "JOIN programs pr ON pr.program_id = pp.program_id WHERE p.order_number = '",
                commit_.order_number(), "'")),
            1);
}

// A purchase's status history and programs name it without a key (migration
// 0022): a purchase can neither go nor change its id, and its history is
// still written with every change of status.
TEST_F(AnalystQueriesTest, PurchasesThatHistoryAndProgramsNameAreKept) {
  const std::string purchase =
      absl::StrCat("(SELECT purchase_id FROM purchases WHERE store_id = '", store_,
                   "' AND order_number = '", commit_.order_number(), "')");
  const std::string restrict_violation = "23001";
  EXPECT_EQ(Refused(absl::StrCat("DELETE FROM purchases WHERE purchase_id = ", purchase)),
            restrict_violation);
  // A purchase that only its history names (the journal's key would refuse
  // first for the committed one).
  EXPECT_EQ(Refused(absl::StrCat(
                "INSERT INTO purchases (store_id, order_number, quote_id, idempotency_key, "
                "status, total_before_minor, discount_minor, total_minor, paid_minor) VALUES ('",
                store_,
                "', 'renumbered', gen_random_uuid(), 'renumbered', 'pending', 100, 0, "
                "100, 100); UPDATE purchases SET purchase_id = purchase_id + 1000000 "
                "WHERE store_id = '",
                store_, "' AND order_number = 'renumbered'")),
            restrict_violation);
  EXPECT_EQ(Refused("TRUNCATE purchases CASCADE"), restrict_violation);
  // An update that keeps the id, or does not name it, is an ordinary update.
  EXPECT_EQ(Refused(absl::StrCat("UPDATE purchases SET purchase_id = purchase_id "
                                 "WHERE purchase_id = ",
                                 purchase)),
            "done");
  // A change of status still leaves its row in the history, in the same
  // transaction; one that keeps the status leaves none.
  pqxx::connection connection("");
  pqxx::work tx(connection);
  const auto history = [&] {
    return tx
        .exec1(absl::StrCat("SELECT count(*) FROM purchase_status_history "
                            "WHERE purchase_id = ",
                            purchase))[0]
        .as<int64_t>();
  };
  const int64_t before = history();
  EXPECT_GE(before, 2);  // pending, then what the commit ended in
  tx.exec0(absl::StrCat("UPDATE purchases SET status = status WHERE purchase_id = ", purchase));
  EXPECT_EQ(history(), before);
  tx.exec0(
      absl::StrCat("UPDATE purchases SET status = 'cancelled' WHERE purchase_id = ", purchase));
  EXPECT_EQ(history(), before + 1);
  EXPECT_EQ(tx.exec1(absl::StrCat("SELECT count(*) FROM purchase_programs WHERE purchase_id = ",
                                  purchase))[0]
                .as<int64_t>(),
            1);
}

// What `SQL` gives the analyst role: "ok", or PostgreSQL's error.
std::string AsAnalyst(const std::string& sql) {
  pqxx::connection connection("");
  pqxx::work tx(connection);
  tx.exec("SET LOCAL ROLE analyst");
  try {
    tx.exec(sql);
    return "ok";
  } catch (const std::exception& e) {
    return e.what();
  }
}

TEST_F(AnalystQueriesTest, AnalystsSeeTheCustomerAsAKeyedHashOnly) {
  const std::string mine = absl::StrCat(" FROM quotes WHERE store_id = '", store_, "'");
  // Both quotes were for one phone: one hash, the key's HMAC of it.
  EXPECT_EQ(testing::QueryInt("SELECT count(DISTINCT customer_hash)" + mine), 1);
  EXPECT_EQ(testing::QueryInt(absl::StrCat("SELECT count(*)", mine, " AND customer_hash = '",
                                           KeyedHashHex(kHashKey, "phone:79990000003"), "'")),
            2);
  EXPECT_EQ(AsAnalyst("SELECT count(DISTINCT customer_hash) FROM quotes"), "ok");
}

TEST_F(AnalystQueriesTest, TheAnalystRoleReadsTheViewsAndTheJournalButNothingSecret) {
  for (const char* readable :
       {"SELECT * FROM daily_store_sales", "SELECT * FROM daily_program_points",
        "SELECT * FROM daily_campaign_discounts", "SELECT * FROM vendor_operation_stats",
        "SELECT * FROM daily_quote_conversion", "SELECT * FROM vendor_operations",
        "SELECT * FROM programs", "SELECT * FROM purchase_status_history",
        "SELECT quote_id, customer_kind, total_minor FROM quotes",
        "SELECT status, reason FROM purchase_programs", "SELECT * FROM quote_lines",
        "SELECT * FROM quote_line_discounts",
        "SELECT quote_id, program_id, used, earn_centipoints FROM quote_programs",
        "SELECT lines, line_discounts FROM quotes"}) {
    EXPECT_EQ(AsAnalyst(readable), "ok") << readable;
  }
  for (const char* secret :
       {"SELECT credentials FROM program_credentials", "SELECT key_hash FROM api_keys",
        "SELECT response FROM idempotency_keys", "SELECT customer_value FROM quotes",
        "SELECT vendor_customer_id FROM purchase_programs", "SELECT vendor_customer_id FROM holds",
        "SELECT vendor_customer_id FROM quote_programs", "SELECT programs FROM quotes"}) {
    EXPECT_NE(AsAnalyst(secret).find("permission denied"), std::string::npos) << secret;
  }
  // The README's examples join `programs`: it holds no credential any more.
  EXPECT_EQ(testing::QueryInt("SELECT count(*) FROM information_schema.columns WHERE "
                              "table_name = 'programs' AND column_name = 'credentials'"),
            0);
  // Every example runs as the analyst, too.
  for (const std::string& sql : SqlBlocks("migrations/README.md")) {
    EXPECT_EQ(AsAnalyst(sql), "ok") << sql;
  }
}

}  // namespace
}  // namespace loyalty::broker
