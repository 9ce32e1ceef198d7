#include "broker/admin/operator_tokens.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "broker/common/hashing.h"

namespace loyalty::broker {

absl::StatusOr<OperatorTokens> OperatorTokens::Parse(const std::string& text) {
  OperatorTokens tokens;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> parts = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    const bool hex = parts.size() == 2 && parts[1].size() == 64 &&
                     std::all_of(parts[1].begin(), parts[1].end(), [](char c) {
                       return absl::ascii_isxdigit(static_cast<unsigned char>(c));
                     });
    if (!hex) {
      return absl::InvalidArgumentError(absl::StrCat(
          "admin tokens line ", line_no, ": expected \"<operator> <sha256 hex of the token>\""));
    }
    tokens.by_hash_[absl::AsciiStrToLower(parts[1])] = parts[0];
  }
  return tokens;
}

absl::StatusOr<OperatorTokens> OperatorTokens::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read admin.tokens_file ", path));
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = Parse(text.str());
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", parsed.status().message()));
  }
  if (parsed->size() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": no operator is named"));
  }
  return parsed;
}

std::optional<std::string> OperatorTokens::OperatorOf(const std::string& token) const {
  if (token.empty()) return std::nullopt;
  auto it = by_hash_.find(Sha256Hex(token));
  if (it == by_hash_.end()) return std::nullopt;
  return it->second;
}

}  // namespace loyalty::broker
