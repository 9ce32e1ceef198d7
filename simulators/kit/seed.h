#pragma once

// Seed data of the vendor simulators: one JSON file per simulator, read at
// start. A malformed seed stops the simulator with a message naming the field.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace loyalty::simulator {

// Reads a seed file; throws std::runtime_error naming the file on failure.
nlohmann::json LoadSeed(const std::string& path);

// Seed fields; throw std::invalid_argument naming the field.
std::string SeedText(const nlohmann::json& seed, const char* name);
std::string SeedOptionalText(const nlohmann::json& seed, const char* name);
// A number or numeric string as 10^-scale units; 0 when absent.
int64_t SeedUnits(const nlohmann::json& seed, const char* name, int scale);

}  // namespace loyalty::simulator
