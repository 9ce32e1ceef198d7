#pragma once

// `loyalty-broker admin <command>`: the operators' command line, a gRPC
// client of the admin service. Prints each answer as JSON.

#include <CLI/CLI.hpp>
#include <string>

#include "loyalty/broker/admin/v1/admin.pb.h"

namespace loyalty::broker {

struct AdminCliOptions {
  // host:port of the admin service; empty: admin.listen from the config.
  std::string address;
  // The operator's token; empty: LOYALTY_ADMIN_TOKEN.
  std::string token;
  // A CA file to check the service's TLS certificate by; empty: plaintext.
  std::string tls_ca_file;

  std::string command;
  admin::v1::ListPurchasesNeedingAttentionRequest attention;
  admin::v1::SettlePurchaseRequest settle;
  bool not_applied = false;
  admin::v1::StoreRequest store;
  admin::v1::RevokeApiKeyRequest revoke;
  admin::v1::RotateApiKeyRequest rotate;
  admin::v1::SetProgramSwitchedOffRequest program;
  admin::v1::ListAuditRequest audit;
};

// Adds the `admin` subcommand and its commands to `cli`.
CLI::App* AddAdminCommands(CLI::App& cli, AdminCliOptions& options);

// Runs the parsed command; `configured_address` is admin.listen. Returns
// the process exit code.
int RunAdminCommand(AdminCliOptions options, const std::string& configured_address);

}  // namespace loyalty::broker
