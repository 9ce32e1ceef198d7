#pragma once

#include <string>
#include <string_view>

namespace loyalty::broker {

// Lower-case hex SHA-256. API keys are stored and looked up only as hashes.
std::string Sha256Hex(std::string_view data);

}  // namespace loyalty::broker
