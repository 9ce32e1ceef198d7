// Recovery of commits the broker did not finish (it died after the vendors
// booked and before the outcome was written), and the outbox's rule for an
// entry whose sender died mid-call.

#include "gtest/gtest.h"
#include "tests/core/fakes/core_world.h"

namespace loyalty::broker::testing {
namespace {

// Commits with the outcome write failing: the vendors booked, the purchase
// stays pending, as after a crash.
void CommitAndCrash(CoreWorld& world, const std::string& order, int64_t spend) {
  auto quote = world.QuoteFor("+7000000" + order, 1000);
  world.db().data.fail_next_outcome = true;
  v1::PurchaseResponse response;
  ASSERT_FALSE(world.Commit(world.CommitRequest(quote, order, spend), &response).ok());
  ASSERT_EQ(world.db().Purchase(CoreWorld::kStore, order)->state, PurchaseState::kPending);
}

TEST(CheckoutRecoveryTest, APendingPurchaseEveryVendorBookedIsFinishedAndAnswered) {
  CoreWorld world;
  CommitAndCrash(world, "9001", 100);
  // Not stale yet: nothing happens.
  ASSERT_EQ(*world.recovery().RecoverInterrupted(), 0);
  world.db().AgePending(CoreWorld::kStore, "9001", absl::Minutes(5));
  auto settled = world.recovery().RecoverInterrupted();
  ASSERT_TRUE(settled.ok()) << settled.status();
  EXPECT_EQ(*settled, 1);

  auto purchase = world.db().Purchase(CoreWorld::kStore, "9001");
  EXPECT_EQ(purchase->state, PurchaseState::kConfirmed);
  EXPECT_EQ(purchase->spent_centipoints, 100);
  EXPECT_EQ(purchase->earned_centipoints,
            world.alpha().bookings().at("9001").result.earned_centipoints +
                world.beta().bookings().at("9001").result.earned_centipoints);
  // The till's retry gets the recovered purchase as the answer.
  auto request = world.CommitRequest(v1::QuoteCartResponse(), "9001", 100);
  request.set_quote_id(purchase->quote_id);
  v1::PurchaseResponse answer;
  ASSERT_TRUE(world.Commit(request, &answer).ok());
  EXPECT_EQ(answer.status(), v1::PURCHASE_STATUS_CONFIRMED);
  EXPECT_EQ(answer.paid_minor(), 1000 - 100);
}

TEST(CheckoutRecoveryTest, APendingPurchaseOnlySomeVendorsBookedIsUndone) {
  CoreWorld world;
  CommitAndCrash(world, "9002", 0);
  world.beta().DropBooking("9002");
  world.db().AgePending(CoreWorld::kStore, "9002", absl::Minutes(5));
  ASSERT_EQ(*world.recovery().RecoverInterrupted(), 1);

  auto purchase = world.db().Purchase(CoreWorld::kStore, "9002");
  EXPECT_EQ(purchase->state, PurchaseState::kFailed);
  EXPECT_EQ(purchase->earned_centipoints, 0);
  EXPECT_TRUE(world.alpha().bookings().at("9002").cancelled);
  // Its key is free again: the till may commit the order anew.
  EXPECT_FALSE(world.db().data.idempotency.contains({CoreWorld::kStore, "key-9002"}));
}

TEST(CheckoutRecoveryTest, AVendorThatCannotBeAskedLeavesThePurchaseInDoubt) {
  connectors::Capabilities unaskable = BookingVendor();
  unaskable.get = false;
  CoreWorld world(BookingVendor(), unaskable);
  CommitAndCrash(world, "9003", 0);
  world.db().AgePending(CoreWorld::kStore, "9003", absl::Minutes(5));
  ASSERT_EQ(*world.recovery().RecoverInterrupted(), 1);
  auto purchase = world.db().Purchase(CoreWorld::kStore, "9003");
  EXPECT_EQ(purchase->state, PurchaseState::kInDoubt);
  // Nobody was asked to book again, nothing was cancelled.
  EXPECT_FALSE(world.alpha().bookings().at("9003").cancelled);
  EXPECT_FALSE(world.beta().bookings().at("9003").cancelled);
}

TEST(CheckoutRecoveryTest, AnOutboxEntryWhoseSenderDiedIsResentOnlyWhereRepeatsAreRecognised) {
  connectors::Capabilities not_idempotent = BookingVendor();
  not_idempotent.idempotent_book = false;
  CoreWorld world(BookingVendor(), not_idempotent);
  auto quote = world.QuoteFor("+70000009004", 700);
  world.beta().Next("book", connectors::Failed{true, false, "vendor down"});
  v1::PurchaseResponse response;
  ASSERT_TRUE(world.Commit(world.CommitRequest(quote, "9004"), &response).ok());
  // A sender claimed the entry and died mid-call.
  auto head = world.db().outbox.Head(2);
  ASSERT_TRUE(head.ok() && head->has_value());
  OutboxEntry entry = **head;
  ASSERT_TRUE(*world.db().outbox.Claim(entry, absl::Seconds(30)));
  world.db().ExpireOutboxLeases();

  ASSERT_TRUE(world.recovery().DrainOutbox().ok());
  EXPECT_EQ(world.db().OutboxEntries()[0].state, OutboxState::kInDoubt);
  EXPECT_FALSE(world.beta().bookings().contains("9004"));  // never sent twice blindly
}

}  // namespace
}  // namespace loyalty::broker::testing
