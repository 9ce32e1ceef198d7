#pragma once

#include <string>

namespace loyalty::broker {

// A random (version 4) UUID from the system's cryptographic generator, in
// its usual text form. Ids the broker makes itself, so that related rows can
// be written together before the database has seen any of them.
std::string RandomUuid();

}  // namespace loyalty::broker
