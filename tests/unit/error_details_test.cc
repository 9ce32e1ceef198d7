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

TEST(ProgramStanding, EveryStoredStateMapsToAnEnumWithItsReasonApart) {
  struct Case {
    const char* stored;
    v1::ProgramPurchaseStatus status;
    v1::PurchaseOperation operation;
    const char* reason;
  };
  const Case cases[] = {
      {"pending", v1::PROGRAM_PURCHASE_STATUS_PENDING, v1::PURCHASE_OPERATION_BOOK, ""},
      {"approved", v1::PROGRAM_PURCHASE_STATUS_APPROVED, v1::PURCHASE_OPERATION_BOOK, ""},
      {"reassign: approved", v1::PROGRAM_PURCHASE_STATUS_APPROVED, v1::PURCHASE_OPERATION_REASSIGN,
       ""},
      {"cancel: approved", v1::PROGRAM_PURCHASE_STATUS_APPROVED, v1::PURCHASE_OPERATION_CANCEL, ""},
      {"queued", v1::PROGRAM_PURCHASE_STATUS_QUEUED, v1::PURCHASE_OPERATION_BOOK, ""},
      {"undone", v1::PROGRAM_PURCHASE_STATUS_UNDONE, v1::PURCHASE_OPERATION_CANCEL, ""},
      {"undo queued: timeout", v1::PROGRAM_PURCHASE_STATUS_UNDO_QUEUED,
       v1::PURCHASE_OPERATION_CANCEL, "timeout"},
      {"declined: Spend can't be more 100", v1::PROGRAM_PURCHASE_STATUS_DECLINED,
       v1::PURCHASE_OPERATION_BOOK, "Spend can't be more 100"},
      {"in doubt: the broker stopped: twice", v1::PROGRAM_PURCHASE_STATUS_IN_DOUBT,
       v1::PURCHASE_OPERATION_BOOK, "the broker stopped: twice"},
      {"skipped", v1::PROGRAM_PURCHASE_STATUS_SKIPPED, v1::PURCHASE_OPERATION_BOOK, ""},
      {"dropped: cancelled first", v1::PROGRAM_PURCHASE_STATUS_DROPPED, v1::PURCHASE_OPERATION_BOOK,
       "cancelled first"},
  };
  for (const Case& c : cases) {
    const ProgramStanding standing = ProgramStandingOf(c.stored);
    EXPECT_EQ(standing.status, c.status) << c.stored;
    EXPECT_EQ(standing.last_operation, c.operation) << c.stored;
    EXPECT_EQ(standing.reason, c.reason) << c.stored;
  }
  // Nothing unknown passes as a known state.
  EXPECT_EQ(ProgramStandingOf("approvedx").status, v1::PROGRAM_PURCHASE_STATUS_UNSPECIFIED);
  EXPECT_EQ(ProgramStandingOf("approvedx").reason, "approvedx");
}

}  // namespace
}  // namespace loyalty::broker
