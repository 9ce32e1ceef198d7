// A purchase's lines and discounts in its own row (migration 0016): the
// migration moves the rows an older schema holds, in their order; the
// views analysts read show them with the columns the tables had; and what
// replicas of the previous version still write as rows lands there too.

#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/storage/migrations.h"
#include "tests/integration/broker_stack.h"

namespace loyalty::broker {
namespace {

TEST(PurchasePartsMigration, MovesLinesAndDiscountsIntoThePurchaseInTheirOrder) {
  testing::ScratchDatabase database("parts", 16);
  {
    pqxx::connection connection(database.conninfo());
    pqxx::work tx(connection);
    // Two purchases: one with two lines and two discounts (the second line's
    // given first), one without any.
    tx.exec0(
        "INSERT INTO stores (store_id, name) VALUES ('m', 'M');"
        "INSERT INTO programs (store_id, code, vendor, position, base_url) "
        "VALUES ('m', 'lc', 'loyalclient', 0, 'http://127.0.0.1:1');"
        "INSERT INTO purchases (store_id, order_number, quote_id, idempotency_key, status, "
        "total_before_minor, discount_minor, total_minor, paid_minor) VALUES "
        "('m', 'M-1', '00000000-0000-4000-8000-000000000001', 'k1', 'confirmed', 300, 30, 270, "
        "270), "
        "('m', 'M-2', '00000000-0000-4000-8000-000000000002', 'k2', 'confirmed', 50, 0, 50, 50);"
        "INSERT INTO purchase_lines (purchase_id, line_no, sku, barcode, quantity_milli, "
        "unit_price_minor, total_before_minor, discount_minor, total_minor, "
        "min_unit_price_minor, min_total_minor) SELECT purchase_id, n, 'SKU-' || n, '', 1000, "
        "100 * n, 100 * n, 10 * n, 90 * n, 0, 5 FROM purchases, generate_series(1, 2) AS n "
        "WHERE order_number = 'M-1';"
        "INSERT INTO purchase_line_discounts (purchase_id, line_no, program_id, campaign, "
        "amount_minor, campaign_code, coupon) SELECT purchase_id, 2, program_id, 'second', 20, "
        "'C2', NULL FROM purchases, programs WHERE order_number = 'M-1';"
        "INSERT INTO purchase_line_discounts (purchase_id, line_no, program_id, campaign, "
        "amount_minor, campaign_code, coupon) SELECT purchase_id, 1, program_id, 'first', 10, "
        "NULL, 'COUPON' FROM purchases, programs WHERE order_number = 'M-1';");
    tx.commit();
    const absl::Status applied = database.MigrateToNewest();
    ASSERT_TRUE(applied.ok()) << applied;

    pqxx::nontransaction read(connection);
    const auto text = [&](const std::string& sql) {
      const pqxx::row row = read.exec1(sql);
      return row[0].is_null() ? std::string("NULL") : row[0].as<std::string>();
    };
    const std::string of_m1 =
        " WHERE purchase_id = (SELECT purchase_id FROM purchases "
        "WHERE order_number = 'M-1')";
    EXPECT_EQ(text("SELECT string_agg(concat_ws(':', line_no, sku, quantity_milli, "
                   "unit_price_minor, total_before_minor, discount_minor, total_minor, "
                   "min_unit_price_minor, min_total_minor), ',' ORDER BY line_no) "
                   "FROM purchase_lines" +
                   of_m1),
              "1:SKU-1:1000:100:100:10:90:0:5,2:SKU-2:1000:200:200:20:180:0:5");
    EXPECT_EQ(text("SELECT string_agg(concat_ws(':', discount_id, line_no, campaign, "
                   "amount_minor, campaign_code, coupon), ',' ORDER BY discount_id) "
                   "FROM purchase_line_discounts" +
                   of_m1),
              "1:2:second:20:C2,2:1:first:10:COUPON");
    EXPECT_EQ(text("SELECT count(*) FROM purchase_lines WHERE purchase_id = "
                   "(SELECT purchase_id FROM purchases WHERE order_number = 'M-2')"),
              "0");
    EXPECT_EQ(text("SELECT string_agg(campaign || '=' || discount_minor, ',' ORDER BY campaign) "
                   "FROM daily_campaign_discounts"),
              "first=10,second=20");
    // The tables are gone: the rows are in the purchase's own.
    EXPECT_EQ(text("SELECT count(*) FROM pg_tables WHERE tablename IN "
                   "('purchase_lines', 'purchase_line_discounts')"),
              "0");
  }
}

// While an upgrade rolls, replicas of the previous version write a
// purchase's lines and discounts as rows, the way their intent did: in the
// statement that inserts the purchase; and a retried order deletes them
// first. Both land in the purchase's arrays.
TEST(PurchasePartsMigration, AnOlderReplicasRowsLandInThePurchase) {
  pqxx::connection connection("");
  ASSERT_TRUE(ApplyMigrations(connection, EmbeddedMigrations()).ok());
  const std::string store = absl::StrCat("compat-", testing::RunId());
  const std::string lines =
      R"([{"line_no": 1, "sku": "MILK", "barcode": "460", "quantity_milli": 2000,
           "unit_price_minor": 100, "total_before_minor": 200, "discount_minor": 20,
           "total_minor": 180, "min_unit_price_minor": 0, "min_total_minor": 0},
          {"line_no": 2, "sku": "BREAD", "barcode": "", "quantity_milli": 1000,
           "unit_price_minor": 50, "total_before_minor": 50, "discount_minor": 0,
           "total_minor": 50, "min_unit_price_minor": 10, "min_total_minor": 10}])";
  pqxx::nontransaction tx(connection);
  const int64_t purchase_id =
      tx.exec_params1(
            "WITH purchase AS (INSERT INTO purchases (store_id, order_number, quote_id, "
            "idempotency_key, status, total_before_minor, discount_minor, total_minor, "
            "paid_minor) VALUES ($1, 'O-1', gen_random_uuid(), 'k', 'pending', 250, 20, 230, "
            "230) RETURNING purchase_id), "
            "lines AS (INSERT INTO purchase_lines (purchase_id, line_no, sku, barcode, "
            "quantity_milli, unit_price_minor, total_before_minor, discount_minor, total_minor, "
            "min_unit_price_minor, min_total_minor) SELECT purchase.purchase_id, l.* "
            "FROM purchase, jsonb_to_recordset($2::jsonb) AS l(line_no integer, sku text, "
            "barcode text, quantity_milli bigint, unit_price_minor bigint, "
            "total_before_minor bigint, discount_minor bigint, total_minor bigint, "
            "min_unit_price_minor bigint, min_total_minor bigint)), "
            "discounts AS (INSERT INTO purchase_line_discounts (purchase_id, line_no, "
            "program_id, campaign, amount_minor, campaign_code, coupon) "
            "SELECT purchase.purchase_id, 1, 7, 'milk day', 20, 'MD', NULL FROM purchase) "
            "SELECT purchase_id FROM purchase",
            store, lines)[0]
          .as<int64_t>();
  const auto text = [&](const std::string& sql) {
    return tx.exec_params1(sql, purchase_id)[0].as<std::string>();
  };
  EXPECT_EQ(text("SELECT string_agg(concat_ws(':', line_no, sku, barcode, total_minor, "
                 "min_total_minor), ',' ORDER BY line_no) FROM purchase_lines "
                 "WHERE purchase_id = $1"),
            "1:MILK:460:180:0,2:BREAD::50:10");
  EXPECT_EQ(text("SELECT string_agg(concat_ws(':', discount_id, line_no, program_id, campaign, "
                 "amount_minor, campaign_code), ',') FROM purchase_line_discounts "
                 "WHERE purchase_id = $1"),
            "1:1:7:milk day:20:MD");

  // A retry's: the earlier attempt's rows deleted, this attempt's written.
  tx.exec_params0("DELETE FROM purchase_line_discounts WHERE purchase_id = $1", purchase_id);
  tx.exec_params0("DELETE FROM purchase_lines WHERE purchase_id = $1", purchase_id);
  tx.exec_params0(
      "INSERT INTO purchase_lines (purchase_id, line_no, sku, barcode, quantity_milli, "
      "unit_price_minor, total_before_minor, discount_minor, total_minor, "
      "min_unit_price_minor, min_total_minor) VALUES ($1, 1, 'TEA', '', 1000, 300, 300, 0, 300, "
      "0, 0)",
      purchase_id);
  EXPECT_EQ(text("SELECT string_agg(line_no || ':' || sku, ',') FROM purchase_lines "
                 "WHERE purchase_id = $1"),
            "1:TEA");
  EXPECT_EQ(text("SELECT line_discounts::text FROM purchases WHERE purchase_id = $1"), "[]");
}

}  // namespace
}  // namespace loyalty::broker
