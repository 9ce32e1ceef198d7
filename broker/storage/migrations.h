#pragma once

// Forward-only numbered migrations, applied in order under an advisory lock
// so that several replicas starting at once apply each migration once.

#include <pqxx/connection>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace loyalty::broker {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

// The migrations built into this binary, ascending by version.
const std::vector<Migration>& EmbeddedMigrations();

// Applies every migration newer than the database's; returns how many ran.
// Refuses to run against a database newer than this binary knows.
absl::StatusOr<int> ApplyMigrations(pqxx::connection& connection,
                                    const std::vector<Migration>& migrations);

}  // namespace loyalty::broker
