#pragma once

// What the broker's own HTTP client (socket_http_client.h) and its exchanges
// on callers' threads (caller_thread_exchanges.h) need of the sockets API.

#include <sys/socket.h>

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace loyalty::connectors {

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
};

// Only addresses written out (and localhost): a name would need a resolver.
std::optional<SocketAddress> AddressOf(absl::string_view host, int port);

// strerror's text for `error`, safely from any thread.
std::string ErrnoText(int error);

}  // namespace loyalty::connectors
