#pragma once

#include <fstream>
#include <sstream>
#include <string>

// Reads a recorded vendor answer from tests/fixtures/.
inline std::string Fixture(const std::string& relative) {
  std::ifstream in(std::string(LOYALTY_FIXTURES_DIR) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}
