// The commit saga over in-memory repositories and scripted vendors: every
// program booked once, a decline undoes what was booked before it, an undo
// or an earn-only booking that cannot reach its vendor waits in the outbox,
// and the stored answer is replayed without calling anyone again.

#include <algorithm>

#include "gtest/gtest.h"
#include "tests/core/fakes/core_world.h"

namespace loyalty::broker::testing {
namespace {

int64_t Count(const std::vector<std::string>& calls, const std::string& operation) {
  return std::count(calls.begin(), calls.end(), operation);
}

TEST(CommitSagaTest, BooksEveryProgramOnceAndReplaysTheStoredAnswer) {
  CoreWorld world;
  auto quote = world.QuoteFor("+70000000001", 1000);
  ASSERT_TRUE(world.last_status().ok()) << world.last_status();
  ASSERT_EQ(quote.total_minor(), 1000);

  v1::PurchaseResponse first;
  auto request = world.CommitRequest(quote, "order-1", 300);
  ASSERT_TRUE(world.Commit(request, &first).ok());
  EXPECT_EQ(first.status(), v1::PURCHASE_STATUS_CONFIRMED);
  EXPECT_EQ(first.spent_centipoints(), 300);
  EXPECT_EQ(first.paid_minor(), 1000 - 300);

  // What the vendors booked is what the purchase says.
  const auto at_alpha = world.alpha().bookings().at("order-1").result;
  const auto at_beta = world.beta().bookings().at("order-1").result;
  EXPECT_EQ(at_alpha.spent_centipoints, 300);
  EXPECT_EQ(at_beta.spent_centipoints, 0);
  EXPECT_EQ(first.earned_centipoints(), at_alpha.earned_centipoints + at_beta.earned_centipoints);
  auto stored = world.db().Purchase(CoreWorld::kStore, "order-1");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->state, PurchaseState::kConfirmed);
  EXPECT_EQ(stored->paid_minor, first.paid_minor());

  // The retry is answered from the stored answer, byte for byte.
  v1::PurchaseResponse again;
  ASSERT_TRUE(world.Commit(request, &again).ok());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(Count(world.alpha().calls(), "book:order-1"), 1);
  EXPECT_EQ(Count(world.beta().calls(), "book:order-1"), 1);
}

TEST(CommitSagaTest, ADeclineUndoesWhatWasBookedBeforeIt) {
  CoreWorld world;
  auto quote = world.QuoteFor("+70000000002", 500);
  // Both spend, so both bookings must stand: alpha books, beta declines.
  world.beta().Next("book", connectors::Declined{connectors::DeclineKind::kRefused, "", "no"});
  auto request = world.CommitRequest(quote, "order-2", 100, 50);

  v1::PurchaseResponse response;
  absl::Status status = world.Commit(request, &response);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;

  auto stored = world.db().Purchase(CoreWorld::kStore, "order-2");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->state, PurchaseState::kDeclined);
  EXPECT_EQ(stored->spent_centipoints, 0);
  EXPECT_EQ(stored->paid_minor, stored->total_minor);
  EXPECT_TRUE(world.alpha().bookings().at("order-2").cancelled);
  EXPECT_FALSE(world.beta().bookings().contains("order-2"));
  EXPECT_TRUE(world.db().OutboxEntries().empty());

  // The decline is the key's answer: the retry hears it again, and no
  // vendor is called.
  const size_t calls_before = world.alpha().calls().size();
  EXPECT_EQ(world.Commit(request, &response).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(world.alpha().calls().size(), calls_before);
  // A new key may commit the order again, on a new quote.
  auto requote = world.QuoteFor("+70000000002", 500);
  auto again = world.CommitRequest(requote, "order-2", 100, 50);
  again.set_idempotency_key("key-order-2-again");
  ASSERT_TRUE(world.Commit(again, &response).ok());
  EXPECT_EQ(response.status(), v1::PURCHASE_STATUS_CONFIRMED);
  EXPECT_FALSE(world.alpha().bookings().at("order-2").cancelled);
}

TEST(CommitSagaTest, AnUndoThatCannotReachItsVendorIsDeliveredByTheOutbox) {
  CoreWorld world;
  auto quote = world.QuoteFor("+70000000003", 800);
  // Both spend: alpha books, beta declines, the undo at alpha finds it down.
  world.beta().Next("book", connectors::Declined{connectors::DeclineKind::kRefused, "", "no"});
  world.alpha().Next("cancel", connectors::Failed{true, false, "vendor down"});

  v1::PurchaseResponse response;
  ASSERT_FALSE(world.Commit(world.CommitRequest(quote, "order-3", 200, 100), &response).ok());
  auto entries = world.db().OutboxEntries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].step, OutboxStep::kCancel);
  EXPECT_EQ(entries[0].program_id, 1);
  EXPECT_FALSE(world.alpha().bookings().at("order-3").cancelled);

  auto settled = world.recovery().DrainOutbox();
  ASSERT_TRUE(settled.ok()) << settled.status();
  EXPECT_EQ(*settled, 1);
  EXPECT_EQ(world.db().OutboxEntries()[0].state, OutboxState::kDelivered);
  EXPECT_TRUE(world.alpha().bookings().at("order-3").cancelled);
  // Delivered once: another pass sends nothing.
  ASSERT_TRUE(world.recovery().DrainOutbox().ok());
  EXPECT_EQ(Count(world.alpha().calls(), "cancel:order-3"), 2);
}

TEST(CommitSagaTest, AnEarnOnlyBookingWaitsInTheOutboxWhileItsVendorIsDown) {
  CoreWorld world;
  auto quote = world.QuoteFor("+70000000004", 600);
  world.beta().Next("book", connectors::Failed{true, false, "vendor down"});

  v1::PurchaseResponse response;
  ASSERT_TRUE(world.Commit(world.CommitRequest(quote, "order-4"), &response).ok());
  EXPECT_EQ(response.status(), v1::PURCHASE_STATUS_CONFIRMED);
  auto entries = world.db().OutboxEntries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].step, OutboxStep::kBook);
  EXPECT_EQ(entries[0].program_id, 2);
  const int64_t earned_before =
      world.db().Purchase(CoreWorld::kStore, "order-4")->earned_centipoints;

  ASSERT_TRUE(world.recovery().DrainOutbox().ok());
  EXPECT_EQ(world.db().OutboxEntries()[0].state, OutboxState::kDelivered);
  const auto booked_late = world.beta().bookings().at("order-4").result;
  EXPECT_GT(booked_late.earned_centipoints, 0);
  auto purchase = world.db().Purchase(CoreWorld::kStore, "order-4");
  EXPECT_EQ(purchase->earned_centipoints, earned_before + booked_late.earned_centipoints);
  EXPECT_EQ(world.observer().delivered, 1);
}

TEST(CommitSagaTest, SpendingMoreThanQuotedChangesNothing) {
  CoreWorld world;
  auto quote = world.QuoteFor("+70000000005", 400);
  v1::PurchaseResponse response;
  absl::Status status = world.Commit(
      world.CommitRequest(quote, "order-5", quote.spendable_centipoints() + 1), &response);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_FALSE(world.db().Purchase(CoreWorld::kStore, "order-5").has_value());
  EXPECT_EQ(Count(world.alpha().calls(), "book:order-5"), 0);
}

TEST(CommitSagaTest, AQuoteAtHandIsCommittedWithoutAReadAndItsKeyStillAnswersFirst) {
  CoreWorld world;
  world.db().data.quotes_at_hand = true;
  auto quote = world.QuoteFor("+70000000006", 800);
  const auto request = world.CommitRequest(quote, "order-6", 200);

  v1::PurchaseResponse first;
  ASSERT_TRUE(world.Commit(request, &first).ok());
  EXPECT_EQ(first.spent_centipoints(), 200);
  EXPECT_EQ(world.db().data.commit_reads, 0);  // straight to the intent

  // The retry's intent finds the key claimed: the key is read, and its
  // stored answer replayed; nothing is booked again.
  v1::PurchaseResponse again;
  ASSERT_TRUE(world.Commit(request, &again).ok());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(world.db().data.commit_reads, 1);

  // Once its quote has expired, the key's answer still comes first.
  {
    absl::MutexLock lock(&world.db().data.mutex);
    world.db().data.quotes.at(quote.quote_id()).expires_at_unix = 0;
  }
  v1::PurchaseResponse late;
  ASSERT_TRUE(world.Commit(request, &late).ok());
  EXPECT_EQ(late.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(Count(world.alpha().calls(), "book:order-6"), 1);
  EXPECT_EQ(Count(world.beta().calls(), "book:order-6"), 1);

  // A commit refused before its intent reads the key before it answers
  // (a first request with this key may have been answered), and writes
  // nothing.
  auto other = world.QuoteFor("+70000000007", 400);
  const int reads = world.db().data.commit_reads;
  v1::PurchaseResponse refused;
  const absl::Status status = world.Commit(
      world.CommitRequest(other, "order-7", other.spendable_centipoints() + 1), &refused);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_EQ(world.db().data.commit_reads, reads + 1);
  EXPECT_FALSE(world.db().Purchase(CoreWorld::kStore, "order-7").has_value());
}

}  // namespace
}  // namespace loyalty::broker::testing
