#pragma once

#include <string>
#include <string_view>

namespace loyalty::broker {

// Lower-case hex SHA-256. API keys are stored and looked up only as hashes.
std::string Sha256Hex(std::string_view data);

// Lower-case hex HMAC-SHA-256 under `key`: identifiers that are personal
// data are stored so, where only equality matters. Without the key the hash
// says nothing about the identifier (a plain hash of a phone number is
// reversed by trying every number).
std::string KeyedHashHex(std::string_view key, std::string_view data);

}  // namespace loyalty::broker
