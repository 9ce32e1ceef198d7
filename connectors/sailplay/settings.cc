#include "connectors/sailplay/settings.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "connectors/core/settings_reader.h"

namespace loyalty::connectors::sailplay {

absl::StatusOr<std::shared_ptr<const VendorSettings>> ParseSailPlaySettings(
    const ProgramConfig& program) {
  SettingsReader read(program);
  auto settings = std::make_shared<SailPlaySettings>();
  auto department = read.Required("store_department_id");
  if (!department.ok()) return department.status();
  for (char c : *department) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError("settings.store_department_id: expected digits");
    }
  }
  auto key = read.RequiredCredential("store_department_key");
  if (!key.ok()) return key.status();
  auto pin = read.RequiredCredential("pin_code");
  if (!pin.ok()) return pin.status();
  if (auto rest = read.NothingElse(); !rest.ok()) return rest;
  settings->store_department_id = *department;
  settings->store_department_key = *key;
  settings->pin_code = *pin;
  return settings;
}

}  // namespace loyalty::connectors::sailplay
