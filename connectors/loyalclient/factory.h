#pragma once

// The LoyalClient vendor as the broker registers it.

#include <memory>

#include "connectors/registry/vendor_factory.h"

namespace loyalty::connectors::loyalclient {

std::unique_ptr<VendorFactory> MakeLoyalClientFactory();

}  // namespace loyalty::connectors::loyalclient
