#pragma once

// Reads a program's settings and credentials by name for a vendor's
// ParseSettings: each name read once, required or optional, and any name
// left unread refused, so a misspelt setting is an error at registration.

#include <map>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "connectors/core/program.h"

namespace loyalty::connectors {

class SettingsReader {
 public:
  explicit SettingsReader(const ProgramConfig& program) : program_(program) {}

  // The setting's value; an error names it when missing or empty.
  absl::StatusOr<std::string> Required(const std::string& name);
  // The setting's value, or "" when it is not given.
  std::string Optional(const std::string& name);
  // Likewise for credentials; an error never shows a credential's value.
  absl::StatusOr<std::string> RequiredCredential(const std::string& name);
  // OK when every setting and credential given was read.
  absl::Status NothingElse() const;

 private:
  const ProgramConfig& program_;
  std::set<std::string> read_settings_, read_credentials_;
};

}  // namespace loyalty::connectors
