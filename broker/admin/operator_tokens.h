#pragma once

// The operators allowed on the admin service: a file of lines
// "<operator name> <sha256 hex of the operator's token>" (blank lines and
// lines starting with # are skipped). Only hashes are kept, so the file
// gives away no token.

#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace loyalty::broker {

class OperatorTokens {
 public:
  static absl::StatusOr<OperatorTokens> Parse(const std::string& text);
  static absl::StatusOr<OperatorTokens> Load(const std::string& path);

  // The operator whose token this is.
  std::optional<std::string> OperatorOf(const std::string& token) const;
  size_t size() const { return by_hash_.size(); }

 private:
  std::map<std::string, std::string> by_hash_;
};

}  // namespace loyalty::broker
