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

}  // namespace
}  // namespace loyalty::broker
