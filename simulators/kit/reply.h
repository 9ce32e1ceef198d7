#pragma once

#include <nlohmann/json.hpp>

namespace loyalty::simulator {

// An HTTP status and JSON body, as a simulator's business rules answer.
struct Reply {
  int status = 200;
  nlohmann::json body;
};

}  // namespace loyalty::simulator
