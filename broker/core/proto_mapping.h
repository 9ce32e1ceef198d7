#pragma once

// Conversions between the public API's messages and the broker's records.

#include <string>

#include "broker/core/records.h"
#include "connectors/core/types.h"
#include "loyalty/broker/v1/broker.pb.h"

namespace loyalty::broker {

connectors::CustomerRef CustomerFromProto(const v1::CustomerIdentifier& customer);
v1::Vendor VendorToProto(const std::string& vendor);
v1::LevelType LevelTypeToProto(connectors::LevelType type);
v1::HoldStatus HoldStateToProto(HoldState state);
v1::PurchaseStatus PurchaseStateToProto(PurchaseState state);
// Every state and operation mapped explicitly: a new one does not build
// until the till's enum has it.
v1::ProgramPurchaseStatus BookingStateToProto(BookingState state);
v1::PurchaseOperation BookingOperationToProto(BookingOperation operation);

void SetTimestamp(int64_t unix_seconds, google::protobuf::Timestamp* timestamp);

// Lines with their merged discounts, naming programs by their store code.
void LineToProto(const QuoteLineRecord& line, const StoreContext& store, v1::QuotedLine* out);
void PurchaseToProto(const PurchaseRecord& purchase, const StoreContext& store,
                     v1::PurchaseResponse* out);

}  // namespace loyalty::broker
