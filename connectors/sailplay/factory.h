#pragma once

// The SailPlay vendor as the broker registers it.

#include <memory>

#include "connectors/registry/vendor_factory.h"

namespace loyalty::connectors::sailplay {

std::unique_ptr<VendorFactory> MakeSailPlayFactory();

}  // namespace loyalty::connectors::sailplay
