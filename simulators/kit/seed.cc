#include "simulators/kit/seed.h"

#include <fstream>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "connectors/core/decimal.h"

namespace loyalty::simulator {

using nlohmann::json;

json LoadSeed(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read seed file " + path);
  json seed = json::parse(in, nullptr, false);
  if (seed.is_discarded()) throw std::runtime_error("seed file is not JSON: " + path);
  return seed;
}

std::string SeedText(const json& seed, const char* name) {
  if (!seed.contains(name)) throw std::invalid_argument(absl::StrCat("seed: ", name, " missing"));
  const json& value = seed.at(name);
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return value.dump();
  throw std::invalid_argument(absl::StrCat("seed: ", name, " must be a string"));
}

std::string SeedOptionalText(const json& seed, const char* name) {
  return seed.contains(name) ? SeedText(seed, name) : "";
}

int64_t SeedUnits(const json& seed, const char* name, int scale) {
  if (!seed.contains(name)) return 0;
  auto units = connectors::JsonToUnits(seed.at(name), scale);
  if (!units.ok()) throw std::invalid_argument(absl::StrCat("seed: ", name, " must be a number"));
  return *units;
}

}  // namespace loyalty::simulator
