// SailPlay wire conversions against the vendor document's own examples.

#include <gtest/gtest.h>

#include "connectors/http/query.h"
#include "connectors/sailplay/wire.h"
#include "tests/unit/fixture.h"

namespace loyalty::connectors::sailplay {
namespace {

TEST(SailPlayWire, CartIsAnObjectKeyedByPositionWithExactNumbers) {
  std::vector<CartPosition> cart = {{1, "1", 100000, 1000, 0, 0}, {2, "2", 30050, 2500, 40, 10000}};
  EXPECT_EQ(
      CartJson(cart),
      R"({"1":{"sku":"1","price":1000,"quantity":1,"discount_points":0,"min_price":0},)"
      R"("2":{"sku":"2","price":300.5,"quantity":2.5,"discount_points":40,"min_price":100}})");
  EXPECT_EQ(PromocodesJson({"summer2017"}), R"(["summer2017"])");
}

TEST(SailPlayWire, QueryParametersArePercentEncoded) {
  EXPECT_EQ(QueryString({{"order_num", "171"}, {"cart", R"({"1":{"sku":"a b"}})"}}),
            "order_num=171&cart=%7B%221%22%3A%7B%22sku%22%3A%22a%20b%22%7D%7D");
}

TEST(SailPlayWire, UserParameterByIdentifierKind) {
  using Kind = CustomerRef::Kind;
  EXPECT_EQ(UserParam({Kind::kPhone, "79201234567"})->first, "user_phone");
  EXPECT_EQ(UserParam({Kind::kEmail, "a@b.c"})->first, "email");
  EXPECT_EQ(UserParam({Kind::kExternalId, "c-1"})->first, "origin_user_id");
  EXPECT_FALSE(UserParam({Kind::kCard, "1010"}).has_value());
}

TEST(SailPlayWire, ParsesPurchaseNewFromTheDocument) {
  auto outcome = ParsePurchase(200, Fixture("sailplay/purchase_new_ok.json"));
  ASSERT_TRUE(outcome.approved()) << outcome.failure().message;
  const Purchase& p = outcome.value();
  EXPECT_EQ(p.id, "23141");
  EXPECT_EQ(p.order_num, "171");
  EXPECT_FALSE(p.is_completed);
  EXPECT_EQ(p.points_delta_centipoints, 41000);
  EXPECT_EQ(p.price_minor, 120000);
  EXPECT_EQ(p.user_id, "340774");
  // The document's answer lists no discount_points per position: unknown,
  // not zero.
  EXPECT_FALSE(p.discount_centipoints.has_value());
}

TEST(SailPlayWire, PointsWrittenOffAreTheVendorsFigureWhenItListsThem) {
  auto outcome = ParsePurchase(
      200, R"({"status":"ok","purchase":{"id":1,"is_completed":false,"points_delta":0},
               "cart":{"cart":{"positions":[{"num":1,"discount_points":30},
                                            {"num":2,"discount_points":0}]}}})");
  ASSERT_TRUE(outcome.approved()) << outcome.failure().message;
  EXPECT_EQ(outcome.value().discount_centipoints, 3000);
}

TEST(SailPlayWire, ParsesPurchaseGetWithNumericPriceAndTextNums) {
  auto outcome = ParsePurchase(200, Fixture("sailplay/purchase_get_ok.json"));
  ASSERT_TRUE(outcome.approved()) << outcome.failure().message;
  EXPECT_EQ(outcome.value().price_minor, 50000);
  EXPECT_EQ(outcome.value().points_delta_centipoints, 2500);
}

TEST(SailPlayWire, TheDocumentsMalformedGetExampleIsUnreadableNotSuccess) {
  auto outcome = ParsePurchase(200, Fixture("sailplay/purchase_get_doc_verbatim.json"));
  ASSERT_TRUE(outcome.failed());
  EXPECT_TRUE(outcome.failure().maybe_applied);
}

TEST(SailPlayWire, ParsesEditV2AndRestore) {
  auto edited = ParsePurchase(200, Fixture("sailplay/edit_v2_ok.json"));
  ASSERT_TRUE(edited.approved()) << edited.failure().message;
  EXPECT_EQ(edited.value().order_num, "нгшщз");
  EXPECT_EQ(edited.value().points_delta_centipoints, 29900);
  auto restored = ParsePurchase(200, Fixture("sailplay/restore_ok.json"));
  ASSERT_TRUE(restored.approved()) << restored.failure().message;
  EXPECT_EQ(restored.value().id, "213268561");
  EXPECT_EQ(restored.value().price_minor, 49200);
}

TEST(SailPlayWire, ParsesCalcPerPositionPricesAndPoints) {
  auto outcome = ParseCalc(200, Fixture("sailplay/calc_ok.json"));
  ASSERT_TRUE(outcome.approved()) << outcome.failure().message;
  const Calc& c = outcome.value();
  EXPECT_EQ(c.cart_id, "615355613");
  ASSERT_EQ(c.positions.size(), 2u);
  EXPECT_EQ(c.positions[0].num, 1);
  EXPECT_EQ(c.positions[0].price_minor, 20000);
  EXPECT_EQ(c.positions[0].new_price_minor, 16000);
  EXPECT_EQ(c.positions[0].points_centipoints, 1600);
  EXPECT_EQ(c.positions[0].actions, std::vector<std::string>{"dairy-week"});
  EXPECT_EQ(c.positions[1].price_minor, 5550);
  EXPECT_EQ(c.total_points_centipoints, 1700);
  EXPECT_EQ(c.discount_points_max_for_user_centipoints, 5700);
  ASSERT_EQ(c.actions_applied.size(), 1u);
  EXPECT_EQ(c.actions_applied[0].first, "dairy-week");
}

TEST(SailPlayWire, CalcWithANewPriceAboveThePriceIsUnreadable) {
  std::string body = Fixture("sailplay/calc_ok.json");
  body.replace(body.find(R"("new_price": "160.00")"), 21, R"("new_price": "260.00")");
  auto outcome = ParseCalc(200, body);
  ASSERT_TRUE(outcome.failed());
  EXPECT_NE(outcome.failure().message.find("new_price"), std::string::npos);
}

TEST(SailPlayWire, ParsesUserInfoConfirmedPointsOnly) {
  auto outcome = ParseUserInfo(200, Fixture("sailplay/users_info_ok.json"));
  ASSERT_TRUE(outcome.approved());
  EXPECT_EQ(outcome.value().vendor_customer_id, "340774");
  EXPECT_EQ(outcome.value().name, "Иван Петров");
  EXPECT_EQ(outcome.value().balance_centipoints, 50000);
}

TEST(SailPlayWire, ErrorEnvelopeCarriesStatusCodeAndMessage) {
  auto refused = ParseDelete(200, Fixture("sailplay/delete_error.json"));
  ASSERT_TRUE(refused.declined());
  EXPECT_EQ(refused.declined_reason().kind, DeclineKind::kRefused);
  EXPECT_EQ(refused.declined_reason().field, "-3001");
  EXPECT_EQ(refused.declined_reason().message, "Impossible to delete purchase");

  auto edit = ParseEditUser(200, Fixture("sailplay/edit_v1_error.json"));
  ASSERT_TRUE(edit.declined());
  EXPECT_EQ(edit.declined_reason().field, "-3003");

  auto unknown = ParseUserInfo(200, Fixture("sailplay/users_info_not_found.json"));
  ASSERT_TRUE(unknown.declined());
  EXPECT_EQ(unknown.declined_reason().kind, DeclineKind::kNotFound);
}

TEST(SailPlayWire, ParsesDeleteAndEditV1) {
  auto deleted = ParseDelete(200, Fixture("sailplay/delete_ok.json"));
  ASSERT_TRUE(deleted.approved());
  EXPECT_EQ(deleted.value().id, "9676");
  EXPECT_EQ(deleted.value().order_num, "12345");
  auto edited = ParseEditUser(200, Fixture("sailplay/edit_v1_ok.json"));
  ASSERT_TRUE(edited.approved());
  EXPECT_EQ(edited.value().user_id, "36151702");
}

TEST(SailPlayWire, LoginRefusalIsAMisconfiguredProgram) {
  auto outcome = ParseLogin(200, Fixture("sailplay/login_error.json"));
  ASSERT_TRUE(outcome.declined());
  EXPECT_EQ(outcome.declined_reason().kind, DeclineKind::kMisconfigured);
  EXPECT_NE(outcome.declined_reason().message.find("Data not found"), std::string::npos);
  auto token =
      ParseLogin(200, R"({"status":"ok","token":"024e3bfbe50c8ef3d413caf1erwf5380bbdd79df3"})");
  ASSERT_TRUE(token.approved());
  EXPECT_EQ(token.value(), "024e3bfbe50c8ef3d413caf1erwf5380bbdd79df3");
}

TEST(SailPlayWire, MissingStatusNonJsonAndServerErrorsAreNeverSuccess) {
  auto no_status = ParseDelete(200, R"({"id": 1, "order_num": "1"})");
  ASSERT_TRUE(no_status.declined());
  EXPECT_TRUE(ParseDelete(200, "<html>oops</html>").failed());
  auto server = ParseDelete(502, "");
  ASSERT_TRUE(server.failed());
  EXPECT_TRUE(server.failure().maybe_applied);
  EXPECT_TRUE(
      IsTokenRefusal(R"({"status":"error","status_code":-200001,"message":"Invalid token"})"));
  EXPECT_FALSE(IsTokenRefusal(R"({"status":"ok","id":-200001})"));
}

}  // namespace
}  // namespace loyalty::connectors::sailplay
