#include "connectors/loyalclient/settings.h"

#include "connectors/core/settings_reader.h"

namespace loyalty::connectors::loyalclient {

absl::StatusOr<std::shared_ptr<const VendorSettings>> ParseLoyalClientSettings(
    const ProgramConfig& program) {
  SettingsReader read(program);
  auto settings = std::make_shared<LoyalClientSettings>();
  auto point = read.Required("point");
  if (!point.ok()) return point.status();
  auto apikey = read.RequiredCredential("apikey");
  if (!apikey.ok()) return apikey.status();
  if (auto rest = read.NothingElse(); !rest.ok()) return rest;
  settings->point = *point;
  settings->apikey = *apikey;
  return settings;
}

}  // namespace loyalty::connectors::loyalclient
