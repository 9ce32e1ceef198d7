#include "broker/core/proto_mapping.h"

#include <map>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace loyalty::broker {

using connectors::CustomerRef;

CustomerRef CustomerFromProto(const v1::CustomerIdentifier& c) {
  switch (c.kind_case()) {
    case v1::CustomerIdentifier::kPhone:
      return {CustomerRef::Kind::kPhone, c.phone()};
    case v1::CustomerIdentifier::kCard:
      return {CustomerRef::Kind::kCard, c.card()};
    case v1::CustomerIdentifier::kAppCode:
      return {CustomerRef::Kind::kAppCode, c.app_code()};
    case v1::CustomerIdentifier::kEmail:
      return {CustomerRef::Kind::kEmail, c.email()};
    case v1::CustomerIdentifier::kExternalId:
      return {CustomerRef::Kind::kExternalId, c.external_id()};
    case v1::CustomerIdentifier::KIND_NOT_SET:
      break;
  }
  return {};
}

v1::Vendor VendorToProto(const std::string& vendor) {
  // The enum's value for a vendor is named after it ("sailplay" ->
  // VENDOR_SAILPLAY), so a new vendor needs only its value in the proto.
  // Read from the descriptor once, not on every answer.
  static const auto* const kByName = [] {
    auto* by_name = new std::map<std::string, v1::Vendor, std::less<>>;
    const google::protobuf::EnumDescriptor* values = v1::Vendor_descriptor();
    for (int i = 0; i < values->value_count(); ++i) {
      const std::string& name = values->value(i)->name();
      if (name.starts_with("VENDOR_")) {
        (*by_name)[absl::AsciiStrToLower(name.substr(7))] =
            static_cast<v1::Vendor>(values->value(i)->number());
      }
    }
    return by_name;
  }();
  auto it = kByName->find(vendor);
  return it == kByName->end() ? v1::VENDOR_UNSPECIFIED : it->second;
}

v1::LevelType LevelTypeToProto(connectors::LevelType type) {
  switch (type) {
    case connectors::LevelType::kCashback:
      return v1::LEVEL_TYPE_CASHBACK;
    case connectors::LevelType::kDiscount:
      return v1::LEVEL_TYPE_DISCOUNT;
    case connectors::LevelType::kUnknown:
      break;
  }
  return v1::LEVEL_TYPE_UNSPECIFIED;
}

v1::HoldStatus HoldStateToProto(HoldState state) {
  switch (state) {
    case HoldState::kActive:
      return v1::HOLD_STATUS_ACTIVE;
    case HoldState::kReleased:
      return v1::HOLD_STATUS_RELEASED;
    case HoldState::kConsumed:
      return v1::HOLD_STATUS_CONSUMED;
    case HoldState::kExpired:
      return v1::HOLD_STATUS_EXPIRED;
  }
  return v1::HOLD_STATUS_UNSPECIFIED;
}

v1::PurchaseStatus PurchaseStateToProto(PurchaseState state) {
  switch (state) {
    case PurchaseState::kPending:
      return v1::PURCHASE_STATUS_PENDING;
    case PurchaseState::kBooked:
      return v1::PURCHASE_STATUS_BOOKED;
    case PurchaseState::kConfirmed:
      return v1::PURCHASE_STATUS_CONFIRMED;
    case PurchaseState::kCancelled:
      return v1::PURCHASE_STATUS_CANCELLED;
    case PurchaseState::kDeclined:
      return v1::PURCHASE_STATUS_DECLINED;
    case PurchaseState::kFailed:
      return v1::PURCHASE_STATUS_FAILED;
    case PurchaseState::kInDoubt:
      return v1::PURCHASE_STATUS_IN_DOUBT;
  }
  return v1::PURCHASE_STATUS_UNSPECIFIED;
}

v1::ProgramPurchaseStatus BookingStateToProto(BookingState state) {
  switch (state) {
    case BookingState::kPending:
      return v1::PROGRAM_PURCHASE_STATUS_PENDING;
    case BookingState::kApproved:
      return v1::PROGRAM_PURCHASE_STATUS_APPROVED;
    case BookingState::kQueued:
      return v1::PROGRAM_PURCHASE_STATUS_QUEUED;
    case BookingState::kUndone:
      return v1::PROGRAM_PURCHASE_STATUS_UNDONE;
    case BookingState::kUndoQueued:
      return v1::PROGRAM_PURCHASE_STATUS_UNDO_QUEUED;
    case BookingState::kUndoRefused:
      return v1::PROGRAM_PURCHASE_STATUS_UNDO_REFUSED;
    case BookingState::kDeclined:
      return v1::PROGRAM_PURCHASE_STATUS_DECLINED;
    case BookingState::kFailed:
      return v1::PROGRAM_PURCHASE_STATUS_FAILED;
    case BookingState::kInDoubt:
      return v1::PROGRAM_PURCHASE_STATUS_IN_DOUBT;
    case BookingState::kSkipped:
      return v1::PROGRAM_PURCHASE_STATUS_SKIPPED;
    case BookingState::kDropped:
      return v1::PROGRAM_PURCHASE_STATUS_DROPPED;
  }
  return v1::PROGRAM_PURCHASE_STATUS_UNSPECIFIED;
}

v1::PurchaseOperation BookingOperationToProto(BookingOperation operation) {
  switch (operation) {
    case BookingOperation::kBook:
      return v1::PURCHASE_OPERATION_BOOK;
    case BookingOperation::kConfirm:
      return v1::PURCHASE_OPERATION_CONFIRM;
    case BookingOperation::kCancel:
      return v1::PURCHASE_OPERATION_CANCEL;
    case BookingOperation::kRestore:
      return v1::PURCHASE_OPERATION_RESTORE;
    case BookingOperation::kReassign:
      return v1::PURCHASE_OPERATION_REASSIGN;
  }
  return v1::PURCHASE_OPERATION_UNSPECIFIED;
}

void SetTimestamp(int64_t unix_seconds, google::protobuf::Timestamp* timestamp) {
  timestamp->set_seconds(unix_seconds);
  timestamp->set_nanos(0);
}

void LineToProto(const QuoteLineRecord& l, const StoreContext& store, v1::QuotedLine* out) {
  out->set_line_no(l.line.line_no);
  out->set_sku(l.line.sku);
  out->set_quantity_milli(l.line.quantity_milli);
  out->set_total_before_minor(l.line.total_before_minor);
  out->set_discount_minor(l.line.discount_minor);
  out->set_total_minor(l.line.total_before_minor - l.line.discount_minor);
  out->set_min_total_minor(l.line.min_total_minor);
  for (size_t i = 0; i < l.discounts.size(); ++i) {
    auto* d = out->add_discounts();
    const StoreProgram* program =
        i < l.discount_program_ids.size() ? store.FindProgram(l.discount_program_ids[i]) : nullptr;
    if (program != nullptr) d->set_program(program->config->code);
    d->set_campaign_name(l.discounts[i].campaign_name);
    d->set_campaign_code(l.discounts[i].campaign_code);
    d->set_coupon(l.discounts[i].coupon);
    d->set_amount_minor(l.discounts[i].amount_minor);
  }
}

void PurchaseToProto(const PurchaseRecord& p, const StoreContext& store,
                     v1::PurchaseResponse* out) {
  out->set_order_number(p.order_number);
  out->set_status(PurchaseStateToProto(p.state));
  out->set_quote_id(p.quote_id);
  out->set_total_before_minor(p.total_before_minor);
  out->set_discount_minor(p.discount_minor);
  out->set_spent_centipoints(p.spent_centipoints);
  out->set_paid_minor(p.paid_minor);
  out->set_earned_centipoints(p.earned_centipoints);
  for (const auto& prog : p.programs) {
    auto* o = out->add_programs();
    if (const StoreProgram* sp = store.FindProgram(prog.program_id)) {
      o->set_program(sp->config->code);
      o->set_vendor(VendorToProto(sp->config->vendor));
    }
    o->set_vendor_reference(prog.vendor_reference);
    o->set_vendor_customer_id(prog.vendor_customer_id);
    o->set_spent_centipoints(prog.spent_centipoints);
    o->set_earned_centipoints(prog.earned_centipoints);
    o->set_status(BookingStateToProto(prog.state));
    o->set_last_operation(BookingOperationToProto(prog.last_operation));
    o->set_reason(prog.reason);
    if (prog.balance_after_centipoints) {
      o->set_balance_after_centipoints(*prog.balance_after_centipoints);
    }
  }
  for (const auto& l : p.lines) LineToProto(l, store, out->add_lines());
  out->set_complete(p.Complete());
  if (p.state == PurchaseState::kDeclined || p.state == PurchaseState::kFailed ||
      p.state == PurchaseState::kInDoubt) {
    out->set_reason(p.failure_reason);
  }
  SetTimestamp(p.created_at_unix, out->mutable_created_at());
  SetTimestamp(p.updated_at_unix, out->mutable_updated_at());
}

}  // namespace loyalty::broker
