// Health and reflection as tools ask for them: grpc.health.v1 for the
// broker's service name (grpc_health_probe -service), NOT_SERVING while
// PostgreSQL cannot be reached and from the start of a shutdown, seen by an
// open Watch; server reflection v1 beside v1alpha.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "broker/app/readiness_endpoint.h"
#include "broker/app/serving_health.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "simulators/loyalclient/server.h"
#include "tests/integration/simulator_stack_test.h"

namespace loyalty::broker {
namespace {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

// A gRPC server with gRPC's own health service and nothing else, on a free
// 127.0.0.1 port, whose health a ServingHealth drives.
class HealthServer {
 public:
  HealthServer() {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    server_ = builder.BuildAndStart();
    channel_ =
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_), grpc::InsecureChannelCredentials());
  }
  ~HealthServer() { server_->Shutdown(); }

  grpc::HealthCheckServiceInterface& health() { return *server_->GetHealthCheckService(); }

  HealthCheckResponse::ServingStatus Check(const std::string& service) {
    auto stub = grpc::health::v1::Health::NewStub(channel_);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    HealthCheckRequest request;
    request.set_service(service);
    HealthCheckResponse response;
    grpc::Status status = stub->Check(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.status();
  }

  std::shared_ptr<grpc::Channel> channel() { return channel_; }

 private:
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

// Waits until `check` answers `want` or a few seconds pass.
bool Eventually(const std::function<HealthCheckResponse::ServingStatus()>& check,
                HealthCheckResponse::ServingStatus want) {
  for (int i = 0; i < 100; ++i) {
    if (check() == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST(ServingHealth, ServesWhileThePoolReachesPostgreSql) {
  HealthServer server;
  ConnectionPool pool("", 1);  // PG* variables: the test cluster
  ServingHealth health(server.health(), pool, absl::Milliseconds(100));
  health.Start();
  EXPECT_TRUE(
      Eventually([&] { return server.Check(kBrokerServiceName); }, HealthCheckResponse::SERVING));
  EXPECT_EQ(server.Check(""), HealthCheckResponse::SERVING);
}

// GET /ready's status code, or 0 when nothing answered.
int ReadyStatus(int port, const std::string& path = "/ready") {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2);
  auto answer = client.Get(path.c_str());
  return answer ? answer->status : 0;
}

TEST(ServingHealth, IsNotServingWhilePostgreSqlCannotBeReached) {
  HealthServer server;
  ConnectionPool pool("host=127.0.0.1 port=1 connect_timeout=1", 1);  // nothing listens there
  ServingHealth health(server.health(), pool, absl::Milliseconds(100));
  auto readiness = ReadinessEndpoint::Start("127.0.0.1:0", [&health] { return health.serving(); });
  ASSERT_TRUE(readiness.ok()) << readiness.status();
  health.Start();
  EXPECT_TRUE(Eventually([&] { return server.Check(kBrokerServiceName); },
                         HealthCheckResponse::NOT_SERVING));
  EXPECT_EQ(server.Check(""), HealthCheckResponse::NOT_SERVING);
  // What a load balancer's HTTP check sees: not ready, though alive.
  EXPECT_EQ(ReadyStatus((*readiness)->port()), 503);
  EXPECT_EQ(ReadyStatus((*readiness)->port(), "/live"), 200);
}

TEST(ReadinessEndpoint, AnswersAsHealthSaysAtEveryCall) {
  std::atomic<bool> serving{true};
  auto readiness = ReadinessEndpoint::Start("127.0.0.1:0", [&serving] { return serving.load(); });
  ASSERT_TRUE(readiness.ok()) << readiness.status();
  const int port = (*readiness)->port();
  EXPECT_EQ(ReadyStatus(port), 200);
  serving = false;
  EXPECT_EQ(ReadyStatus(port), 503);
  serving = true;
  EXPECT_EQ(ReadyStatus(port), 200);
  EXPECT_EQ(ReadyStatus(port, "/elsewhere"), 404);
  readiness->reset();
  EXPECT_EQ(ReadyStatus(port), 0) << "still answering after it was stopped";
}

TEST(ReadinessEndpoint, RefusesAnAddressWithoutAPort) {
  auto readiness = ReadinessEndpoint::Start("127.0.0.1", [] { return true; });
  ASSERT_FALSE(readiness.ok());
  EXPECT_EQ(readiness.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(readiness.status().message().find("grpc.readiness_listen"), std::string::npos);
}

TEST(ServingHealth, IsNotServingWhilePostgreSqlHangsAndServesAgainAfter) {
  HealthServer server;
  ConnectionPool pool("", 1);
  ASSERT_TRUE(pool.Connect().ok());
  int pid = 0;
  ASSERT_TRUE(pool.Run([&](pqxx::connection& c) {
                    pqxx::nontransaction tx(c);
                    pid = tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
                    return absl::OkStatus();
                  })
                  .ok());
  ServingHealth health(server.health(), pool, absl::Milliseconds(100));
  health.Start();
  ASSERT_TRUE(
      Eventually([&] { return server.Check(kBrokerServiceName); }, HealthCheckResponse::SERVING));
  ASSERT_EQ(::kill(pid, SIGSTOP), 0);  // the pool's one session stops answering
  const bool down = Eventually([&] { return server.Check(kBrokerServiceName); },
                               HealthCheckResponse::NOT_SERVING);
  ::kill(pid, SIGCONT);
  EXPECT_TRUE(down);
  // The cut connection is replaced by itself.
  EXPECT_TRUE(
      Eventually([&] { return server.Check(kBrokerServiceName); }, HealthCheckResponse::SERVING));
}

TEST(ServingHealth, AnOpenWatchSeesShutdownBegin) {
  HealthServer server;
  ConnectionPool pool("", 1);
  ServingHealth health(server.health(), pool, absl::Milliseconds(100));
  health.Start();
  ASSERT_TRUE(
      Eventually([&] { return server.Check(kBrokerServiceName); }, HealthCheckResponse::SERVING));

  auto stub = grpc::health::v1::Health::NewStub(server.channel());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  HealthCheckRequest request;
  request.set_service(kBrokerServiceName);
  auto watch = stub->Watch(&context, request);
  HealthCheckResponse seen;
  ASSERT_TRUE(watch->Read(&seen));
  EXPECT_EQ(seen.status(), HealthCheckResponse::SERVING);
  health.BeginShutdown();
  ASSERT_TRUE(watch->Read(&seen));
  EXPECT_EQ(seen.status(), HealthCheckResponse::NOT_SERVING);
  context.TryCancel();
}

constexpr char kPoint[] = "62a1f0c0e4b0a1b2c3d4e5f4";

class BrokerToolsTest
    : public testing::SimulatorStackTest<BrokerToolsTest,
                                         simulator::loyalclient::LoyalClientSimulator> {
 protected:
  static void SetUpTestSuite() {
    StartStack("loyalclient/data/loyalclient-seed.json",
               [](int port) {
                 return absl::StrCat("stores:\n  - id: tools-", testing::RunId(),
                                     "\n    api_keys: [{label: till, key: ", StoreKey("tools"),
                                     "}]\n    programs:\n      - code: lc-main\n"
                                     "        vendor: loyalclient\n"
                                     "        base_url: http://127.0.0.1:",
                                     port, "\n        settings: {point: ", kPoint,
                                     "}\n        credentials: {apikey: \"${LC_KEY}\"}\n");
               },
               {{"LC_KEY", "lc-demo-apikey-0001"}});
  }
};

TEST_F(BrokerToolsTest, HealthAnswersForTheBrokersServiceName) {
  auto stub = grpc::health::v1::Health::NewStub(stack_->channel());
  grpc::ClientContext context;
  HealthCheckRequest request;
  request.set_service("loyalty.broker.v1.LoyaltyBroker");
  HealthCheckResponse response;
  ASSERT_TRUE(stub->Check(&context, request, &response).ok());
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);
}

TEST_F(BrokerToolsTest, ReflectionV1ListsTheServiceAndDescribesItsFile) {
  namespace rv1 = grpc::reflection::v1;
  auto stub = rv1::ServerReflection::NewStub(stack_->channel());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  auto stream = stub->ServerReflectionInfo(&context);

  rv1::ServerReflectionRequest list;
  list.set_list_services("");
  ASSERT_TRUE(stream->Write(list));
  rv1::ServerReflectionResponse listed;
  ASSERT_TRUE(stream->Read(&listed));
  std::set<std::string> services;
  for (const auto& s : listed.list_services_response().service()) services.insert(s.name());
  EXPECT_TRUE(services.contains("loyalty.broker.v1.LoyaltyBroker"));
  EXPECT_TRUE(services.contains("grpc.reflection.v1.ServerReflection"));

  rv1::ServerReflectionRequest symbol;
  symbol.set_file_containing_symbol("loyalty.broker.v1.LoyaltyBroker");
  ASSERT_TRUE(stream->Write(symbol));
  rv1::ServerReflectionResponse described;
  ASSERT_TRUE(stream->Read(&described));
  ASSERT_GE(described.file_descriptor_response().file_descriptor_proto_size(), 2);  // + timestamp
  google::protobuf::FileDescriptorProto file;
  ASSERT_TRUE(file.ParseFromString(described.file_descriptor_response().file_descriptor_proto(0)));
  EXPECT_EQ(file.name(), "loyalty/broker/v1/broker.proto");
  EXPECT_EQ(file.service(0).name(), "LoyaltyBroker");

  rv1::ServerReflectionRequest unknown;
  unknown.set_file_containing_symbol("no.such.Symbol");
  ASSERT_TRUE(stream->Write(unknown));
  rv1::ServerReflectionResponse missing;
  ASSERT_TRUE(stream->Read(&missing));
  EXPECT_EQ(missing.error_response().error_code(), static_cast<int>(grpc::StatusCode::NOT_FOUND));
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

}  // namespace
}  // namespace loyalty::broker
