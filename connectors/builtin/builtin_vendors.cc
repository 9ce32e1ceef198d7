#include "connectors/builtin/builtin_vendors.h"

#include "connectors/artix/factory.h"
#include "connectors/loyalclient/factory.h"
#include "connectors/sailplay/factory.h"

namespace loyalty::connectors {

const VendorCatalog& BuiltinVendors() {
  static const VendorCatalog* const kCatalog = [] {
    auto* catalog = new VendorCatalog;
    catalog->Add(artix::MakeArtixFactory());
    catalog->Add(loyalclient::MakeLoyalClientFactory());
    catalog->Add(sailplay::MakeSailPlayFactory());
    return catalog;
  }();
  return *kCatalog;
}

}  // namespace loyalty::connectors
