// The connector contract: every vendor's connector, against its simulator
// over real HTTP on 127.0.0.1, answers the same situations the same way.
// A new vendor passes this suite before the broker uses it.

#include <gtest/gtest.h>

#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "connectors/artix/connector.h"
#include "connectors/builtin/builtin_vendors.h"
#include "connectors/http/curl_multi_client.h"
#include "connectors/loyalclient/connector.h"
#include "connectors/sailplay/connector.h"
#include "simulators/artix/server.h"
#include "simulators/kit/seed.h"
#include "simulators/loyalclient/server.h"
#include "simulators/sailplay/server.h"
#include "tests/contract/await.h"
#include "tests/contract/vendor_under_test.h"

namespace loyalty::contract {
namespace {

using connectors::Account;
using connectors::BookRequest;
using connectors::BookResult;
using connectors::CallContext;
using connectors::CustomerRef;
using connectors::DeclineKind;
using connectors::Line;
using connectors::Outcome;
using connectors::PurchaseRef;
using connectors::PurchaseState;
using connectors::QuoteRequest;
using connectors::QuoteResult;

nlohmann::json SeedOf(const std::string& relative) {
  return simulator::LoadSeed(std::string(LOYALTY_SOURCE_DIR) + "/simulators/" + relative);
}

Line MakeLine(int32_t no, std::string sku, int64_t quantity_milli, int64_t unit_price_minor,
              int64_t min_unit_price_minor) {
  Line line;
  line.line_no = no;
  line.sku = sku;
  line.barcode = "46" + std::to_string(1000000 + no);
  line.quantity_milli = quantity_milli;
  line.unit_price_minor = unit_price_minor;
  line.min_unit_price_minor = min_unit_price_minor;
  line.total_before_minor = unit_price_minor * quantity_milli / 1000;
  line.min_total_minor = min_unit_price_minor * quantity_milli / 1000;
  return line;
}

VendorUnderTest LoyalClient() {
  VendorUnderTest v;
  v.name = "LoyalClient";
  v.make_simulator = [] {
    return std::make_unique<simulator::loyalclient::LoyalClientSimulator>(
        SeedOf("loyalclient/data/loyalclient-seed.json"));
  };
  v.program = [](int port, bool valid) {
    connectors::ProgramConfig p;
    p.id = 1;
    p.code = "lc";
    p.vendor = "loyalclient";
    p.base_url = absl::StrCat("http://127.0.0.1:", port);
    p.settings["point"] = "62a1f0c0e4b0a1b2c3d4e5f4";
    p.secrets["apikey"] = valid ? "lc-demo-apikey-0001" : "wrong-key";
    connectors::BuiltinVendors().Prepare(p);
    return p;
  };
  v.make_connector = [](connectors::HttpClient& http) {
    return std::make_shared<connectors::loyalclient::LoyalClientConnector>(http);
  };
  v.known_customer = {CustomerRef::Kind::kPhone, "79201234567"};
  v.unknown_customer = {CustomerRef::Kind::kPhone, "70000000000"};
  v.unsupported_customer = {CustomerRef::Kind::kEmail, "ivan@example.com"};
  v.cart = {MakeLine(1, "MILK-1L", 2000, 10000, 5000), MakeLine(2, "BREAD-W", 1000, 5550, 0)};
  return v;
}

VendorUnderTest SailPlay() {
  VendorUnderTest v;
  v.name = "SailPlay";
  v.make_simulator = [] {
    return std::make_unique<simulator::sailplay::SailPlaySimulator>(
        SeedOf("sailplay/data/sailplay-seed.json"));
  };
  v.program = [](int port, bool valid) {
    connectors::ProgramConfig p;
    p.id = 2;
    p.code = "sp";
    p.vendor = "sailplay";
    p.base_url = absl::StrCat("http://127.0.0.1:", port);
    p.settings["store_department_id"] = "219";
    p.secrets["store_department_key"] = valid ? "sp-demo-department-key-219" : "wrong";
    p.secrets["pin_code"] = "104443";
    connectors::BuiltinVendors().Prepare(p);
    return p;
  };
  v.make_connector = [](connectors::HttpClient& http) {
    return std::make_shared<connectors::sailplay::SailPlayConnector>(http);
  };
  v.known_customer = {CustomerRef::Kind::kPhone, "79201234567"};
  v.unknown_customer = {CustomerRef::Kind::kPhone, "70000000000"};
  v.unsupported_customer = {CustomerRef::Kind::kCard, "1010"};
  v.cart = {MakeLine(1, "MILK-1L", 2000, 10000, 5000), MakeLine(2, "BREAD-W", 1000, 5550, 0)};
  return v;
}

VendorUnderTest Artix() {
  VendorUnderTest v;
  v.name = "Artix";
  v.make_simulator = [] {
    return std::make_unique<simulator::artix::ArtixSimulator>(SeedOf("artix/data/artix-seed.json"));
  };
  // VirtualPOS has no authentication: there are no credentials to get wrong.
  v.program = [](int port, bool) {
    connectors::ProgramConfig p;
    p.id = 3;
    p.code = "ax";
    p.vendor = "artix";
    p.base_url = absl::StrCat("http://127.0.0.1:", port);
    p.settings["cash_code"] = "1";
    p.settings["shop_code"] = "1";
    p.settings["shop_labels"] = "61fb8bcf81021504bbd255be";
    connectors::BuiltinVendors().Prepare(p);
    return p;
  };
  v.make_connector = [](connectors::HttpClient& http) {
    return std::make_shared<connectors::artix::ArtixConnector>(http);
  };
  v.known_customer = {CustomerRef::Kind::kCard, "1010"};
  v.unknown_customer = {CustomerRef::Kind::kCard, "999999"};
  v.unsupported_customer = {CustomerRef::Kind::kPhone, "79201234567"};
  Line yogurt = MakeLine(1, "YOGURT", 3000, 8990, 5000);
  yogurt.barcode = "4607001770015";  // third one free
  Line cheese = MakeLine(2, "CHEESE", 333, 89990, 50000);
  cheese.barcode = "2000000012345";  // weighed
  v.cart = {yogurt, cheese};
  return v;
}

std::string OrderNumber() {
  static std::mt19937_64 random{std::random_device{}()};
  return absl::StrCat("contract-", random() % 1000000000);
}

class ConnectorContract : public ::testing::TestWithParam<VendorUnderTest> {
 protected:
  void SetUp() override {
    simulator_ = GetParam().make_simulator();
    port_ = simulator_->Start("127.0.0.1", 0);
    ASSERT_GT(port_, 0);
    connector_ = GetParam().make_connector(http_);
  }

  CallContext Context(bool valid_credentials = true,
                      absl::Duration timeout = absl::Seconds(5)) const {
    return CallContext{
        std::make_shared<connectors::ProgramConfig>(GetParam().program(port_, valid_credentials)),
        absl::Now() + timeout,
        {}};
  }

  Outcome<Account> Identify(const CustomerRef& customer, const CallContext& context) {
    return Await<Account>(
        [&](auto done) { connector_->Identify(context, {customer}, std::move(done)); });
  }

  Outcome<QuoteResult> Quote(const CallContext& context) {
    QuoteRequest request;
    request.customer = GetParam().known_customer;
    request.lines = GetParam().cart;
    return Await<QuoteResult>(
        [&](auto done) { connector_->Quote(context, request, std::move(done)); });
  }

  void SetFaults(const nlohmann::json& faults) {
    ASSERT_EQ(simulator_->faults().Configure(faults), "");
  }

  std::unique_ptr<simulator::SimulatorServer> simulator_;
  int port_ = 0;
  // Destroyed before the simulator: its kept-alive connections close first,
  // so the simulator stops at once.
  connectors::CurlMultiHttpClient http_;
  std::shared_ptr<connectors::Connector> connector_;
};

TEST_P(ConnectorContract, IdentifiesAKnownCustomer) {
  auto found = Identify(GetParam().known_customer, Context());
  ASSERT_TRUE(found.approved()) << connectors::OutcomeLabel(found);
  EXPECT_FALSE(found.value().vendor_customer_id.empty());
  EXPECT_GE(found.value().balance_centipoints, 0);
}

TEST_P(ConnectorContract, UnknownCustomerIsNotFound) {
  auto found = Identify(GetParam().unknown_customer, Context());
  ASSERT_TRUE(found.declined());
  EXPECT_EQ(found.declined_reason().kind, DeclineKind::kNotFound);
  EXPECT_FALSE(found.declined_reason().message.empty());
}

TEST_P(ConnectorContract, IdentifierKindTheVendorLacksIsUnsupported) {
  auto found = Identify(GetParam().unsupported_customer, Context());
  ASSERT_TRUE(found.declined());
  EXPECT_EQ(found.declined_reason().kind, DeclineKind::kUnsupported);
}

TEST_P(ConnectorContract, QuoteNeverDiscountsBelowTheLineMinimum) {
  auto quote = Quote(Context());
  ASSERT_TRUE(quote.approved()) << connectors::OutcomeLabel(quote);
  ASSERT_TRUE(quote.value().account.has_value());
  for (const auto& discount : quote.value().discounts) {
    const Line* line = nullptr;
    for (const auto& l : GetParam().cart) {
      if (l.line_no == discount.line_no) line = &l;
    }
    ASSERT_NE(line, nullptr) << "discount for unknown line " << discount.line_no;
    EXPECT_GT(discount.amount_minor, 0);
    EXPECT_LE(discount.amount_minor, line->total_before_minor - line->min_total_minor);
  }
  EXPECT_GE(quote.value().spendable_centipoints, 0);
  EXPECT_LE(quote.value().spendable_centipoints, quote.value().account->balance_centipoints);
}

// Only for vendors with credentials: Artix VirtualPOS has none to refuse.
class ConnectorWithCredentials : public ConnectorContract {};

TEST_P(ConnectorWithCredentials, RefusedCredentialsAreAMisconfiguredProgram) {
  auto found = Identify(GetParam().known_customer, Context(/*valid_credentials=*/false));
  ASSERT_TRUE(found.declined());
  EXPECT_EQ(found.declined_reason().kind, DeclineKind::kMisconfigured);
  // The refused secret never appears in what the broker would show.
  EXPECT_EQ(found.declined_reason().message.find("wrong"), std::string::npos);
}

TEST_P(ConnectorContract, VendorDownIsARetryableFailure) {
  Identify(GetParam().known_customer, Context());  // any session set up first
  SetFaults({{"fail_count", 5}, {"fail_status", 503}});
  auto found = Identify(GetParam().known_customer, Context());
  ASSERT_TRUE(found.failed());
  EXPECT_TRUE(found.failure().retryable);
}

TEST_P(ConnectorContract, SlowVendorFailsAtTheDeadline) {
  Identify(GetParam().known_customer, Context());
  SetFaults({{"hang_ms", 1500}, {"hang_count", 1}});
  const absl::Time started = absl::Now();
  auto found = Identify(GetParam().known_customer, Context(true, absl::Milliseconds(200)));
  const absl::Duration took = absl::Now() - started;
  ASSERT_TRUE(found.failed());
  EXPECT_LT(took, absl::Milliseconds(1000)) << "the call outlived its deadline";
}

TEST_P(ConnectorContract, EveryOperationIsDoneOrPreciselyUnsupported) {
  const connectors::Capabilities caps = connector_->capabilities();
  auto found = Identify(GetParam().known_customer, Context());
  ASSERT_TRUE(found.approved());
  const std::string order = OrderNumber();
  if (caps.book) {
    BookRequest book;
    book.order_number = order;
    book.vendor_customer_id = found.value().vendor_customer_id;
    book.customer = GetParam().known_customer;
    book.lines = GetParam().cart;
    for (const auto& l : book.lines) book.amount_minor += l.total_before_minor;
    auto booked =
        Await<BookResult>([&](auto done) { connector_->Book(Context(), book, std::move(done)); });
    ASSERT_TRUE(booked.approved()) << connectors::OutcomeLabel(booked);
    EXPECT_GT(booked.value().earned_centipoints, 0);
  } else {
    auto booked = Await<BookResult>(
        [&](auto done) { connector_->Book(Context(), BookRequest{}, std::move(done)); });
    ASSERT_TRUE(booked.declined());
    EXPECT_EQ(booked.declined_reason().kind, DeclineKind::kUnsupported);
  }
  PurchaseRef ref{order, "", GetParam().known_customer};
  using Op = void (connectors::Connector::*)(const CallContext&, const PurchaseRef&,
                                             connectors::Callback<PurchaseState>);
  const std::vector<std::tuple<const char*, Op, bool>> operations = {
      {"get", &connectors::Connector::Get, caps.get},
      {"confirm", &connectors::Connector::Confirm, caps.confirm},
      {"reassign", &connectors::Connector::Reassign, caps.reassign},
      {"cancel", &connectors::Connector::Cancel, caps.cancel},
      {"restore", &connectors::Connector::Restore, caps.restore},
  };
  for (const auto& [name, op, supported] : operations) {
    auto outcome = Await<PurchaseState>(
        // A copy of `op`: clang 14 cannot capture a structured binding.
        [&, op = op](auto done) { (connector_.get()->*op)(Context(), ref, std::move(done)); });
    if (supported) {
      EXPECT_TRUE(outcome.approved()) << name;
    } else {
      ASSERT_TRUE(outcome.declined()) << name;
      EXPECT_EQ(outcome.declined_reason().kind, DeclineKind::kUnsupported) << name;
      EXPECT_NE(outcome.declined_reason().message.find(std::string(connector_->DisplayName())),
                std::string::npos);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Vendors, ConnectorContract,
                         ::testing::Values(LoyalClient(), SailPlay(), Artix()),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Vendors, ConnectorWithCredentials,
                         ::testing::Values(LoyalClient(), SailPlay()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace loyalty::contract
