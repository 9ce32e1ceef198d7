#pragma once

// The Artix vendor as the broker registers it.

#include <memory>

#include "connectors/registry/vendor_factory.h"

namespace loyalty::connectors::artix {

std::unique_ptr<VendorFactory> MakeArtixFactory();

}  // namespace loyalty::connectors::artix
