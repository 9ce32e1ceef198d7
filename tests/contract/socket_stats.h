#pragma once

// What the kernel says of a local port's sockets, read with `ss` (iproute2),
// so tests check connections as the operating system holds them.

#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace loyalty::contract {

// `ss` lines (no header) for the filter, e.g. "-Hltn 'sport = :8081'".
inline std::vector<std::string> SocketLines(const std::string& arguments) {
  const std::string command = absl::StrCat("ss ", arguments);
  std::unique_ptr<FILE, decltype(&pclose)> ss(popen(command.c_str(), "r"), pclose);
  std::vector<std::string> lines;
  if (ss == nullptr) return lines;
  char line[512];
  while (fgets(line, sizeof line, ss.get()) != nullptr) lines.emplace_back(line);
  return lines;
}

// How many connections the socket listening on `port` queues before it
// drops one (Send-Q of a listening socket); -1 if none listens.
inline int ListenBacklog(int port) {
  const auto lines = SocketLines(absl::StrCat("-Hltn 'sport = :", port, "'"));
  if (lines.empty()) return -1;
  std::istringstream fields(lines.front());
  std::string state;
  int received = 0, backlog = -1;
  fields >> state >> received >> backlog;
  return state == "LISTEN" ? backlog : -1;
}

// Connections the server on `port` holds open (its side, established).
inline int ServerConnections(int port) {
  return static_cast<int>(
      SocketLines(absl::StrCat("-Htn state established 'sport = :", port, "'")).size());
}

}  // namespace loyalty::contract
