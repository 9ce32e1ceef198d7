#pragma once

// Which requests a kept-alive connection may carry, shared by the broker's
// own HTTP client (socket_http_client.h) and its exchanges on callers'
// threads (caller_thread_exchanges.h).
//
// A repeatable request (HttpRequest::safe_to_repeat) takes any connection
// kept alive, and goes again once on a fresh one when that one turns out
// closed before any answer. A request sent once is never sent again after a
// byte of it went out, so a kept-alive connection that the server closes as
// the request arrives would leave its outcome unknown: it takes one only if
// the connection answered within the last second, well inside the
// keep-alive timeout of common servers (5 s and more), and shows no sign of
// having been closed since. Under load connections come back within
// milliseconds, which is where a fresh connection per booking cost most (a
// connect, an accept at the vendor and a close per request).

#include <cstddef>

#include "absl/time/time.h"
#include "connectors/http/http_client.h"

namespace loyalty::connectors {

// How long an idle connection may have waited to carry `request`, where
// `idle_timeout` is how long the client keeps one at all.
absl::Duration LongestIdleToCarry(const HttpRequest& request, absl::Duration idle_timeout);

// Nothing to read on the idle connection `fd`: neither the server's close
// nor bytes nobody asked for. For a request sent once, just before it goes.
bool ShowsNoClose(int fd);

// Whether a request whose kept-alive connection failed with no answer goes
// again on a fresh one: a repeatable request, or any request none of whose
// bytes went out.
bool MayGoAgain(const HttpRequest& request, size_t bytes_sent);

}  // namespace loyalty::connectors
