// LoyalClient wire conversions against the vendor document's own examples.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "connectors/loyalclient/wire.h"
#include "tests/unit/fixture.h"

namespace loyalty::connectors::loyalclient {
namespace {

TEST(LoyalClientWire, RequestBodiesUseTheDocumentsFieldsAndExactNumbers) {
  EXPECT_EQ(ClientBody("79201234567", "p1"), R"({"search":"79201234567","point":"p1"})");
  EXPECT_EQ(RecalcBody("c1", "p1", 10050), R"({"client":"c1","point":"p1","amount":100.5})");
  EXPECT_EQ(HoldBody("c1", "p1", 10000, 10),
            R"({"client":"c1","point":"p1","amount":100,"duration":10})");
  EXPECT_EQ(HoldBody("c1", "p1", 10000, 0), R"({"client":"c1","point":"p1","amount":100})");
  EXPECT_EQ(ReleaseBody("c1", "p1"), R"({"client":"c1","point":"p1"})");
  EXPECT_EQ(RetailBody("c1", "p1", 63445, 10000),
            R"({"client":"c1","point":"p1","amount":634.45,"spend":100})");
}

TEST(LoyalClientWire, ParsesClient) {
  auto outcome = ParseClient(200, Fixture("loyalclient/client_ok.json"));
  ASSERT_TRUE(outcome.approved());
  const Account& a = outcome.value();
  EXPECT_EQ(a.vendor_customer_id, "62a0000000000000000000a6");
  EXPECT_EQ(a.name, "ИВАН");
  EXPECT_EQ(a.balance_centipoints, 87800);
  EXPECT_EQ(a.level.type, LevelType::kCashback);
  EXPECT_EQ(a.level.percent_bp, 1000);
  EXPECT_EQ(a.level.max_spend_percent_bp, 10000);
}

TEST(LoyalClientWire, ParsesRecalcHoldAndRetail) {
  auto recalc = ParseRecalc(200, Fixture("loyalclient/recalc_ok.json"));
  ASSERT_TRUE(recalc.approved());
  EXPECT_EQ(recalc.value().amount_minor, 10000);
  EXPECT_EQ(recalc.value().spend_centipoints, 10000);
  EXPECT_EQ(recalc.value().earn_centipoints, 1000);

  auto held = ParseHold(200, Fixture("loyalclient/hold_ok.json"));
  ASSERT_TRUE(held.approved());
  EXPECT_EQ(held.value().until_unix, 1704045600);
  EXPECT_EQ(held.value().amount_centipoints, 10000);

  auto spent = ParseRetail(200, Fixture("loyalclient/retail_spend_ok.json"));
  ASSERT_TRUE(spent.approved());
  EXPECT_EQ(spent.value().spent_centipoints, 10000);
  EXPECT_EQ(spent.value().earned_centipoints, 0);
  EXPECT_EQ(spent.value().total_minor, 0);

  auto earned = ParseRetail(200, Fixture("loyalclient/retail_earn_ok.json"));
  ASSERT_TRUE(earned.approved());
  EXPECT_EQ(earned.value().earned_centipoints, 1000);
  EXPECT_EQ(earned.value().total_minor, 10000);

  EXPECT_TRUE(ParseRelease(200, R"({"success": true})").approved());
}

TEST(LoyalClientWire, Maps422ErrorsToDeclinesWithTheVendorsWords) {
  auto spend = ParseRetail(422, Fixture("loyalclient/error_spend.json"));
  ASSERT_TRUE(spend.declined());
  EXPECT_EQ(spend.declined_reason().kind, DeclineKind::kRefused);
  EXPECT_EQ(spend.declined_reason().field, "spend");
  EXPECT_EQ(spend.declined_reason().message, "Spend can't be more 100");

  auto client = ParseClient(422, Fixture("loyalclient/error_client.json"));
  ASSERT_TRUE(client.declined());
  EXPECT_EQ(client.declined_reason().kind, DeclineKind::kNotFound);

  auto point = ParseRecalc(422, Fixture("loyalclient/error_point.json"));
  ASSERT_TRUE(point.declined());
  EXPECT_EQ(point.declined_reason().kind, DeclineKind::kMisconfigured);
}

TEST(LoyalClientWire, TreatsUntrustedAnswersAsFailuresNeverSuccess) {
  EXPECT_TRUE(ParseClient(200, "<html>oops</html>").failed());
  EXPECT_TRUE(ParseClient(200, R"({"success": true})").failed());  // no client
  EXPECT_TRUE(ParseClient(200, R"({"success": true, "client": {"name": "x"}})").failed());
  EXPECT_TRUE(ParseRecalc(200, R"({"success": true, "recalc": {"amount": "x"}})").failed());
  EXPECT_TRUE(
      ParseRetail(200, R"({"success": true, "retail": {"amount": 1, "spend": -5}})").failed());
  EXPECT_TRUE(ParseRetail(200, R"({"success": false})").declined());
  EXPECT_TRUE(ParseRetail(200, R"({"retail": {"amount": 1}})").failed());  // missing success

  auto server_error = ParseRetail(503, "");
  ASSERT_TRUE(server_error.failed());
  EXPECT_TRUE(server_error.failure().retryable);
  EXPECT_TRUE(server_error.failure().maybe_applied);
}

// The answers on a checkout's path are read in place (simdjson) where
// simdjson can; what comes out must be what the tree reading makes of the
// same bytes, field by field, including on hostile answers.
TEST(LoyalClientWire, ReadingInPlaceAgreesWithTheTreeOnEveryAnswer) {
  const std::vector<std::string> bodies = {
      Fixture("loyalclient/client_ok.json"),
      Fixture("loyalclient/recalc_ok.json"),
      Fixture("loyalclient/retail_spend_ok.json"),
      Fixture("loyalclient/retail_earn_ok.json"),
      // The last of duplicate members counts, as in nlohmann's tree.
      R"({"success":true,"client":{"id":"a","id":"b","balance":1,"balance":2}})",
      R"({"success":true,"client":{"id":42,"balance":"12.345","level":{"percent":7.5}}})",
      R"({"success":true,"client":{"id":"x","balance":null,"level":[1]}})",
      R"({"success":true,"client":{"id":"x","balance":18446744073709551615}})",
      R"({"success":true,"client":{"id":"x","balance":-1}})",
      R"({"success":true,"client":{"id":true}})",
      R"({"success":true,"client":{"id":1.5}})",
      R"({"success":true,"recalc":{"amount":1e2,"percent":100,"spend":"5","earn":0}})",
      R"({"success":true,"recalc":{"amount":"x"}})",
      R"({"success":true,"recalc":{"amount":123456789012345678901234567890}})",
      R"({"success":"true","retail":{"amount":1}})",
      R"({"success":false})",
      R"({"retail":{"amount":1}})",
      R"([{"success":true}])",
      "\xEF\xBB\xBF{\"success\":true,\"retail\":{\"amount\":3}}",
      R"({"success":true,"retail":{"amount":1)",
      "",
      "null",
  };
  const auto same = [](const auto& a, const auto& b) {
    if (a.approved() != b.approved() || a.declined() != b.declined()) return false;
    if (a.failed()) return a.failure().message == b.failure().message;
    if (a.declined()) return a.declined_reason().message == b.declined_reason().message;
    return true;
  };
  for (const std::string& body : bodies) {
    const auto client = ParseClient(200, body);
    const auto client_tree = reference::ParseClient(200, body);
    ASSERT_TRUE(same(client, client_tree)) << body;
    if (client.approved()) {
      EXPECT_EQ(client.value().vendor_customer_id, client_tree.value().vendor_customer_id) << body;
      EXPECT_EQ(client.value().balance_centipoints, client_tree.value().balance_centipoints)
          << body;
      EXPECT_EQ(client.value().level.percent_bp, client_tree.value().level.percent_bp) << body;
      EXPECT_EQ(client.value().name, client_tree.value().name) << body;
    }
    const auto recalc = ParseRecalc(200, body);
    const auto recalc_tree = reference::ParseRecalc(200, body);
    ASSERT_TRUE(same(recalc, recalc_tree)) << body;
    if (recalc.approved()) {
      EXPECT_EQ(recalc.value().amount_minor, recalc_tree.value().amount_minor) << body;
      EXPECT_EQ(recalc.value().spend_centipoints, recalc_tree.value().spend_centipoints) << body;
    }
    const auto retail = ParseRetail(200, body);
    const auto retail_tree = reference::ParseRetail(200, body);
    ASSERT_TRUE(same(retail, retail_tree)) << body;
    if (retail.approved()) {
      EXPECT_EQ(retail.value().amount_minor, retail_tree.value().amount_minor) << body;
    }
  }
  // And the duplicate's last value is the one taken.
  const auto duplicate = ParseClient(200, bodies[4]);
  ASSERT_TRUE(duplicate.approved());
  EXPECT_EQ(duplicate.value().vendor_customer_id, "b");
  EXPECT_EQ(duplicate.value().balance_centipoints, 200);
}

TEST(LoyalClientWire, HoldMinutesRoundUpAndCapAtTen) {
  EXPECT_EQ(HoldMinutes(0), 0);
  EXPECT_EQ(HoldMinutes(1), 1);
  EXPECT_EQ(HoldMinutes(61), 2);
  EXPECT_EQ(HoldMinutes(3600), 10);
}

}  // namespace
}  // namespace loyalty::connectors::loyalclient
