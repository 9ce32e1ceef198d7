#pragma once

// A fixed table between an enum and the names it is stored under, so each
// state type converts at the storage boundary the same way.

#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace loyalty::broker {

template <typename E, size_t N>
class EnumNames {
 public:
  constexpr explicit EnumNames(std::array<std::pair<E, std::string_view>, N> table)
      : table_(table) {}

  // "unknown" only for a value missing from the table (a programming error).
  constexpr std::string_view Name(E value) const {
    for (const auto& [known, name] : table_) {
      if (known == value) return name;
    }
    return "unknown";
  }
  constexpr std::optional<E> From(std::string_view name) const {
    for (const auto& [value, known] : table_) {
      if (known == name) return value;
    }
    return std::nullopt;
  }

 private:
  std::array<std::pair<E, std::string_view>, N> table_;
};

}  // namespace loyalty::broker
