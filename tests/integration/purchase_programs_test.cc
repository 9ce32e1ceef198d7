// A purchase's programs in its own row (migration 0024): the migration moves
// the rows an older schema holds; the view analysts read shows them with the
// columns the table had, and hides what it hid; the purchase's array refuses
// what the table's checks refused; and what replicas of the previous version
// still write as rows lands in the array.

#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/storage/migrations.h"
#include "tests/integration/broker_stack.h"

namespace loyalty::broker {
namespace {

// What `sql` gives: its one value as text ("NULL" for NULL), or the error's
// SQLSTATE as "error <state>" ("permission denied" for a privilege). Each statement in a
// transaction of its own, run as `role` where one is named.
std::string Answer(pqxx::connection& connection, const std::string& sql, int64_t purchase_id = 0,
                   const std::string& role = "") {
  try {
    pqxx::work tx(connection);
    if (!role.empty()) tx.exec0("SET LOCAL ROLE " + role);
    const pqxx::result result = purchase_id == 0 ? tx.exec(sql) : tx.exec_params(sql, purchase_id);
    tx.commit();
    if (result.empty() || result.columns() == 0) return "";
    return result[0][0].is_null() ? "NULL" : result[0][0].as<std::string>();
  } catch (const pqxx::sql_error& e) {
    // pqxx leaves the state of a refused privilege unset: named by its words.
    if (absl::StrContains(e.what(), "permission denied")) return "permission denied";
    return absl::StrCat("error ", e.sqlstate());
  }
}

TEST(PurchaseProgramsMigration, MovesProgramsIntoThePurchaseAndKeepsTheirSecretHidden) {
  testing::ScratchDatabase database("programs", 24);
  pqxx::connection connection(database.conninfo());
  {
    pqxx::work tx(connection);
    // Two purchases: one with two programs (one in doubt), one without.
    tx.exec0(
        "INSERT INTO stores (store_id, name) VALUES ('m', 'M');"
        "INSERT INTO programs (store_id, code, vendor, position, base_url) VALUES "
        "('m', 'lc', 'loyalclient', 0, 'http://127.0.0.1:1'), "
        "('m', 'sp', 'sailplay', 1, 'http://127.0.0.1:2');"
        "INSERT INTO purchases (store_id, order_number, quote_id, idempotency_key, status, "
        "total_before_minor, discount_minor, total_minor, paid_minor) VALUES "
        "('m', 'M-1', '00000000-0000-4000-8000-000000000001', 'k1', 'booked', 300, 30, 270, "
        "270), "
        "('m', 'M-2', '00000000-0000-4000-8000-000000000002', 'k2', 'confirmed', 50, 0, 50, 50);"
        "INSERT INTO purchase_programs (purchase_id, program_id, vendor_customer_id, "
        "spend_centipoints, spent_centipoints, earned_centipoints, vendor_reference, status, "
        "balance_after_centipoints, reason, last_operation) "
        "SELECT p.purchase_id, pr.program_id, 'c-' || pr.code, 100, 100, 7, 'ref-' || pr.code, "
        "CASE pr.code WHEN 'lc' THEN 'approved' ELSE 'in_doubt' END, 900, "
        "CASE pr.code WHEN 'sp' THEN 'timeout' END, 'book' "
        "FROM purchases p, programs pr WHERE p.order_number = 'M-1'");
    tx.commit();
  }
  const absl::Status applied = database.MigrateToNewest();
  ASSERT_TRUE(applied.ok()) << applied;

  EXPECT_EQ(Answer(connection,
                   "SELECT string_agg(concat_ws(':', pr.code, pp.vendor_customer_id, "
                   "pp.spend_centipoints, pp.spent_centipoints, pp.earned_centipoints, "
                   "pp.vendor_reference, pp.status, pp.balance_after_centipoints, pp.reason, "
                   "pp.last_operation), ',' ORDER BY pr.code) FROM purchase_programs pp "
                   "JOIN programs pr USING (program_id) JOIN purchases p USING (purchase_id) "
                   "WHERE p.order_number = 'M-1'"),
            "lc:c-lc:100:100:7:ref-lc:approved:900:book,"
            "sp:c-sp:100:100:7:ref-sp:in_doubt:900:timeout:book");
  EXPECT_EQ(Answer(connection, "SELECT programs::text FROM purchases WHERE order_number = 'M-2'"),
            "[]");
  EXPECT_EQ(
      Answer(connection, "SELECT count(*) FROM pg_tables WHERE tablename = 'purchase_programs'"),
      "0");
  // The purchase with a program in doubt is found by the index.
  EXPECT_EQ(Answer(connection,
                   "SELECT string_agg(order_number, ',') FROM purchases "
                   "WHERE programs @> '[{\"status\": \"in_doubt\"}]'"),
            "M-1");
  EXPECT_EQ(Answer(connection, "SELECT string_agg(program, ',') FROM daily_program_points"), "lc");
  {
    pqxx::work tx(connection);
    tx.exec0("SET LOCAL enable_seqscan = off");
    std::string plan;
    for (const auto& row : tx.exec("EXPLAIN SELECT purchase_id FROM purchases "
                                   "WHERE programs @> '[{\"status\": \"in_doubt\"}]'")) {
      plan += row[0].as<std::string>();
    }
    EXPECT_TRUE(absl::StrContains(plan, "purchases_programs_in_doubt_idx")) << plan;
  }

  // The analyst reads every column of purchases but the programs, and the
  // view without the customer.
  const auto as_analyst = [&](const std::string& sql) {
    return Answer(connection, sql, 0, "analyst");
  };
  EXPECT_EQ(as_analyst("SELECT count(*) FROM purchases WHERE status = 'booked'"), "1");
  EXPECT_EQ(as_analyst("SELECT count(status) FROM purchase_programs"), "2");
  EXPECT_EQ(as_analyst("SELECT programs FROM purchases"), "permission denied");
  EXPECT_EQ(as_analyst("SELECT vendor_customer_id FROM purchase_programs"), "permission denied");
}

TEST(PurchaseProgramsMigration, ThePurchasesArrayRefusesWhatTheTableRefused) {
  pqxx::connection connection("");
  ASSERT_TRUE(ApplyMigrations(connection, EmbeddedMigrations()).ok());
  const std::string store = absl::StrCat("checked-", testing::RunId());
  const std::string insert = absl::StrCat(
      "INSERT INTO purchases (store_id, order_number, quote_id, idempotency_key, status, "
      "total_before_minor, discount_minor, total_minor, paid_minor, programs) VALUES ('",
      store, "', 'O-1', gen_random_uuid(), 'k', 'declined', 10, 0, 10, 10, ");
  const auto program = [](const std::string& status, const std::string& operation) {
    return absl::StrCat("'[{\"program_id\": 1, \"status\": \"", status,
                        "\", \"last_operation\": \"", operation, "\"}]')");
  };
  EXPECT_EQ(Answer(connection, insert + program("approved", "bookings")), "error 23514");
  EXPECT_EQ(Answer(connection, insert + program("aproved", "book")), "error 23514");
  EXPECT_EQ(Answer(connection, insert + "'[{\"program_id\": \"1\", \"status\": \"pending\", "
                                        "\"last_operation\": \"book\"}]')"),
            "error 23514");
  EXPECT_EQ(Answer(connection, insert + "'{}')"), "error 23514");
  EXPECT_EQ(Answer(connection,
                   absl::StrCat("SELECT count(*) FROM purchases WHERE store_id = '", store, "'")),
            "0");
  EXPECT_EQ(Answer(connection, insert + program("pending", "book")), "");
}

// While an upgrade rolls, replicas of the previous version write a
// purchase's programs as rows, the way their intent and outcome did: in the
// statement that inserts the purchase, in the statement that updates it; a
// retried order deletes them first. All of it lands in the purchase's array.
TEST(PurchaseProgramsMigration, AnOlderReplicasRowsLandInThePurchase) {
  pqxx::connection connection("");
  ASSERT_TRUE(ApplyMigrations(connection, EmbeddedMigrations()).ok());
  const std::string store = absl::StrCat("compat-", testing::RunId());
  int64_t purchase_id = 0;
  {
    pqxx::work tx(connection);
    purchase_id =
        tx.exec_params1(
              "WITH purchase AS (INSERT INTO purchases (store_id, order_number, quote_id, "
              "idempotency_key, status, total_before_minor, discount_minor, total_minor, "
              "paid_minor) VALUES ($1, 'O-1', gen_random_uuid(), 'k', 'pending', 250, 20, 230, "
              "230) RETURNING purchase_id), "
              "programs AS (INSERT INTO purchase_programs (purchase_id, program_id, "
              "vendor_customer_id, spend_centipoints, status) "
              "SELECT purchase.purchase_id, r.program_id, r.vendor_customer_id, "
              "r.spend_centipoints, 'pending' FROM purchase, jsonb_to_recordset($2::jsonb) AS "
              "r(program_id bigint, vendor_customer_id text, spend_centipoints bigint)) "
              "SELECT purchase_id FROM purchase",
              store,
              R"([{"program_id": 5, "vendor_customer_id": "c5", "spend_centipoints": 300},
                  {"program_id": 3, "vendor_customer_id": null, "spend_centipoints": 0}])")[0]
            .as<int64_t>();
    tx.commit();
  }
  const std::string programs_of =
      "SELECT string_agg(concat_ws(':', program_id, vendor_customer_id, spend_centipoints, "
      "spent_centipoints, earned_centipoints, status, reason, last_operation), ',' "
      "ORDER BY program_id) FROM purchase_programs WHERE purchase_id = $1";
  EXPECT_EQ(Answer(connection, programs_of, purchase_id),
            "3:0:0:0:pending:book,5:c5:300:0:0:pending:book");

  // The outcome: the programs updated in a CTE of the statement that
  // updates the purchase.
  EXPECT_EQ(
      Answer(connection,
             "WITH programs AS (UPDATE purchase_programs pp SET spent_centipoints = "
             "r.spent_centipoints, earned_centipoints = r.earned_centipoints, status = "
             "r.status, reason = r.reason, last_operation = r.last_operation "
             "FROM jsonb_to_recordset('[{\"program_id\": 5, \"spent_centipoints\": 300, "
             "\"earned_centipoints\": 12, \"status\": \"approved\", \"reason\": null, "
             "\"last_operation\": \"book\"}, {\"program_id\": 3, \"spent_centipoints\": 0, "
             "\"earned_centipoints\": 0, \"status\": \"skipped\", \"reason\": \"unreachable\", "
             "\"last_operation\": \"book\"}]'::jsonb) AS r(program_id bigint, "
             "spent_centipoints bigint, earned_centipoints bigint, status text, reason text, "
             "last_operation text) WHERE pp.purchase_id = $1 AND pp.program_id = "
             "r.program_id) UPDATE purchases SET status = 'booked', earned_centipoints = 12 "
             "WHERE purchase_id = $1",
             purchase_id),
      "");
  EXPECT_EQ(Answer(connection, programs_of, purchase_id),
            "3:0:0:0:skipped:unreachable:book,5:c5:300:300:12:approved:book");
  EXPECT_EQ(Answer(connection, "SELECT status FROM purchases WHERE purchase_id = $1", purchase_id),
            "booked");
  // The order keeps each program's place.
  EXPECT_EQ(Answer(connection,
                   "SELECT string_agg(e ->> 'program_id', ',') FROM purchases, "
                   "jsonb_array_elements(programs) AS e WHERE purchase_id = $1",
                   purchase_id),
            "5,3");

  // A second row for a program is refused, as the table's key refused it;
  // a state outside the broker's, as its check did; a row for no purchase
  // has nowhere to land and is refused rather than dropped.
  EXPECT_EQ(Answer(connection,
                   "INSERT INTO purchase_programs (purchase_id, program_id, status) "
                   "VALUES ($1, 5, 'pending')",
                   purchase_id),
            "error 23505");
  EXPECT_EQ(Answer(connection,
                   "INSERT INTO purchase_programs (purchase_id, program_id, status) "
                   "VALUES (-$1::bigint, 5, 'pending')",
                   purchase_id),
            "error 23503");
  EXPECT_EQ(Answer(connection,
                   "UPDATE purchase_programs SET status = 'lost' WHERE purchase_id = $1 "
                   "AND program_id = 5",
                   purchase_id),
            "error 23514");

  // A retry's: the earlier attempt's rows deleted, this attempt's written.
  EXPECT_EQ(Answer(connection, "DELETE FROM purchase_programs WHERE purchase_id = $1", purchase_id),
            "");
  EXPECT_EQ(Answer(connection, "SELECT programs::text FROM purchases WHERE purchase_id = $1",
                   purchase_id),
            "[]");
  EXPECT_EQ(Answer(connection,
                   "INSERT INTO purchase_programs (purchase_id, program_id, vendor_customer_id, "
                   "spend_centipoints, status) VALUES ($1, 5, 'c5', 100, 'pending')",
                   purchase_id),
            "");
  EXPECT_EQ(Answer(connection, programs_of, purchase_id), "5:c5:100:0:0:pending:book");
}

}  // namespace
}  // namespace loyalty::broker
