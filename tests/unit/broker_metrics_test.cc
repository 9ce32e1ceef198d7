#include "broker/metrics/broker_metrics.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <memory>

namespace loyalty::broker {
namespace {

std::string Exposition(BrokerMetrics& metrics) {
  return prometheus::TextSerializer().Serialize(metrics.registry()->Collect());
}

TEST(BrokerMetrics, PointsTheOutboxDeliversCountAsEarnedWhenDelivered) {
  BrokerMetrics metrics({"CommitPurchase"});
  auto config = std::make_shared<connectors::ProgramConfig>();
  config->code = "sp-points";
  config->vendor = "sailplay";
  const StoreProgram program{config, false, {}};
  PurchaseProgramRecord booking;
  booking.state = BookingState::kApproved;
  booking.earned_centipoints = 1200;
  metrics.OnDelivered(booking, program);
  metrics.OnDelivered(booking, program);
  EXPECT_NE(
      Exposition(metrics).find("loyalty_points_earned_centipoints_total{program=\"sp-points\","
                               "vendor=\"sailplay\"} 2400"),
      std::string::npos)
      << Exposition(metrics);
}

// The request path finds its series once and keeps them (series_cache.h):
// the counts must still land in the series the labels name.
TEST(BrokerMetrics, RepeatedCallsCountInTheSeriesTheirLabelsName) {
  BrokerMetrics metrics({"QuoteCart"});
  for (int i = 0; i < 3; ++i) {
    metrics.OnRpcStarted("QuoteCart");
    metrics.OnRpcHandled("QuoteCart", absl::StatusCode::kOk, "", absl::Milliseconds(2));
  }
  metrics.OnRpcHandled("QuoteCart", absl::StatusCode::kAborted, "REQUEST_IN_PROGRESS",
                       absl::Milliseconds(2));
  // A method not named at start gets its series when first called.
  metrics.OnRpcStarted("Identify");
  VendorOperation op;
  op.program_code = "lc-main";
  op.vendor = "loyalclient";
  op.operation = "quote";
  op.outcome = "approved";
  op.latency_us = 1500;
  metrics.OnVendorCall(op);
  metrics.OnVendorCall(op);
  op.outcome = "failed";
  metrics.OnVendorCall(op);
  const std::string text = Exposition(metrics);
  for (const char* series : {
           "grpc_server_started_total{grpc_method=\"QuoteCart\",grpc_service=\"loyalty.broker.v1."
           "LoyaltyBroker\",grpc_type=\"unary\"} 3",
           "grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"QuoteCart\",grpc_service="
           "\"loyalty.broker.v1.LoyaltyBroker\",grpc_type=\"unary\"} 3",
           "grpc_server_handled_total{grpc_code=\"Aborted\",grpc_method=\"QuoteCart\","
           "grpc_service=\"loyalty.broker.v1.LoyaltyBroker\",grpc_type=\"unary\"} 1",
           "grpc_server_handling_seconds_count{grpc_method=\"QuoteCart\",grpc_service=\"loyalty."
           "broker.v1.LoyaltyBroker\",grpc_type=\"unary\"} 4",
           "grpc_server_started_total{grpc_method=\"Identify\",grpc_service=\"loyalty.broker.v1."
           "LoyaltyBroker\",grpc_type=\"unary\"} 1",
           "loyalty_vendor_requests_total{operation=\"quote\",outcome=\"approved\",program=\"lc-"
           "main\",vendor=\"loyalclient\"} 2",
           "loyalty_vendor_requests_total{operation=\"quote\",outcome=\"failed\",program=\"lc-"
           "main\",vendor=\"loyalclient\"} 1",
           "loyalty_program_up{program=\"lc-main\",vendor=\"loyalclient\"} 0",
       }) {
    EXPECT_NE(text.find(series), std::string::npos) << series << "\n" << text;
  }
}

}  // namespace
}  // namespace loyalty::broker
