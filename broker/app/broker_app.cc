#include "broker/app/broker_app.h"

#include <google/protobuf/stubs/logging.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "broker/app/tls_files.h"
#include "broker/common/logging.h"
#include "broker/core/guarded_connector.h"
#include "broker/metrics/write_behind_collector.h"

namespace loyalty::broker {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path, const char* what) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read ", what, " ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(
    const BrokerConfig::Grpc& grpc) {
  if (!grpc.tls_enabled) return grpc::InsecureServerCredentials();
  auto cert = ReadFile(grpc.tls.cert_file, "grpc.tls.cert_file");
  auto key = ReadFile(grpc.tls.key_file, "grpc.tls.key_file");
  if (!cert.ok()) return cert.status();
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions options;
  options.pem_key_cert_pairs.push_back({*key, *cert});
  std::optional<TlsFile> client_ca;
  if (!grpc.tls.client_ca_file.empty()) {
    auto ca = ReadFile(grpc.tls.client_ca_file, "grpc.tls.client_ca_file");
    if (!ca.ok()) return ca.status();
    client_ca = TlsFile{grpc.tls.client_ca_file, *ca};
    options.pem_root_certs = *ca;
    options.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  if (auto checked =
          CheckServerTls(TlsFile{grpc.tls.cert_file, *cert}, TlsFile{grpc.tls.key_file, *key},
                         client_ca ? &*client_ca : nullptr, absl::Now());
      !checked.ok()) {
    return checked;
  }
  return grpc::SslServerCredentials(options);
}

// The service's method names, for metric series created at start.
std::vector<std::string> GrpcMethods() {
  std::vector<std::string> methods;
  const auto* service = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
      v1::LoyaltyBroker::service_full_name());
  for (int i = 0; service != nullptr && i < service->method_count(); ++i) {
    methods.push_back(service->method(i)->name());
  }
  return methods;
}

// The vendor requests the broker's own HTTP client sends; libcurl sends the
// rest (and all of them when so configured, or when a proxy is named).
std::function<bool(absl::string_view)> OwnHttpClientTakes(const BrokerConfig& config) {
  if (config.broker.vendor_http_client == "libcurl" || connectors::EnvironmentNamesHttpProxy()) {
    return [](absl::string_view) { return false; };
  }
  return &connectors::SocketHttpClient::Takes;
}

}  // namespace

BrokerApp::BrokerApp(BrokerConfig config)
    : config_(std::move(config)),
      metrics_(GrpcMethods()),
      pool_(config_.database.url, config_.database.pool_size,
            PoolTimeouts{config_.database.connect_timeout_seconds,
                         absl::Milliseconds(config_.database.statement_timeout_ms),
                         absl::Milliseconds(config_.database.hung_after_ms)}),
      curl_http_(connectors::CurlMultiOptions{
          .max_answer_bytes = static_cast<size_t>(config_.broker.vendor_answer_max_bytes)}),
      socket_http_(connectors::SocketHttpOptions{
          .max_answer_bytes = static_cast<size_t>(config_.broker.vendor_answer_max_bytes)}),
      http_(socket_http_, OwnHttpClientTakes(config_), curl_http_),
      guards_(GuardSettings{config_.broker.program_max_in_flight > 0
                                ? config_.broker.program_max_in_flight
                                : std::max(1, config_.broker.worker_threads / 2),
                            config_.broker.circuit_failures_to_open,
                            absl::Milliseconds(config_.broker.circuit_first_ejection_ms),
                            absl::Seconds(config_.broker.circuit_max_ejection_seconds)},
              &metrics_),
      quotes_(pool_, config_.privacy.customer_hash_key),
      holds_(pool_),
      purchases_(pool_, absl::Microseconds(config_.database.commit_batch_gather_us), &quotes_),
      idempotency_(pool_),
      commit_reads_(pool_, quotes_),
      journal_rows_(pool_),
      journal_([this](const std::vector<VendorOperation>& batch) {
        return journal_rows_.RecordAll(batch);
      }),
      outbox_(pool_),
      stores_(pool_, connectors::BuiltinVendors(),
              StoreDirectorySettings{absl::Seconds(config_.broker.auth_cache_seconds),
                                     absl::Seconds(config_.broker.auth_negative_cache_seconds)}),
      checkout_(CheckoutDependencies{registry_, quotes_, holds_, purchases_, idempotency_,
                                     commit_reads_, journal_, metrics_, config_.broker}),
      recovery_(RecoveryDependencies{registry_, stores_, quotes_, purchases_, idempotency_, outbox_,
                                     journal_, metrics_},
                RecoverySettings{absl::Seconds(config_.broker.recovery_after_seconds),
                                 absl::Milliseconds(config_.broker.default_deadline_ms),
                                 absl::Seconds(config_.broker.outbox_retry_seconds)}),
      mismatches_(pool_),
      checkout_state_(pool_),
      partitions_(pool_, config_.retention),
      reconciler_(ReconciliationDependencies{registry_, stores_, purchases_, mismatches_, journal_,
                                             metrics_},
                  ReconciliationSettings{absl::Hours(config_.broker.reconcile_window_hours),
                                         absl::Seconds(config_.broker.reconcile_every_seconds),
                                         config_.broker.reconcile_batch,
                                         absl::Milliseconds(config_.broker.default_deadline_ms)}),
      settler_(SettlementDependencies{registry_, stores_, purchases_, idempotency_, metrics_}),
      admin_repository_(pool_) {
  connectors::BuiltinVendors().RegisterConnectors(vendor_connectors_, http_);
  for (const std::string& vendor : connectors::BuiltinVendors().Vendors()) {
    registry_.Register(
        vendor, std::make_shared<GuardedConnector>(*vendor_connectors_.Find(vendor), guards_));
  }
  pool_.set_observer(&metrics_);
}

BrokerApp::~BrokerApp() { Shutdown(absl::Seconds(5)); }

absl::StatusOr<int> BrokerApp::Start() {
  SetLogLevel(config_.logging.level);
  // The library's own complaints (a till's invalid UTF-8, say) go through
  // the broker's log, escaped and bounded, not raw to stderr.
  google::protobuf::SetLogHandler(
      [](google::protobuf::LogLevel, const char*, int, const std::string& message) {
        Log(LogLevel::kWarning, "protobuf", {{"message", message}});
      });
  if (auto status = pool_.Connect(); !status.ok()) return status;
  store_changes_ = std::make_unique<StoreChangeListener>(config_.database.url, stores_);
  store_changes_->Start();
  auto credentials = Credentials(config_.grpc);
  if (!credentials.ok()) return credentials.status();

  maintenance_ = std::make_unique<MaintenanceWorker>(
      holds_, recovery_, reconciler_, partitions_,
      absl::Seconds(config_.broker.maintenance_interval_seconds),
      absl::Seconds(config_.broker.reconcile_interval_seconds));
  maintenance_->Start();

  if (!config_.metrics.listen.empty()) {
    auto rows_behind =
        std::make_shared<WriteBehindCollector>(std::vector<WriteBehindCollector::Queue>{
            {"quotes", [this] { return quotes_.queued(); }, [this] { return quotes_.dropped(); }},
            {"vendor_operations", [this] { return journal_.queued(); },
             [this] { return journal_.dropped(); }}});
    auto endpoint =
        MetricsEndpoint::Start(config_.metrics.listen, metrics_.registry(), {rows_behind});
    if (!endpoint.ok()) return endpoint.status();
    metrics_endpoint_ = std::move(*endpoint);
    state_collector_ = std::make_unique<StateCollector>(
        checkout_state_, metrics_, absl::Seconds(config_.metrics.state_interval_seconds));
    state_collector_->Start();
  }

  workers_ =
      std::make_unique<ThreadPool>(config_.broker.worker_threads, config_.broker.max_queued_calls);
  service_ =
      std::make_unique<BrokerGrpcService>(checkout_, stores_, *workers_, config_.broker, metrics_);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(config_.grpc.listen, *credentials, &port);
  builder.SetMaxReceiveMessageSize(config_.grpc.max_message_bytes);
  builder.SetMaxSendMessageSize(config_.grpc.max_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, config_.grpc.keepalive_time_ms);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, config_.grpc.keepalive_timeout_ms);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                             config_.grpc.keepalive_time_ms / 2);
  builder.RegisterService(service_.get());
  reflection_v1_ = std::make_unique<ReflectionV1Service>(std::vector<std::string>{
      kBrokerServiceName, "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection"});
  builder.RegisterService(reflection_v1_.get());
  server_ = builder.BuildAndStart();
  if (!server_ || port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", config_.grpc.listen));
  }
  if (auto admin = StartAdmin(*credentials); !admin.ok()) return admin;
  health_ = std::make_unique<ServingHealth>(*server_->GetHealthCheckService(), pool_,
                                            absl::Milliseconds(config_.grpc.health_probe_ms));
  health_->Start();
  if (!config_.grpc.readiness_listen.empty()) {
    auto readiness = ReadinessEndpoint::Start(config_.grpc.readiness_listen,
                                              [this] { return health_->serving(); });
    if (!readiness.ok()) return readiness.status();
    readiness_ = std::move(*readiness);
  }
  Log(LogLevel::kInfo, "broker_started",
      {{"listen", config_.grpc.listen},
       {"port", std::to_string(port)},
       {"tls", config_.grpc.tls_enabled ? "on" : "off"},
       {"metrics_port", std::to_string(metrics_port())}});
  return port;
}

absl::Status BrokerApp::StartAdmin(const std::shared_ptr<grpc::ServerCredentials>& credentials) {
  if (config_.admin.listen.empty()) return absl::OkStatus();
  if (config_.admin.tokens_file.empty()) {
    return absl::InvalidArgumentError("admin.listen is set: admin.tokens_file must name operators");
  }
  auto tokens = OperatorTokens::Load(config_.admin.tokens_file);
  if (!tokens.ok()) return tokens.status();
  admin_service_ =
      std::make_unique<AdminService>(std::move(*tokens), admin_repository_, settler_,
                                     absl::Milliseconds(config_.broker.default_deadline_ms));
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config_.admin.listen, credentials, &admin_port_);
  builder.RegisterService(admin_service_.get());
  admin_server_ = builder.BuildAndStart();
  if (!admin_server_ || admin_port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on admin.listen ", config_.admin.listen));
  }
  Log(LogLevel::kInfo, "admin_started",
      {{"listen", config_.admin.listen}, {"port", std::to_string(admin_port_)}});
  return absl::OkStatus();
}

void BrokerApp::Shutdown(absl::Duration grace) {
  if (server_) {
    Log(LogLevel::kInfo, "broker_stopping", {});
    health_->BeginShutdown();  // the readiness endpoint answers 503 from here
    absl::SleepFor(absl::Milliseconds(config_.grpc.shutdown_drain_ms));
    // Refuses new calls at once; in-flight calls get until the deadline.
    server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
    server_.reset();
    if (admin_server_) {
      admin_server_->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
      admin_server_.reset();
    }
    readiness_.reset();
    health_.reset();
  }
  workers_.reset();  // runs what was already handed over, then joins
  service_.reset();
  state_collector_.reset();
  metrics_endpoint_.reset();
  maintenance_.reset();
}

}  // namespace loyalty::broker
