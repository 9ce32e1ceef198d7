#pragma once

// An absl::Status as the gRPC status a client receives: an explained error
// leaves with its google.rpc.Status details in grpc-status-details-bin,
// where every gRPC client library looks.

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace loyalty::broker {

grpc::Status ToGrpc(const absl::Status& status);

}  // namespace loyalty::broker
