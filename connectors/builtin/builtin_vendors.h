#pragma once

// The vendors this build knows.

#include "connectors/registry/vendor_catalog.h"

namespace loyalty::connectors {

const VendorCatalog& BuiltinVendors();

}  // namespace loyalty::connectors
