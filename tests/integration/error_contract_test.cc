// The till's error contract over real gRPC: every error class carries a
// google.rpc.Status in grpc-status-details-bin whose ErrorInfo reason says
// what happened (and names the program, vendor and vendor code where one
// is involved), BadRequest lists every bad field, RetryInfo says when a
// retry helps, and a vendor's refusal brings its words for the cashier.
// A commit in doubt answers IN_DOUBT on every retry until it is settled.

#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "broker/common/error_reasons.h"
#include "broker/common/random_id.h"
#include "simulators/loyalclient/server.h"
#include "tests/integration/error_details.h"
#include "tests/integration/simulator_stack_test.h"

namespace loyalty::broker {
namespace {

using simulator::loyalclient::LoyalClientSimulator;
using Stub = v1::LoyaltyBroker::Stub;
using testing::DecodeErrorDetails;
using testing::ErrorDetails;

constexpr char kPoint[] = "62a1f0c0e4b0a1b2c3d4e5f4";
constexpr char kIvanId[] = "62a1f0c0e4b0a1b2c3d4e601";  // cashback 10%, 50% max spend
constexpr char kIvanPhone[] = "79201234567";

class ErrorContractTest
    : public testing::SimulatorStackTest<ErrorContractTest, LoyalClientSimulator> {
 protected:
  static void SetUpTestSuite() {
    key_ = StoreKey("errors");
    bad_key_ = StoreKey("errors-bad");
    auto store = [](const std::string& id, const std::string& key, const std::string& program,
                    const std::string& apikey, int port) {
      return absl::StrCat(
          "  - id: ", id, "-", testing::RunId(), "\n    api_keys: [{label: till, key: ", key,
          "}]\n    programs:\n      - code: ", program,
          "\n        vendor: loyalclient\n        base_url: http://127.0.0.1:", port,
          "\n        settings: {point: ", kPoint, "}\n        credentials: {apikey: \"", apikey,
          "\"}\n");
    };
    StartStack("loyalclient/data/loyalclient-seed.json",
               [store](int port) {
                 return absl::StrCat(
                     "stores:\n", store("errors", key_, "lc-main", "${LC_KEY}", port),
                     store("errors-bad", bad_key_, "lc-badkey", "not-the-programs-apikey", port));
               },
               {{"LC_KEY", "lc-demo-apikey-0001"}});
  }

  template <typename Request, typename Response, typename Method>
  grpc::Status Call(Method method, const Request& request, Response* response,
                    const std::string& key = key_) {
    return stack_->Call(key, method, request, response);
  }

  v1::QuoteCartResponse Quote() {
    v1::QuoteCartRequest request;
    request.mutable_customer()->set_phone(kIvanPhone);
    auto* line = request.add_lines();
    line->set_line_no(1);
    line->set_sku("MILK");
    line->set_quantity_milli(2000);
    line->set_unit_price_minor(50000);
    v1::QuoteCartResponse quote;
    grpc::Status status = Call(&Stub::QuoteCart, request, &quote);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return quote;
  }

  // The reason the error carries, after checking the details decode and
  // agree with the status code.
  static ErrorDetails Expect(const grpc::Status& status, grpc::StatusCode code,
                             ErrorReason reason) {
    EXPECT_EQ(status.error_code(), code) << status.error_message();
    ErrorDetails details = DecodeErrorDetails(status);
    EXPECT_TRUE(details.decoded) << "no google.rpc.Status in grpc-status-details-bin";
    EXPECT_EQ(details.code, static_cast<int>(code));
    EXPECT_EQ(details.info.domain(), kErrorDomain);
    EXPECT_EQ(details.info.reason(), ReasonName(reason)) << status.error_message();
    return details;
  }

  static int64_t Balance() {
    return simulator_->state().DescribeClient(kIvanId)["balance_centipoints"].get<int64_t>();
  }

  static inline std::string key_, bad_key_;
};

TEST_F(ErrorContractTest, EveryBadFieldIsListedInBadRequest) {
  v1::QuoteCartRequest request;
  auto* first = request.add_lines();
  first->set_line_no(1);
  first->set_sku("A");
  first->set_quantity_milli(0);
  first->set_unit_price_minor(-1);
  auto* second = request.add_lines();
  second->set_line_no(1);  // repeats the first
  second->set_sku("");
  second->set_quantity_milli(1000);
  second->set_unit_price_minor(100);
  v1::QuoteCartResponse quote;
  const ErrorDetails d = Expect(Call(&Stub::QuoteCart, request, &quote),
                                grpc::StatusCode::INVALID_ARGUMENT, ErrorReason::kInvalidRequest);
  ASSERT_TRUE(d.bad_request.has_value());
  std::set<std::string> fields;
  for (const auto& v : d.bad_request->field_violations()) {
    fields.insert(v.field());
    EXPECT_FALSE(v.description().empty());
  }
  EXPECT_EQ(fields, (std::set<std::string>{"lines[0].quantity_milli", "lines[0].unit_price_minor",
                                           "lines[1].line_no", "lines[1].sku"}));
  EXPECT_FALSE(d.retry.has_value());  // the same request fails the same way
}

TEST_F(ErrorContractTest, KeysMissingOrUnknownSayWhich) {
  v1::PurchaseByOrderRequest get;
  get.set_order_number("any");
  v1::PurchaseResponse purchase;
  Expect(Call(&Stub::GetPurchase, get, &purchase, ""), grpc::StatusCode::UNAUTHENTICATED,
         ErrorReason::kApiKeyMissing);
  Expect(Call(&Stub::GetPurchase, get, &purchase, "no-such-key-of-any-store"),
         grpc::StatusCode::UNAUTHENTICATED, ErrorReason::kApiKeyInvalid);
  Expect(Call(&Stub::GetPurchase, get, &purchase), grpc::StatusCode::NOT_FOUND,
         ErrorReason::kPurchaseNotFound);
}

TEST_F(ErrorContractTest, UnknownCustomerQuoteAndHoldAreNotFoundEachByName) {
  v1::IdentifyCustomerRequest identify;
  identify.mutable_customer()->set_phone("70000000000");
  v1::IdentifyCustomerResponse customer;
  Expect(Call(&Stub::IdentifyCustomer, identify, &customer), grpc::StatusCode::NOT_FOUND,
         ErrorReason::kCustomerNotFound);
  identify.mutable_customer()->set_email("ivan@example.ru");
  Expect(Call(&Stub::IdentifyCustomer, identify, &customer), grpc::StatusCode::FAILED_PRECONDITION,
         ErrorReason::kNotSupportedByStore);

  v1::PurchaseResponse purchase;
  Expect(Call(&Stub::CommitPurchase,
              testing::CommitRequest("00000000-0000-0000-0000-000000000000", "E"), &purchase),
         grpc::StatusCode::NOT_FOUND, ErrorReason::kQuoteNotFound);
  v1::ReleaseHoldRequest release;
  release.set_hold_id("00000000-0000-0000-0000-000000000000");
  v1::ReleaseHoldResponse released;
  Expect(Call(&Stub::ReleaseHold, release, &released), grpc::StatusCode::NOT_FOUND,
         ErrorReason::kHoldNotFound);
}

TEST_F(ErrorContractTest, AnExpiredQuoteSaysQuoteAgain) {
  auto quote = Quote();
  // The quote's row, once written (behind its answer), copied as an expired
  // quote of the same store that another replica answered: this one never
  // had it at hand, so the commit reads it.
  const std::string row = absl::StrCat("FROM quotes WHERE quote_id = '", quote.quote_id(), "'");
  for (int i = 0; i < 500 && testing::QueryInt("SELECT count(*) " + row) == 0; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  const std::string expired = RandomUuid();
  ASSERT_EQ(
      testing::ExecuteSql(absl::StrCat("CREATE TEMP TABLE expired ON COMMIT DROP AS SELECT * ", row,
                                       ";", "UPDATE expired SET quote_id = '", expired,
                                       "', expires_at = now() - interval '1 second';"
                                       "INSERT INTO quotes SELECT * FROM expired")),
      1);
  v1::PurchaseResponse purchase;
  const ErrorDetails d =
      Expect(Call(&Stub::CommitPurchase, testing::CommitRequest(expired, "E"), &purchase),
             grpc::StatusCode::FAILED_PRECONDITION, ErrorReason::kQuoteExpired);
  EXPECT_EQ(d.info.metadata().at("quote_id"), expired);
}

TEST_F(ErrorContractTest, TooManyPointsNamesTheProgramAndWhatIsAvailable) {
  auto quote = Quote();
  v1::PurchaseResponse purchase;
  const ErrorDetails d =
      Expect(Call(&Stub::CommitPurchase,
                  testing::CommitRequest(quote.quote_id(), "E", "lc-main",
                                         quote.spendable_centipoints() + 1),
                  &purchase),
             grpc::StatusCode::FAILED_PRECONDITION, ErrorReason::kInsufficientPoints);
  EXPECT_EQ(d.info.metadata().at("program"), "lc-main");
  EXPECT_EQ(d.info.metadata().at("available_centipoints"),
            std::to_string(quote.spendable_centipoints()));
}

TEST_F(ErrorContractTest, AVendorsRefusalBringsItsWordsAndCodeAndReplaysIdentically) {
  auto quote = Quote();
  // Another till spends all but 100.00 of Ivan's points after the quote.
  const int64_t balance = Balance();
  ASSERT_EQ(simulator_->state()
                .Retail(nlohmann::json{{"client", kIvanId},
                                       {"point", kPoint},
                                       {"amount", 1000000},
                                       {"spend", (balance - 10000) / 100}})
                .status,
            200);
  const auto commit = testing::CommitRequest(quote.quote_id(), "E", "lc-main", 50000);
  v1::PurchaseResponse purchase;
  const grpc::Status first = Call(&Stub::CommitPurchase, commit, &purchase);
  const ErrorDetails d =
      Expect(first, grpc::StatusCode::FAILED_PRECONDITION, ErrorReason::kVendorDeclined);
  EXPECT_EQ(d.info.metadata().at("program"), "lc-main");
  EXPECT_EQ(d.info.metadata().at("vendor"), "LoyalClient");
  EXPECT_EQ(d.info.metadata().at("vendor_code"), "spend");  // the field LoyalClient's 422 names
  ASSERT_TRUE(d.localized.has_value());
  EXPECT_EQ(d.localized->message(), "Spend can't be more 100");
  EXPECT_EQ(d.localized->locale(), "ru-RU");

  const grpc::Status replay = Call(&Stub::CommitPurchase, commit, &purchase);
  EXPECT_EQ(replay.error_code(), first.error_code());
  EXPECT_EQ(replay.error_message(), first.error_message());
  EXPECT_EQ(replay.error_details(), first.error_details());
}

TEST_F(ErrorContractTest, ReusedKeyUnsupportedOperationAndLongHoldAreEachNamed) {
  auto quote = Quote();
  auto commit = testing::CommitRequest(quote.quote_id(), "E");
  v1::PurchaseResponse purchase;
  ASSERT_TRUE(Call(&Stub::CommitPurchase, commit, &purchase).ok());
  auto other = commit;
  other.set_order_number(commit.order_number() + "-other");
  Expect(Call(&Stub::CommitPurchase, other, &purchase), grpc::StatusCode::ALREADY_EXISTS,
         ErrorReason::kIdempotencyKeyReused);
  Expect(Call(&Stub::CommitPurchase, testing::CommitRequest(quote.quote_id(), "E"), &purchase),
         grpc::StatusCode::FAILED_PRECONDITION, ErrorReason::kQuoteAlreadyCommitted);
  auto taken = testing::CommitRequest(Quote().quote_id(), "E");
  taken.set_order_number(commit.order_number());
  const ErrorDetails order =
      Expect(Call(&Stub::CommitPurchase, taken, &purchase), grpc::StatusCode::ALREADY_EXISTS,
             ErrorReason::kOrderNumberTaken);
  EXPECT_EQ(order.info.metadata().at("order_number"), commit.order_number());

  v1::PurchaseByOrderRequest by_order;
  by_order.set_order_number(commit.order_number());
  const ErrorDetails d =
      Expect(Call(&Stub::CancelPurchase, by_order, &purchase),
             grpc::StatusCode::FAILED_PRECONDITION, ErrorReason::kNotSupportedByVendor);
  EXPECT_EQ(d.info.metadata().at("vendor"), "LoyalClient");

  // LoyalClient holds last at most 10 minutes: 601 s is refused, not cut.
  auto fresh = Quote();
  v1::HoldPointsRequest hold;
  hold.set_quote_id(fresh.quote_id());
  hold.set_program("lc-main");
  hold.set_amount_centipoints(1000);
  hold.set_ttl_seconds(601);
  v1::HoldPointsResponse held;
  const ErrorDetails too_long =
      Expect(Call(&Stub::HoldPoints, hold, &held), grpc::StatusCode::FAILED_PRECONDITION,
             ErrorReason::kHoldTtlTooLong);
  EXPECT_EQ(too_long.info.metadata().at("max_ttl_seconds"), "600");
  EXPECT_EQ(simulator_->state().DescribeClient(kIvanId)["held_centipoints"], 0);
  hold.set_ttl_seconds(600);
  ASSERT_TRUE(Call(&Stub::HoldPoints, hold, &held).ok());
  EXPECT_LE(held.expires_at().seconds(), absl::ToUnixSeconds(absl::Now()) + 601);
}

TEST_F(ErrorContractTest, AVendorDownIsRetryableWithADelay) {
  ASSERT_EQ(simulator_->faults().Configure({{"fail_count", 1}, {"fail_status", 503}}), "");
  v1::IdentifyCustomerRequest identify;
  identify.mutable_customer()->set_phone(kIvanPhone);
  v1::IdentifyCustomerResponse customer;
  const ErrorDetails d = Expect(Call(&Stub::IdentifyCustomer, identify, &customer),
                                grpc::StatusCode::UNAVAILABLE, ErrorReason::kVendorUnavailable);
  ASSERT_TRUE(d.retry.has_value());
  EXPECT_GT(d.retry->retry_delay().seconds() * 1000 + d.retry->retry_delay().nanos() / 1000000, 0);
  EXPECT_EQ(d.info.metadata().at("program"), "lc-main");
  EXPECT_EQ(d.info.metadata().at("vendor"), "LoyalClient");
  // The retry it invites succeeds once the vendor is back.
  EXPECT_TRUE(Call(&Stub::IdentifyCustomer, identify, &customer).ok());
}

TEST_F(ErrorContractTest, ACommitInDoubtAnswersInDoubtUntilSettledThenTheSettledPurchase) {
  auto quote = Quote();
  const auto commit = testing::CommitRequest(quote.quote_id(), "E", "lc-main", 10000);
  const int64_t retails =
      simulator_->faults().RequestCounts().value("/integration/general/retail", 0);
  // LoyalClient books the retail, then the connection drops: the broker
  // cannot know, and LoyalClient cannot be asked.
  ASSERT_EQ(simulator_->faults().Configure(
                {{"drop_count", 1}, {"drop_path", "/integration/general/retail"}}),
            "");
  v1::PurchaseResponse purchase;
  const ErrorDetails first = Expect(Call(&Stub::CommitPurchase, commit, &purchase),
                                    grpc::StatusCode::UNAVAILABLE, ErrorReason::kInDoubt);
  EXPECT_EQ(first.info.metadata().at("program"), "lc-main");
  EXPECT_EQ(first.info.metadata().at("order_number"), commit.order_number());
  ASSERT_TRUE(first.retry.has_value());

  // Every retry: in doubt, never "still running".
  for (int i = 0; i < 2; ++i) {
    Expect(Call(&Stub::CommitPurchase, commit, &purchase), grpc::StatusCode::UNAVAILABLE,
           ErrorReason::kInDoubt);
  }
  v1::PurchaseByOrderRequest get;
  get.set_order_number(commit.order_number());
  v1::PurchaseResponse stored;
  ASSERT_TRUE(Call(&Stub::GetPurchase, get, &stored).ok());
  EXPECT_EQ(stored.status(), v1::PURCHASE_STATUS_IN_DOUBT);
  EXPECT_FALSE(stored.reason().empty());
  ASSERT_EQ(stored.programs_size(), 1);
  EXPECT_EQ(stored.programs(0).status(), v1::PROGRAM_PURCHASE_STATUS_IN_DOUBT);
  EXPECT_FALSE(stored.programs(0).reason().empty());

  // Points earned beyond what the cart could earn are refused, changing nothing.
  auto absurd = stack_->Settle({.store_id = absl::StrCat("errors-", testing::RunId()),
                                .order_number = commit.order_number(),
                                .applied = true,
                                .reason = "typo",
                                .earned_centipoints = quote.total_minor() + 1});
  EXPECT_EQ(absurd.status().code(), absl::StatusCode::kInvalidArgument) << absurd.status();
  Expect(Call(&Stub::CommitPurchase, commit, &purchase), grpc::StatusCode::UNAVAILABLE,
         ErrorReason::kInDoubt);

  // An operator finds the retail in LoyalClient's records and settles it:
  // the same retry now gets the purchase as it stands.
  auto settled = stack_->Settle({.store_id = absl::StrCat("errors-", testing::RunId()),
                                 .order_number = commit.order_number(),
                                 .applied = true,
                                 .reason = "retail found in the vendor's statement",
                                 .earned_centipoints = 0});
  ASSERT_TRUE(settled.ok()) << settled.status();
  const grpc::Status answer = Call(&Stub::CommitPurchase, commit, &purchase);
  ASSERT_TRUE(answer.ok()) << answer.error_message();
  EXPECT_EQ(purchase.status(), v1::PURCHASE_STATUS_CONFIRMED);
  EXPECT_EQ(purchase.spent_centipoints(), 10000);
  EXPECT_EQ(purchase.paid_minor(), quote.total_minor() - 10000);
  EXPECT_EQ(purchase.programs(0).status(), v1::PROGRAM_PURCHASE_STATUS_APPROVED);
  EXPECT_EQ(simulator_->faults().RequestCounts()["/integration/general/retail"], retails + 1);
  // Settling twice is refused: it is no longer in doubt.
  EXPECT_EQ(stack_
                ->Settle({.store_id = absl::StrCat("errors-", testing::RunId()),
                          .order_number = commit.order_number(),
                          .applied = false,
                          .reason = "again",
                          .earned_centipoints = 0})
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(ErrorContractTest, AnInDoubtCommitSettledAsNotAppliedIsCommittedAfreshByTheSameRetry) {
  auto quote = Quote();
  const auto commit = testing::CommitRequest(quote.quote_id(), "E", "lc-main", 10000);
  const int64_t retails =
      simulator_->faults().RequestCounts().value("/integration/general/retail", 0);
  const int64_t balance = Balance();
  // A 503 after the request was sent: the broker cannot tell; the vendor
  // in fact applied nothing.
  ASSERT_EQ(simulator_->faults().Configure({{"fail_count", 1}, {"fail_status", 503}}), "");
  v1::PurchaseResponse purchase;
  Expect(Call(&Stub::CommitPurchase, commit, &purchase), grpc::StatusCode::UNAVAILABLE,
         ErrorReason::kInDoubt);
  EXPECT_EQ(Balance(), balance);
  auto settled = stack_->Settle({.store_id = absl::StrCat("errors-", testing::RunId()),
                                 .order_number = commit.order_number(),
                                 .applied = false,
                                 .reason = "no such retail in the vendor's statement",
                                 .earned_centipoints = 0});
  ASSERT_TRUE(settled.ok()) << settled.status();
  EXPECT_EQ(settled->state, PurchaseState::kFailed);
  const grpc::Status answer = Call(&Stub::CommitPurchase, commit, &purchase);
  ASSERT_TRUE(answer.ok()) << answer.error_message();
  EXPECT_EQ(purchase.status(), v1::PURCHASE_STATUS_CONFIRMED);
  EXPECT_EQ(Balance(), balance - 10000);  // spent once
  EXPECT_EQ(simulator_->faults().RequestCounts()["/integration/general/retail"], retails + 2);
}

TEST_F(ErrorContractTest, AVendorAnsweringMegabytesFailsTheCallNotTheBroker) {
  ASSERT_EQ(simulator_->faults().Configure({{"pad_bytes", 3 << 20}}), "");
  v1::IdentifyCustomerRequest identify;
  identify.mutable_customer()->set_phone(kIvanPhone);
  v1::IdentifyCustomerResponse customer;
  const grpc::Status status = Call(&Stub::IdentifyCustomer, identify, &customer);
  Expect(status, grpc::StatusCode::UNAVAILABLE, ErrorReason::kVendorUnavailable);
  EXPECT_NE(status.error_message().find("answer longer than 1048576 bytes"), std::string::npos)
      << status.error_message();
  EXPECT_LT(status.error_message().size(), 1024u);
  ASSERT_EQ(simulator_->faults().Configure(nlohmann::json::object()), "");
  EXPECT_TRUE(Call(&Stub::IdentifyCustomer, identify, &customer).ok());
}

TEST_F(ErrorContractTest, AProgramWhoseCredentialsTheVendorRefusesIsMisconfiguredAndDown) {
  v1::IdentifyCustomerRequest identify;
  identify.mutable_customer()->set_phone(kIvanPhone);
  v1::IdentifyCustomerResponse customer;
  // Not "customer not found": the program never got to look.
  const grpc::Status status = Call(&Stub::IdentifyCustomer, identify, &customer, bad_key_);
  const ErrorDetails d =
      Expect(status, grpc::StatusCode::FAILED_PRECONDITION, ErrorReason::kProgramMisconfigured);
  EXPECT_EQ(status.error_message().find("not-the-programs-apikey"), std::string::npos);
  EXPECT_EQ(d.info.metadata().at("program"), "lc-badkey");
  EXPECT_EQ(d.info.metadata().at("vendor_code"), "apikey");
  const std::string scrape = testing::ScrapeMetrics(stack_->metrics_port());
  EXPECT_EQ(testing::MetricValue(scrape,
                                 R"(loyalty_program_up{program="lc-badkey",vendor="loyalclient"})"),
            0);
}

TEST(ErrorReasons, EachHasOneNameAndTheIntegratorsGuideListsIt) {
  std::ifstream in(std::string(LOYALTY_SOURCE_DIR) + "/proto/README.md");
  ASSERT_TRUE(in) << "proto/README.md";
  const std::string guide((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::set<std::string> names;
  for (ErrorReason reason : AllReasons()) {
    const std::string name(ReasonName(reason));
    EXPECT_TRUE(names.insert(name).second) << name << " twice";
    EXPECT_NE(guide.find(absl::StrCat("`", name, "`")), std::string::npos)
        << name << " is not in proto/README.md";
  }
}

}  // namespace
}  // namespace loyalty::broker

namespace loyalty::broker {
namespace {

// Bytes that are no protobuf message at all, sent as QuoteCart's request.
grpc::Status CallWithRawBytes(const std::shared_ptr<grpc::Channel>& channel,
                              const std::string& api_key, const std::string& bytes) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.AddMetadata("x-api-key", api_key);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1), response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/loyalty.broker.v1.LoyaltyBroker/QuoteCart", grpc::StubOptions(),
                 &request, &response, [&](grpc::Status s) { done.set_value(std::move(s)); });
  return done.get_future().get();
}

TEST_F(ErrorContractTest, AMalformedMessageIsAnInvalidArgumentThatIsCounted) {
  const std::string series =
      "loyalty_rpc_errors_total{grpc_method=\"QuoteCart\",reason=\"INVALID_REQUEST\"}";
  const double before =
      std::max(0.0, testing::MetricValue(testing::ScrapeMetrics(stack_->metrics_port()), series));
  // A length-delimited field 1 claiming 100 bytes, then 3.
  const grpc::Status truncated = CallWithRawBytes(stack_->channel(), key_,
                                                  "\x0a\x64"
                                                  "abc");
  EXPECT_EQ(truncated.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(truncated.error_message().find("loyalty.broker.v1.QuoteCartRequest"),
            std::string::npos);
  EXPECT_EQ(testing::DecodeErrorDetails(truncated).info.reason(), "INVALID_REQUEST");
  // A string field (lines[0].sku) that is not UTF-8.
  const std::string bad_utf8 = std::string("\x12\x05\x12\x03") + "\xff\xfe\xfd";
  EXPECT_EQ(CallWithRawBytes(stack_->channel(), key_, bad_utf8).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(testing::MetricValue(testing::ScrapeMetrics(stack_->metrics_port()), series),
            before + 2);
}

}  // namespace
}  // namespace loyalty::broker
