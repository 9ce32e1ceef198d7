#include "broker/core/booking_plan.h"

#include <gtest/gtest.h>

namespace loyalty::broker {
namespace {

std::vector<size_t> Order(const std::vector<BookingStep>& plan) {
  std::vector<size_t> order;
  for (const auto& step : plan) order.push_back(step.index);
  return order;
}

TEST(BookingPlan, UndoableSpendsFirstThenThePivotThenEarnOnlyBookings) {
  // 0: earns at a vendor without cancel; 1: spends at one without cancel;
  // 2: earns at one with cancel; 3: spends at one with cancel.
  auto plan = PlanBookings({{false, false}, {false, true}, {true, false}, {true, true}});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(Order(*plan), (std::vector<size_t>{3, 1, 0, 2}));
  EXPECT_EQ((*plan)[0].kind, BookingKind::kUndoable);
  EXPECT_EQ((*plan)[1].kind, BookingKind::kPivot);
  EXPECT_EQ((*plan)[2].kind, BookingKind::kRetriable);
  EXPECT_EQ((*plan)[3].kind, BookingKind::kRetriable);
}

TEST(BookingPlan, StoreOrderIsKeptWithinEachGroup) {
  auto plan = PlanBookings({{true, true}, {false, false}, {true, true}, {false, false}});
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(Order(*plan), (std::vector<size_t>{0, 2, 1, 3}));
}

TEST(BookingPlan, RefusesSpendingAtTwoProgramsThatCannotUndo) {
  auto plan = PlanBookings({{false, true}, {false, true}});
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(BookingPlan, NothingToBookIsAnEmptyPlan) {
  auto plan = PlanBookings({});
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->empty());
}

}  // namespace
}  // namespace loyalty::broker

namespace loyalty::broker {
namespace {

TEST(BookingMayBeSentAgain, OnlyWhatWasNotAppliedOrIsRecognisedWhenRepeated) {
  const connectors::Failed unreachable{true, false, "down"};
  const connectors::Failed timed_out{true, true, "timeout"};
  const connectors::Failed not_adding_up{false, true, "spent 9999.99, asked 1.00"};
  EXPECT_TRUE(BookingMayBeSentAgain(unreachable, false));
  EXPECT_FALSE(BookingMayBeSentAgain(timed_out, false));
  EXPECT_TRUE(BookingMayBeSentAgain(timed_out, true));
  EXPECT_FALSE(BookingMayBeSentAgain(not_adding_up, true));
}

}  // namespace
}  // namespace loyalty::broker
