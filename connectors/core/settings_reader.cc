#include "connectors/core/settings_reader.h"

#include "absl/strings/str_cat.h"

namespace loyalty::connectors {

absl::StatusOr<std::string> SettingsReader::Required(const std::string& name) {
  read_settings_.insert(name);
  auto it = program_.settings.find(name);
  if (it == program_.settings.end() || it->second.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("settings.", name, " is required"));
  }
  return it->second;
}

std::string SettingsReader::Optional(const std::string& name) {
  read_settings_.insert(name);
  auto it = program_.settings.find(name);
  return it == program_.settings.end() ? "" : it->second;
}

absl::StatusOr<std::string> SettingsReader::RequiredCredential(const std::string& name) {
  read_credentials_.insert(name);
  auto it = program_.secrets.find(name);
  if (it == program_.secrets.end() || it->second.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("credentials.", name, " is required"));
  }
  return it->second;
}

absl::Status SettingsReader::NothingElse() const {
  for (const auto& [name, value] : program_.settings) {
    if (!read_settings_.contains(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("settings.", name, ": unknown setting for ", program_.vendor));
    }
  }
  for (const auto& [name, value] : program_.secrets) {
    if (!read_credentials_.contains(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("credentials.", name, ": unknown credential for ", program_.vendor));
    }
  }
  return absl::OkStatus();
}

}  // namespace loyalty::connectors
