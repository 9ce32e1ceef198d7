#include "broker/api/reflection_v1.h"

#include <set>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"

namespace loyalty::broker {
namespace {

namespace rv1 = grpc::reflection::v1;
using google::protobuf::DescriptorPool;
using google::protobuf::FileDescriptor;

// A file and, first time in this stream, every file it imports: a client
// needs them all to build the descriptors.
void AddFile(const FileDescriptor* file, std::set<std::string>& sent,
             rv1::FileDescriptorResponse* out) {
  if (file == nullptr || !sent.insert(file->name()).second) return;
  google::protobuf::FileDescriptorProto proto;
  file->CopyTo(&proto);
  out->add_file_descriptor_proto(proto.SerializeAsString());
  for (int i = 0; i < file->dependency_count(); ++i) AddFile(file->dependency(i), sent, out);
}

void NotFound(rv1::ServerReflectionResponse& response, const std::string& what) {
  response.mutable_error_response()->set_error_code(
      static_cast<int32_t>(grpc::StatusCode::NOT_FOUND));
  response.mutable_error_response()->set_error_message(what + " not found");
}

// The file `asked` names (and its imports), or NOT_FOUND when there is none.
void ReplyWithFile(const FileDescriptor* file, const std::string& asked,
                   std::set<std::string>& sent, rv1::ServerReflectionResponse& response) {
  if (file == nullptr) return NotFound(response, asked);
  AddFile(file, sent, response.mutable_file_descriptor_response());
}

}  // namespace

grpc::Status ReflectionV1Service::ServerReflectionInfo(
    grpc::ServerContext*,
    grpc::ServerReaderWriter<rv1::ServerReflectionResponse, rv1::ServerReflectionRequest>* stream) {
  const DescriptorPool* pool = DescriptorPool::generated_pool();
  std::set<std::string> sent;
  rv1::ServerReflectionRequest request;
  while (stream->Read(&request)) {
    rv1::ServerReflectionResponse response;
    response.set_valid_host(request.host());
    *response.mutable_original_request() = request;
    switch (request.message_request_case()) {
      case rv1::ServerReflectionRequest::kListServices:
        for (const auto& name : services_) {
          response.mutable_list_services_response()->add_service()->set_name(name);
        }
        break;
      case rv1::ServerReflectionRequest::kFileByFilename:
        ReplyWithFile(pool->FindFileByName(request.file_by_filename()), request.file_by_filename(),
                      sent, response);
        break;
      case rv1::ServerReflectionRequest::kFileContainingSymbol:
        ReplyWithFile(pool->FindFileContainingSymbol(request.file_containing_symbol()),
                      request.file_containing_symbol(), sent, response);
        break;
      case rv1::ServerReflectionRequest::kFileContainingExtension: {
        const auto& ask = request.file_containing_extension();
        const auto* type = pool->FindMessageTypeByName(ask.containing_type());
        const auto* extension =
            type == nullptr ? nullptr : pool->FindExtensionByNumber(type, ask.extension_number());
        ReplyWithFile(extension == nullptr ? nullptr : extension->file(), ask.containing_type(),
                      sent, response);
        break;
      }
      case rv1::ServerReflectionRequest::kAllExtensionNumbersOfType: {
        const auto* type = pool->FindMessageTypeByName(request.all_extension_numbers_of_type());
        if (type == nullptr) {
          NotFound(response, request.all_extension_numbers_of_type());
          break;
        }
        std::vector<const google::protobuf::FieldDescriptor*> extensions;
        pool->FindAllExtensions(type, &extensions);
        auto* numbers = response.mutable_all_extension_numbers_response();
        numbers->set_base_type_name(type->full_name());
        for (const auto* e : extensions) numbers->add_extension_number(e->number());
        break;
      }
      default:
        response.mutable_error_response()->set_error_code(
            static_cast<int32_t>(grpc::StatusCode::UNIMPLEMENTED));
        response.mutable_error_response()->set_error_message("unknown reflection request");
    }
    if (!stream->Write(response)) break;
  }
  return grpc::Status::OK;
}

}  // namespace loyalty::broker
