#include "broker/admin/admin_cli.h"

#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "loyalty/broker/admin/v1/admin.grpc.pb.h"

namespace loyalty::broker {
namespace {

using admin::v1::AdminService;

void Print(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  std::cout << json;
}

std::shared_ptr<grpc::ChannelCredentials> Credentials(const std::string& ca_file) {
  if (ca_file.empty()) return grpc::InsecureChannelCredentials();
  std::ifstream in(ca_file);
  std::stringstream ca;
  ca << in.rdbuf();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ca.str();
  return grpc::SslCredentials(options);
}

template <typename Request, typename Response, typename Method>
int Call(AdminService::Stub& stub, const std::string& token, Method method,
         const Request& request) {
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + token);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  Response response;
  const grpc::Status status = (stub.*method)(&context, request, &response);
  if (!status.ok()) {
    std::cerr << "loyalty-broker admin: " << status.error_message() << std::endl;
    return 1;
  }
  Print(response);
  return 0;
}

}  // namespace

CLI::App* AddAdminCommands(CLI::App& cli, AdminCliOptions& o) {
  auto* admin = cli.add_subcommand("admin", "operators' tools, over the admin service");
  admin->require_subcommand(1);
  admin->add_option("--address", o.address, "admin service host:port (default: admin.listen)");
  admin->add_option("--token", o.token, "operator token (default: $LOYALTY_ADMIN_TOKEN)");
  admin->add_option("--tls-ca", o.tls_ca_file, "CA file for the service's TLS certificate");
  auto command = [&](const char* name, const char* what) {
    auto* sub = admin->add_subcommand(name, what);
    sub->callback([&o, name] { o.command = name; });
    return sub;
  };
  auto store_option = [](CLI::App* sub, std::string* field, bool required) {
    auto* opt = sub->add_option("--store", *field, "store id");
    if (required) opt->required();
  };

  auto* attention = command("attention", "purchases in doubt, undos refused, stuck commits");
  store_option(attention, o.attention.mutable_store_id(), false);
  attention->add_option_function<int>("--limit", [&o](int v) { o.attention.set_limit(v); });

  auto* settle = command("settle", "settle a purchase in doubt by the vendor's own records");
  store_option(settle, o.settle.mutable_store_id(), true);
  settle->add_option("--order", *o.settle.mutable_order_number(), "order number")->required();
  auto* applied = settle->add_flag_function(
      "--applied", [&o](int64_t) { o.settle.set_applied(true); }, "the vendor booked it");
  auto* refused = settle->add_flag("--not-applied", o.not_applied, "the vendor did not book it");
  applied->excludes(refused);
  settle->add_option_function<int64_t>(
      "--earned", [&o](int64_t v) { o.settle.set_earned_centipoints(v); },
      "centipoints the vendor's records show earned (with --applied)");
  settle->add_option("--reason", *o.settle.mutable_reason(), "what was checked")->required();

  store_option(command("keys", "a store's API keys, by fingerprint"), o.store.mutable_store_id(),
               true);
  store_option(command("show-store", "a store's programs and keys, without secrets"),
               o.store.mutable_store_id(), true);

  auto* revoke = command("revoke-key", "revoke a key at once on every replica");
  store_option(revoke, o.revoke.mutable_store_id(), true);
  revoke->add_option("--fingerprint", *o.revoke.mutable_fingerprint(), "8+ hex digits")->required();
  revoke->add_option("--reason", *o.revoke.mutable_reason(), "why")->required();

  auto* rotate = command("rotate-key", "issue a new key; the old ones expire after an overlap");
  store_option(rotate, o.rotate.mutable_store_id(), true);
  rotate->add_option("--label", *o.rotate.mutable_label(), "the keys' label, e.g. till")
      ->required();
  rotate->add_option_function<int>(
      "--overlap-seconds", [&o](int v) { o.rotate.set_overlap_seconds(v); },
      "how long the old keys stay valid (default a day)");
  rotate->add_option("--reason", *o.rotate.mutable_reason(), "why")->required();

  for (const bool off : {true, false}) {
    auto* sub = command(off ? "switch-off" : "switch-on",
                        off ? "send a program no calls" : "send a program calls again");
    sub->callback([&o, off] {
      o.command = "switch";
      o.program.set_switched_off(off);
    });
    store_option(sub, o.program.mutable_store_id(), true);
    sub->add_option("--program", *o.program.mutable_program(), "program code")->required();
    sub->add_option("--reason", *o.program.mutable_reason(), "why")->required();
  }

  auto* audit = command("audit", "the newest admin actions");
  store_option(audit, o.audit.mutable_store_id(), false);
  audit->add_option_function<int>("--limit", [&o](int v) { o.audit.set_limit(v); });
  return admin;
}

int RunAdminCommand(AdminCliOptions o, const std::string& configured_address) {
  if (o.address.empty()) o.address = configured_address;
  if (o.address.empty()) {
    std::cerr << "loyalty-broker admin: give --address or set admin.listen" << std::endl;
    return 2;
  }
  if (o.token.empty()) {
    const char* token = std::getenv("LOYALTY_ADMIN_TOKEN");
    o.token = token != nullptr ? token : "";
  }
  auto stub = AdminService::NewStub(grpc::CreateChannel(o.address, Credentials(o.tls_ca_file)));
  namespace v1 = admin::v1;
  if (o.command == "attention") {
    return Call<v1::ListPurchasesNeedingAttentionRequest,
                v1::ListPurchasesNeedingAttentionResponse>(
        *stub, o.token, &AdminService::Stub::ListPurchasesNeedingAttention, o.attention);
  }
  if (o.command == "settle") {
    if (!o.settle.applied() && !o.not_applied) {
      std::cerr << "settle: say --applied or --not-applied" << std::endl;
      return 2;
    }
    return Call<v1::SettlePurchaseRequest, v1::PurchaseSummary>(
        *stub, o.token, &AdminService::Stub::SettlePurchase, o.settle);
  }
  if (o.command == "keys") {
    return Call<v1::StoreRequest, v1::ListApiKeysResponse>(
        *stub, o.token, &AdminService::Stub::ListApiKeys, o.store);
  }
  if (o.command == "show-store") {
    return Call<v1::StoreRequest, v1::StoreView>(*stub, o.token, &AdminService::Stub::ShowStore,
                                                 o.store);
  }
  if (o.command == "revoke-key") {
    return Call<v1::RevokeApiKeyRequest, v1::ApiKey>(*stub, o.token,
                                                     &AdminService::Stub::RevokeApiKey, o.revoke);
  }
  if (o.command == "rotate-key") {
    return Call<v1::RotateApiKeyRequest, v1::RotateApiKeyResponse>(
        *stub, o.token, &AdminService::Stub::RotateApiKey, o.rotate);
  }
  if (o.command == "switch") {
    return Call<v1::SetProgramSwitchedOffRequest, v1::Program>(
        *stub, o.token, &AdminService::Stub::SetProgramSwitchedOff, o.program);
  }
  return Call<v1::ListAuditRequest, v1::ListAuditResponse>(*stub, o.token,
                                                           &AdminService::Stub::ListAudit, o.audit);
}

}  // namespace loyalty::broker
