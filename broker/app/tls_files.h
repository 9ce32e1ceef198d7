#pragma once

// Checks the TLS files the broker serves with before gRPC sees them, so that
// a wrong file stops the start with a message naming it (gRPC itself only
// says "cannot listen", and accepts an expired certificate).

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace loyalty::broker {

struct TlsFile {
  std::string path;  // for messages
  std::string pem;
};

// The certificate chain's first certificate must parse, be valid at `now`,
// and match the private key; a client CA file, when given, must hold at
// least one certificate.
absl::Status CheckServerTls(const TlsFile& cert, const TlsFile& key, const TlsFile* client_ca,
                            absl::Time now);

}  // namespace loyalty::broker
