// loyalty-echo-server: the bare gRPC baseline. Serves the broker's own
// service, answering QuoteCart and IdentifyCustomer at once on the gRPC
// thread (lines echoed back, nothing computed, nothing stored), so the load
// generator measures what gRPC itself costs on this machine.

#include <grpcpp/grpcpp.h>
#include <pthread.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "loyalty/broker/v1/broker.grpc.pb.h"

namespace v1 = ::loyalty::broker::v1;

class EchoService final : public v1::LoyaltyBroker::CallbackService {
  grpc::ServerUnaryReactor* QuoteCart(grpc::CallbackServerContext* context,
                                      const v1::QuoteCartRequest* request,
                                      v1::QuoteCartResponse* response) override {
    response->set_quote_id("00000000-0000-0000-0000-000000000000");
    for (const auto& line : request->lines()) {
      auto* out = response->add_lines();
      out->set_line_no(line.line_no());
      out->set_sku(line.sku());
      out->set_quantity_milli(line.quantity_milli());
    }
    auto* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  grpc::ServerUnaryReactor* IdentifyCustomer(grpc::CallbackServerContext* context,
                                             const v1::IdentifyCustomerRequest*,
                                             v1::IdentifyCustomerResponse*) override {
    auto* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

int main(int argc, char** argv) {
  CLI::App app{"Bare gRPC echo server (benchmark baseline)"};
  std::string listen = "127.0.0.1:50061";
  app.add_option("--listen", listen, "host:port");
  CLI11_PARSE(app, argc, argv);
  // SIGTERM and SIGINT are taken by sigwait below, not by a handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  EchoService service;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials());
  builder.RegisterService(&service);
  auto server = builder.BuildAndStart();
  if (!server) {
    std::cerr << "cannot listen on " << listen << "\n";
    return 1;
  }
  std::cerr << "loyalty-echo-server listening on " << listen << std::endl;
  int signal = 0;
  sigwait(&signals, &signal);
  server->Shutdown(std::chrono::system_clock::now());
  return 0;
}
