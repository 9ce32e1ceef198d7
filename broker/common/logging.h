#pragma once

// Structured logs: one line per event, `key=value` pairs, to stderr.
// Callers pass only what is safe to log: never API keys or vendor secrets.

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace loyalty::broker {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Parses "debug", "info", "warning", "error"; false on anything else.
bool ParseLogLevel(std::string_view text, LogLevel& level);
void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);

using LogField = std::pair<std::string_view, std::string>;

// Tags every line this thread logs with `request_id=<id>` while it lives:
// the gRPC layer opens one per call, so vendor calls made for that call
// carry its id.
class RequestScope {
 public:
  explicit RequestScope(std::string request_id);
  ~RequestScope();
  RequestScope(const RequestScope&) = delete;
  RequestScope& operator=(const RequestScope&) = delete;

 private:
  std::string previous_;
};

// Writes `ts=... level=... event=<event> request_id=... k=v ...` as a single line.
void Log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields = {});

}  // namespace loyalty::broker
