// The checked columns typed by their domains (migration 0020): the tables and
// their indexes are not rewritten, the rows stay, the views over the columns
// come back as they were (an analyst's own view too, with its grant and
// comment, and a view over that view), views over other tables are left
// alone, and every value the tables' checks refused is still refused.

#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "tests/integration/broker_stack.h"

namespace loyalty::broker {
namespace {

constexpr char kCheckViolation[] = "23514";

// The SQLSTATE a statement fails with ("" when it succeeds); nothing stays.
std::string FailureOf(pqxx::connection& connection, const std::string& sql) {
  try {
    pqxx::work tx(connection);
    tx.exec0(sql);
    return "";
  } catch (const pqxx::sql_error& e) {
    return e.sqlstate();
  }
}

class TypedColumnsMigration : public ::testing::Test {
 protected:
  TypedColumnsMigration() : database_("typed", 20), connection_(database_.conninfo()) {}

  std::string Text(const std::string& sql) {
    pqxx::nontransaction read(connection_);
    const pqxx::row row = read.exec1(sql);
    return row[0].is_null() ? std::string("NULL") : row[0].as<std::string>();
  }

  testing::ScratchDatabase database_;
  pqxx::connection connection_;
};

// Files of tables and indexes the migration must neither rewrite nor rebuild.
constexpr char kFiles[] =
    "SELECT string_agg(c.relname || '=' || c.relfilenode, ',' ORDER BY c.relname) "
    "FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace "
    "AND c.relkind IN ('r', 'i') AND (c.relname LIKE 'quotes%' OR c.relname LIKE 'purchase%' "
    "OR c.relname LIKE 'holds%' OR c.relname LIKE 'outbox%' OR c.relname LIKE "
    "'idempotency_keys%' OR c.relname LIKE 'vendor_operations%')";

// What analysts see of the views: each one's grants, options, comment, and
// its columns' grants and comments.
constexpr char kViews[] =
    "SELECT string_agg(concat_ws('|', c.relname, c.relacl, c.reloptions, "
    "obj_description(c.oid, 'pg_class'), (SELECT string_agg(concat_ws(':', a.attname, "
    "a.attacl, col_description(c.oid, a.attnum)), ';' ORDER BY a.attnum) FROM pg_attribute a "
    "WHERE a.attrelid = c.oid AND a.attnum > 0), (SELECT string_agg(t.tgname, ';') "
    "FROM pg_trigger t WHERE t.tgrelid = c.oid)), E'\\n' ORDER BY c.relname) "
    "FROM pg_class c WHERE c.relkind = 'v' AND c.relnamespace = current_schema()::regnamespace";

TEST_F(TypedColumnsMigration, KeepsRowsFilesViewsAndGrants) {
  {
    pqxx::work tx(connection_);
    tx.exec0(
        "INSERT INTO stores (store_id, name) VALUES ('t', 'T');"
        "INSERT INTO programs (store_id, code, vendor, position, base_url) "
        "VALUES ('t', 'lc', 'loyalclient', 0, 'http://127.0.0.1:1');"
        "INSERT INTO quotes (quote_id, store_id, total_before_minor, discount_minor, total_minor, "
        "spendable_centipoints, earn_centipoints, expires_at, lines) VALUES "
        "('00000000-0000-4000-8000-000000000001', 't', 300, 30, 270, 0, 500, "
        "now() + interval '1 hour', '[{\"line_no\": 1, \"sku\": \"MILK\"}]');"
        "INSERT INTO purchases (store_id, order_number, quote_id, idempotency_key, status, "
        "total_before_minor, discount_minor, total_minor, paid_minor, lines) VALUES "
        "('t', 'T-1', '00000000-0000-4000-8000-000000000001', 'k1', 'confirmed', 300, 30, 270, "
        "270, '[{\"line_no\": 1, \"sku\": \"MILK\"}]');"
        "INSERT INTO idempotency_keys (store_id, idempotency_key, method, request_hash, state) "
        "VALUES ('t', 'k1', 'CommitPurchase', 'h', 'completed');"
        // An analyst's own view over a column that changes type, shared and
        // described.
        "CREATE VIEW big_quotes AS SELECT quote_id, total_minor FROM quotes "
        "WHERE total_minor > 100;"
        "GRANT SELECT ON big_quotes TO PUBLIC;"
        "GRANT UPDATE (total_minor) ON big_quotes TO PUBLIC;"
        "COMMENT ON VIEW big_quotes IS 'quotes over one rouble';"
        "COMMENT ON COLUMN big_quotes.total_minor IS 'in kopecks';"
        // A view over that view, made again too; a view over none of the
        // tables, and an extension's views, left as they are.
        "CREATE VIEW big_quote_count AS SELECT count(*) AS quotes FROM big_quotes;"
        "CREATE VIEW unrelated AS SELECT store_id FROM stores;"
        "CREATE EXTENSION IF NOT EXISTS pg_stat_statements;");
    tx.commit();
  }
  const std::string files_before = Text(kFiles);
  const std::string views_before = Text(kViews);
  const std::string untouched =
      "SELECT string_agg(oid::text, ',' ORDER BY oid) FROM pg_class "
      "WHERE relname IN ('unrelated', 'pg_stat_statements')";
  const std::string untouched_before = Text(untouched);

  const absl::Status applied = database_.MigrateThrough(20);
  ASSERT_TRUE(applied.ok()) << applied;

  EXPECT_EQ(Text(kFiles), files_before);
  EXPECT_EQ(Text(kViews), views_before);
  EXPECT_EQ(Text(untouched), untouched_before);
  EXPECT_EQ(Text("SELECT quotes FROM big_quote_count"), "1");
  EXPECT_NE(views_before.find("in kopecks"), std::string::npos) << views_before;
  EXPECT_NE(views_before.find("analyst=r/"), std::string::npos) << views_before;
  EXPECT_EQ(Text("SELECT string_agg(quote_id || ':' || total_minor, ',') FROM big_quotes"),
            "00000000-0000-4000-8000-000000000001:270");
  EXPECT_EQ(Text("SELECT string_agg(sku, ',') FROM quote_lines"), "MILK");
  EXPECT_EQ(Text("SELECT string_agg(sku, ',') FROM purchase_lines"), "MILK");
  EXPECT_EQ(Text("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                 "WHERE attrelid = 'quotes'::regclass AND attname = 'total_minor'"),
            "loyalty_non_negative");
  EXPECT_EQ(Text("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                 "WHERE attrelid = 'purchases'::regclass AND attname = 'lines'"),
            "loyalty_json_array");
  // Only the checks of columns under partial indexes stay on their tables.
  EXPECT_EQ(Text("SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint "
                 "WHERE contype = 'c' AND conrelid IN ('quotes'::regclass, "
                 "'purchases'::regclass, 'purchase_programs'::regclass, 'holds'::regclass, "
                 "'outbox'::regclass, 'idempotency_keys'::regclass, "
                 "'vendor_operations'::regclass)"),
            "holds_status_check,outbox_status_check,purchase_programs_status_check,"
            "purchases_status_check");
}

TEST_F(TypedColumnsMigration, RefusesWhatTheChecksRefused) {
  const absl::Status applied = database_.MigrateToNewest();
  ASSERT_TRUE(applied.ok()) << applied;
  {
    pqxx::work tx(connection_);
    tx.exec0(
        "INSERT INTO stores (store_id, name) VALUES ('t', 'T');"
        "INSERT INTO programs (store_id, code, vendor, position, base_url) "
        "VALUES ('t', 'lc', 'loyalclient', 0, 'http://127.0.0.1:1');");
    tx.commit();
  }
  const std::string quote =
      "INSERT INTO quotes (quote_id, store_id, total_before_minor, discount_minor, total_minor, "
      "spendable_centipoints, earn_centipoints, expires_at, lines) VALUES "
      "(gen_random_uuid(), 't', ";
  const std::string purchase =
      "INSERT INTO purchases (store_id, order_number, quote_id, idempotency_key, status, "
      "total_before_minor, discount_minor, total_minor, paid_minor, lines) VALUES "
      "('t', 'T-' || gen_random_uuid(), gen_random_uuid(), 'k', ";
  const std::string key =
      "INSERT INTO idempotency_keys (store_id, idempotency_key, method, request_hash, state) "
      "VALUES ('t', gen_random_uuid()::text, 'CommitPurchase', 'h', ";
  const std::string operation =
      "INSERT INTO vendor_operations (store_id, program_id, started_at, operation, outcome, "
      "latency_us) SELECT 't', program_id, now(), ";
  const std::string hold =
      "INSERT INTO holds (store_id, program_id, quote_id, vendor_customer_id, amount_centipoints, "
      "status, mode, expires_at) SELECT 't', program_id, gen_random_uuid(), 'c', ";
  // Each statement, and the SQLSTATE it fails with ("": none).
  const std::vector<std::pair<std::string, std::string>> cases = {
      {quote + "300, 30, 270, 0, 0, now(), '[]')", ""},
      {quote + "300, 30, -1, 0, 0, now(), '[]')", kCheckViolation},
      {quote + "300, -30, 270, 0, 0, now(), '[]')", kCheckViolation},
      {quote + "300, 30, 270, 0, -5, now(), '[]')", kCheckViolation},
      {quote + "300, 30, 270, 0, 0, now(), '{}')", kCheckViolation},
      {purchase + "'pending', 1, 0, 1, 1, '[]')", ""},
      {purchase + "'paid', 1, 0, 1, 1, '[]')", kCheckViolation},
      {purchase + "'pending', 1, 0, 1, 1, '\"x\"')", kCheckViolation},
      {key + "'completed')", ""},
      {key + "'done')", kCheckViolation},
      {operation + "'book', 'approved', 1 FROM programs", ""},
      {operation + "'refund', 'approved', 1 FROM programs", kCheckViolation},
      {operation + "'book', 'maybe', 1 FROM programs", kCheckViolation},
      {hold + "100, 'active', 'vendor', now() FROM programs", ""},
      {hold + "0, 'active', 'vendor', now() FROM programs", kCheckViolation},
      {hold + "100, 'active', 'borrowed', now() FROM programs", kCheckViolation},
      {hold + "100, 'kept', 'vendor', now() FROM programs", kCheckViolation},
  };
  for (const auto& [sql, sqlstate] : cases) EXPECT_EQ(FailureOf(connection_, sql), sqlstate) << sql;
}

}  // namespace
}  // namespace loyalty::broker
