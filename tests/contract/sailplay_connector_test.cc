// SailPlay's own behaviours beyond the shared contract: the session (login,
// log in again when the token is refused), booking retried by order number,
// the refused delete, and the cart edit (v2), against the simulator over HTTP.

#include <gtest/gtest.h>

#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "connectors/builtin/builtin_vendors.h"
#include "connectors/http/curl_multi_client.h"
#include "connectors/sailplay/connector.h"
#include "simulators/kit/seed.h"
#include "simulators/sailplay/server.h"
#include "tests/contract/await.h"

namespace loyalty::connectors::sailplay {
namespace {

using contract::Await;

constexpr int64_t kIvan = 340774;
const CustomerRef kIvanPhone{CustomerRef::Kind::kPhone, "79201234567"};
const CustomerRef kPetrPhone{CustomerRef::Kind::kPhone, "79990000003"};

Line MilkLine(int32_t no, int64_t total_minor) {
  Line line;
  line.line_no = no;
  line.sku = "MILK-1L";
  line.quantity_milli = 1000;
  line.unit_price_minor = total_minor;
  line.total_before_minor = total_minor;
  return line;
}

class SailPlayConnectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    simulator_ = std::make_unique<simulator::sailplay::SailPlaySimulator>(simulator::LoadSeed(
        std::string(LOYALTY_SOURCE_DIR) + "/simulators/sailplay/data/sailplay-seed.json"));
    const int port = simulator_->Start("127.0.0.1", 0);
    ASSERT_GT(port, 0);
    auto program = std::make_shared<ProgramConfig>();
    program->id = 7;
    program->vendor = "sailplay";
    program->base_url = absl::StrCat("http://127.0.0.1:", port);
    program->settings["store_department_id"] = "219";
    program->secrets["store_department_key"] = "sp-demo-department-key-219";
    program->secrets["pin_code"] = "104443";
    connectors::BuiltinVendors().Prepare(*program);
    program_ = program;
  }

  CallContext Context() const { return CallContext{program_, absl::Now() + absl::Seconds(5), {}}; }

  Outcome<BookResult> Book(const std::string& order, int64_t spend_centipoints,
                           int64_t total_minor = 100000) {
    BookRequest book;
    book.order_number = order;
    book.customer = kIvanPhone;
    book.lines = {MilkLine(1, total_minor)};
    book.amount_minor = total_minor;
    book.spend_centipoints = spend_centipoints;
    return Await<BookResult>([&](auto done) { connector_.Book(Context(), book, std::move(done)); });
  }

  Outcome<PurchaseState> Run(void (SailPlayConnector::*op)(const CallContext&, const PurchaseRef&,
                                                           Callback<PurchaseState>),
                             const std::string& order) {
    PurchaseRef ref{order, "", std::nullopt};
    return Await<PurchaseState>(
        [&](auto done) { (connector_.*op)(Context(), ref, std::move(done)); });
  }

  int64_t Confirmed(int64_t user) {
    return simulator_->state().DescribeUser(user)["points"]["confirmed"].get<int64_t>();
  }

  static std::string Order() {
    static std::mt19937_64 random{std::random_device{}()};
    return absl::StrCat("sp-", random() % 1000000000);
  }

  std::unique_ptr<simulator::sailplay::SailPlaySimulator> simulator_;
  CurlMultiHttpClient http_;  // destroyed first: the simulator then stops at once
  SailPlayConnector connector_{http_};
  std::shared_ptr<const ProgramConfig> program_;
};

TEST_F(SailPlayConnectorTest, LogsInAgainWhenTheTokenIsRefused) {
  ASSERT_TRUE(Await<Account>([&](auto done) {
                connector_.Identify(Context(), {kIvanPhone}, std::move(done));
              }).approved());
  simulator_->state().RevokeTokens();
  auto again = Await<Account>(
      [&](auto done) { connector_.Identify(Context(), {kIvanPhone}, std::move(done)); });
  ASSERT_TRUE(again.approved());
  EXPECT_EQ(again.value().vendor_customer_id, std::to_string(kIvan));
}

TEST_F(SailPlayConnectorTest, BookingRetriedWithTheSameOrderNumberIsNotDoubled) {
  const std::string order = Order();
  auto first = Book(order, 0);
  ASSERT_TRUE(first.approved());
  EXPECT_FALSE(first.value().confirmed);
  auto retried = Book(order, 0);
  ASSERT_TRUE(retried.approved());
  EXPECT_EQ(retried.value().vendor_reference, first.value().vendor_reference);
  EXPECT_EQ(retried.value().earned_centipoints, first.value().earned_centipoints);
  EXPECT_EQ(simulator_->state().PurchasesCreated(order), 1);
}

TEST_F(SailPlayConnectorTest, SpendsWholePointsOnly) {
  auto outcome = Book(Order(), 150);
  ASSERT_TRUE(outcome.declined());
  EXPECT_EQ(outcome.declined_reason().kind, DeclineKind::kInvalidArgument);
}

TEST_F(SailPlayConnectorTest, DeleteIsRefusedOnceThePurchasesPointsAreSpent) {
  const int64_t before = Confirmed(kIvan);
  const std::string earned_order = Order();
  auto earned = Book(earned_order, 0, 1000000);  // 10 000 rubles: dairy earns 10%
  ASSERT_TRUE(earned.approved());
  ASSERT_TRUE(Run(&SailPlayConnector::Confirm, earned_order).approved());
  const int64_t earned_points = earned.value().earned_centipoints / 100;
  EXPECT_EQ(Confirmed(kIvan), before + earned_points);

  // Spend everything, the earned points included.
  auto spent = Book(Order(), (before + earned_points) * 100, 10000000);
  ASSERT_TRUE(spent.approved()) << OutcomeLabel(spent);
  EXPECT_EQ(Confirmed(kIvan), 0);

  auto refused = Run(&SailPlayConnector::Cancel, earned_order);
  ASSERT_TRUE(refused.declined());
  EXPECT_EQ(refused.declined_reason().kind, DeclineKind::kRefused);
  EXPECT_EQ(refused.declined_reason().field, "-3001");
  EXPECT_EQ(refused.declined_reason().message, "Impossible to delete purchase");
  EXPECT_EQ(Confirmed(kIvan), 0);  // nothing changed
}

TEST_F(SailPlayConnectorTest, DeleteRestoreAndMoveToAnotherCustomer) {
  const std::string order = Order();
  ASSERT_TRUE(Book(order, 0).approved());
  auto deleted = Run(&SailPlayConnector::Cancel, order);
  ASSERT_TRUE(deleted.approved());
  EXPECT_TRUE(deleted.value().cancelled);
  EXPECT_TRUE(Run(&SailPlayConnector::Get, order).declined());
  ASSERT_TRUE(Run(&SailPlayConnector::Restore, order).approved());
  ASSERT_TRUE(Run(&SailPlayConnector::Get, order).approved());

  PurchaseRef ref{order, "", kPetrPhone};
  auto moved = Await<PurchaseState>(
      [&](auto done) { connector_.Reassign(Context(), ref, std::move(done)); });
  ASSERT_TRUE(moved.approved());
  EXPECT_EQ(moved.value().vendor_customer_id, "340775");
}

}  // namespace
}  // namespace loyalty::connectors::sailplay
