#include <gtest/gtest.h>

#include "broker/common/error_reasons.h"
#include "broker/common/status_details.h"
#include "broker/core/proto_mapping.h"
#include "google/rpc/error_details.pb.h"

namespace loyalty::broker {
namespace {

TEST(ErrorDetails, SurviveStorageAndRewordingInOneOrder) {
  absl::Status status = WithCashierMessage(
      WithRetryDelay(
          ReasonedError(absl::StatusCode::kFailedPrecondition, ErrorReason::kVendorDeclined,
                        "declined", {{"program", "lc-main"}, {"vendor_code", ""}}),
          absl::Milliseconds(1500)),
      "Spend can't be more 100");
  const absl::Status restored = WithSerializedDetails(
      absl::Status(status.code(), std::string(status.message())), SerializedDetails(status));
  EXPECT_EQ(ToRpcStatus(restored).SerializeAsString(), ToRpcStatus(status).SerializeAsString());
  const absl::Status reworded = Reworded(status, "hold_ids[0]: declined");
  EXPECT_EQ(reworded.message(), "hold_ids[0]: declined");
  EXPECT_EQ(ReasonOf(reworded), "VENDOR_DECLINED");

  auto info = DetailOf<google::rpc::ErrorInfo>(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->metadata().at("program"), "lc-main");
  EXPECT_FALSE(info->metadata().contains("vendor_code"));  // empty values are left out
  auto retry = DetailOf<google::rpc::RetryInfo>(status);
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(retry->retry_delay().seconds(), 1);
  EXPECT_EQ(retry->retry_delay().nanos(), 500'000'000);
}

TEST(ErrorDetails, AnErrorWithoutAReasonIsExplainedByItsCode) {
  const absl::Status unavailable = Explained(absl::UnavailableError("gone"));
  EXPECT_EQ(ReasonOf(unavailable), "DATABASE_UNAVAILABLE");
  EXPECT_TRUE(DetailOf<google::rpc::RetryInfo>(unavailable).has_value());
  const absl::Status internal = Explained(absl::InternalError("bug"));
  EXPECT_EQ(ReasonOf(internal), "INTERNAL");
  EXPECT_FALSE(DetailOf<google::rpc::RetryInfo>(internal).has_value());
  // A reason given is kept.
  EXPECT_EQ(ReasonOf(Explained(
                ReasonedError(absl::StatusCode::kUnavailable, ErrorReason::kInDoubt, "in doubt"))),
            "IN_DOUBT");
  EXPECT_TRUE(Explained(absl::OkStatus()).ok());
}

TEST(StoredStates, EveryStateHasAStoredNameAndATillStatus) {
  for (int i = 0; i <= static_cast<int>(BookingState::kDropped); ++i) {
    const auto state = static_cast<BookingState>(i);
    const std::string_view name = StateName(state);
    EXPECT_NE(name, "unknown") << i;
    EXPECT_EQ(StateFromName(name), state) << name;
    EXPECT_NE(BookingStateToProto(state), v1::PROGRAM_PURCHASE_STATUS_UNSPECIFIED) << name;
  }
  for (int i = 0; i <= static_cast<int>(BookingOperation::kReassign); ++i) {
    const auto operation = static_cast<BookingOperation>(i);
    EXPECT_EQ(OperationFromName(OperationName(operation)), operation) << i;
    EXPECT_NE(BookingOperationToProto(operation), v1::PURCHASE_OPERATION_UNSPECIFIED) << i;
  }
  for (int i = 0; i <= static_cast<int>(PurchaseState::kInDoubt); ++i) {
    const auto state = static_cast<PurchaseState>(i);
    EXPECT_EQ(PurchaseStateFromName(PurchaseStateName(state)), state) << i;
    EXPECT_NE(PurchaseStateToProto(state), v1::PURCHASE_STATUS_UNSPECIFIED) << i;
  }
  for (int i = 0; i <= static_cast<int>(HoldState::kExpired); ++i) {
    const auto state = static_cast<HoldState>(i);
    EXPECT_EQ(HoldStateFromName(HoldStateName(state)), state) << i;
    EXPECT_NE(HoldStateToProto(state), v1::HOLD_STATUS_UNSPECIFIED) << i;
  }
  for (int i = 0; i <= static_cast<int>(OutboxState::kDropped); ++i) {
    const auto state = static_cast<OutboxState>(i);
    EXPECT_EQ(OutboxStateFromName(OutboxStateName(state)), state) << i;
  }
  EXPECT_EQ(OutboxStepFromName(OutboxStepName(OutboxStep::kCancel)), OutboxStep::kCancel);
  EXPECT_EQ(HoldModeFromName(HoldModeName(HoldMode::kVendor)), HoldMode::kVendor);
  // A vendor's enum value is found by its name alone.
  EXPECT_EQ(VendorToProto("loyalclient"), v1::VENDOR_LOYALCLIENT);
  EXPECT_EQ(VendorToProto("sailplay"), v1::VENDOR_SAILPLAY);
  EXPECT_EQ(VendorToProto("artix"), v1::VENDOR_ARTIX);
  EXPECT_EQ(VendorToProto("SAILPLAY"), v1::VENDOR_UNSPECIFIED);
  EXPECT_EQ(VendorToProto("unspecified"), v1::VENDOR_UNSPECIFIED);
  // Nothing unknown passes as a known state, nor the old "state: reason".
  EXPECT_FALSE(StateFromName("approvedx").has_value());
  EXPECT_FALSE(StateFromName("declined: no").has_value());
}

}  // namespace
}  // namespace loyalty::broker
