#pragma once

// gRPC server reflection v1 (grpc.reflection.v1.ServerReflection), beside
// the v1alpha service gRPC's own plugin registers: current grpcurl, Postman
// and grpc-ui ask v1 first. Answers from the descriptors compiled into the
// binary; the messages are those of v1alpha under the new package.

#include <string>
#include <vector>

#include "grpc/reflection/v1/reflection.grpc.pb.h"

namespace loyalty::broker {

class ReflectionV1Service final : public grpc::reflection::v1::ServerReflection::Service {
 public:
  explicit ReflectionV1Service(std::vector<std::string> services)
      : services_(std::move(services)) {}

  grpc::Status ServerReflectionInfo(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<grpc::reflection::v1::ServerReflectionResponse,
                               grpc::reflection::v1::ServerReflectionRequest>* stream) override;

 private:
  std::vector<std::string> services_;
};

}  // namespace loyalty::broker
