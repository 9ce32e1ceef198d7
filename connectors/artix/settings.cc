#include "connectors/artix/settings.h"

#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "connectors/core/settings_reader.h"

namespace loyalty::connectors::artix {

absl::StatusOr<std::shared_ptr<const VendorSettings>> ParseArtixSettings(
    const ProgramConfig& program) {
  SettingsReader read(program);
  auto settings = std::make_shared<ArtixSettings>();
  auto cash = read.Required("cash_code");
  if (!cash.ok()) return cash.status();
  auto shop = read.Required("shop_code");
  if (!shop.ok()) return shop.status();
  for (absl::string_view label :
       absl::StrSplit(read.Optional("shop_labels"), ',', absl::SkipWhitespace())) {
    settings->shop_labels.emplace_back(absl::StripAsciiWhitespace(label));
  }
  if (auto rest = read.NothingElse(); !rest.ok()) return rest;
  settings->cash_code = *cash;
  settings->shop_code = *shop;
  return settings;
}

}  // namespace loyalty::connectors::artix
