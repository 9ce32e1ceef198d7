#include "broker/metrics/broker_metrics.h"

#include "absl/status/status.h"

namespace loyalty::broker {
namespace {

using prometheus::Histogram;

constexpr char kService[] = "loyalty.broker.v1.LoyaltyBroker";

const Histogram::BucketBoundaries& LatencyBuckets() {
  static const Histogram::BucketBoundaries kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return kBuckets;
}

const std::vector<std::string>& VendorOperations() {
  static const std::vector<std::string> kOperations = {"identify", "quote",   "hold",   "release",
                                                       "book",     "confirm", "cancel", "restore",
                                                       "reassign", "get"};
  return kOperations;
}

const std::vector<std::string>& Outcomes() {
  static const std::vector<std::string> kOutcomes = {"approved", "declined", "failed"};
  return kOutcomes;
}

const std::vector<std::string>& PurchaseStatuses() {
  static const std::vector<std::string> kStatuses = {"booked", "confirmed", "declined", "failed",
                                                     "in_doubt"};
  return kStatuses;
}

// grpc_code values as the Go gRPC ecosystem (and its dashboards) spell them.
const char* GrpcCodeName(absl::StatusCode code) {
  static const char* kNames[] = {
      "OK",       "Canceled",       "Unknown",          "InvalidArgument",   "DeadlineExceeded",
      "NotFound", "AlreadyExists",  "PermissionDenied", "ResourceExhausted", "FailedPrecondition",
      "Aborted",  "OutOfRange",     "Unimplemented",    "Internal",          "Unavailable",
      "DataLoss", "Unauthenticated"};
  const int index = static_cast<int>(code);
  return index >= 0 && index < 17 ? kNames[index] : "Unknown";
}

prometheus::Labels GrpcLabels(std::string_view method) {
  return {{"grpc_type", "unary"}, {"grpc_service", kService}, {"grpc_method", std::string(method)}};
}

}  // namespace

BrokerMetrics::BrokerMetrics(const std::vector<std::string>& grpc_methods)
    : registry_(std::make_shared<prometheus::Registry>()),
      grpc_started_(prometheus::BuildCounter()
                        .Name("grpc_server_started_total")
                        .Help("RPCs started on the server.")
                        .Register(*registry_)),
      grpc_handled_(prometheus::BuildCounter()
                        .Name("grpc_server_handled_total")
                        .Help("RPCs completed on the server, by status code.")
                        .Register(*registry_)),
      grpc_handling_(prometheus::BuildHistogram()
                         .Name("grpc_server_handling_seconds")
                         .Help("Time from receiving an RPC to answering it.")
                         .Register(*registry_)),
      rpc_errors_(prometheus::BuildCounter()
                      .Name("loyalty_rpc_errors_total")
                      .Help("Errors answered, by method and reason (error_reasons.h).")
                      .Register(*registry_)),
      vendor_requests_(prometheus::BuildCounter()
                           .Name("loyalty_vendor_requests_total")
                           .Help("Vendor calls by program, operation and outcome.")
                           .Register(*registry_)),
      vendor_duration_(prometheus::BuildHistogram()
                           .Name("loyalty_vendor_request_duration_seconds")
                           .Help("Vendor call latency by program, operation and outcome.")
                           .Register(*registry_)),
      program_up_(
          prometheus::BuildGauge()
              .Name("loyalty_program_up")
              .Help("1 when the program's last vendor call got an answer, 0 when it failed.")
              .Register(*registry_)),
      purchases_(prometheus::BuildCounter()
                     .Name("loyalty_purchases_total")
                     .Help("Commits by the purchase's resulting status.")
                     .Register(*registry_)),
      points_earned_(prometheus::BuildCounter()
                         .Name("loyalty_points_earned_centipoints_total")
                         .Help("Points earned by committed purchases, in hundredths.")
                         .Register(*registry_)),
      points_spent_(prometheus::BuildCounter()
                        .Name("loyalty_points_spent_centipoints_total")
                        .Help("Points spent by committed purchases, in hundredths.")
                        .Register(*registry_)),
      holds_active_(prometheus::BuildGauge()
                        .Name("loyalty_holds_active")
                        .Help("Active point holds, by program.")
                        .Register(*registry_)),
      outbox_backlog_(prometheus::BuildGauge()
                          .Name("loyalty_outbox_backlog")
                          .Help("Outbox entries not yet delivered, by program.")
                          .Register(*registry_)),
      outbox_oldest_(prometheus::BuildGauge()
                         .Name("loyalty_outbox_oldest_age_seconds")
                         .Help("Age of the oldest undelivered outbox entry; 0 when none.")
                         .Register(*registry_)),
      reconciliation_mismatches_(
          prometheus::BuildGauge()
              .Name("loyalty_reconciliation_mismatches")
              .Help("Open disagreements between the broker's purchases and the vendor's, by "
                    "program.")
              .Register(*registry_)),
      purchases_pending_(
          prometheus::BuildGauge()
              .Name("loyalty_purchases_pending")
              .Help("Purchases whose vendors are being called (or were, at a crash).")
              .Register(*registry_)
              .Add({})),
      purchases_in_doubt_(prometheus::BuildGauge()
                              .Name("loyalty_purchases_in_doubt")
                              .Help("Purchases in doubt, or with a program in doubt.")
                              .Register(*registry_)
                              .Add({})),
      oldest_pending_(prometheus::BuildGauge()
                          .Name("loyalty_purchases_pending_oldest_age_seconds")
                          .Help("Age of the oldest pending purchase; 0 when there is none.")
                          .Register(*registry_)
                          .Add({})),
      pool_size_(prometheus::BuildGauge()
                     .Name("loyalty_db_pool_size")
                     .Help("PostgreSQL connections in the pool.")
                     .Register(*registry_)
                     .Add({})),
      pool_in_use_(prometheus::BuildGauge()
                       .Name("loyalty_db_pool_in_use")
                       .Help("PostgreSQL connections running work now.")
                       .Register(*registry_)
                       .Add({})),
      pool_wait_(prometheus::BuildHistogram()
                     .Name("loyalty_db_pool_wait_seconds")
                     .Help("Time spent waiting for a free connection.")
                     .Register(*registry_)
                     .Add({}, LatencyBuckets())),
      db_duration_(prometheus::BuildHistogram()
                       .Name("loyalty_db_transaction_duration_seconds")
                       .Help("Time a connection ran one unit of work, by outcome.")
                       .Register(*registry_)),
      pool_gave_up_(prometheus::BuildCounter()
                        .Name("loyalty_db_pool_gave_up_total")
                        .Help("Work that got no connection before its deadline, or while "
                              "PostgreSQL could not be reached.")
                        .Register(*registry_)
                        .Add({})),
      circuit_state_(prometheus::BuildGauge()
                         .Name("loyalty_program_circuit_state")
                         .Help("A program's circuit breaker: 0 closed, 1 open (calls held "
                               "back), 2 half open (one trial call).")
                         .Register(*registry_)),
      held_back_(prometheus::BuildCounter()
                     .Name("loyalty_program_calls_held_back_total")
                     .Help("Vendor calls the broker did not send, by program and why: "
                           "circuit_open, busy (bulkhead full), switched_off.")
                     .Register(*registry_)),
      in_flight_(prometheus::BuildGauge()
                     .Name("loyalty_program_calls_in_flight")
                     .Help("Vendor calls of a program under way now.")
                     .Register(*registry_)),
      queued_calls_(prometheus::BuildGauge()
                        .Name("loyalty_queued_calls")
                        .Help("gRPC calls waiting for a worker.")
                        .Register(*registry_)
                        .Add({})),
      db_duration_ok_(db_duration_.Add({{"outcome", "ok"}}, LatencyBuckets())),
      db_duration_error_(db_duration_.Add({{"outcome", "error"}}, LatencyBuckets())) {
  for (const std::string& method : grpc_methods) {
    Method(method);
    // The broker's own failures, which its error alert rates: zeros from
    // the start. Other reasons appear when first answered.
    for (const char* reason : {"INTERNAL", "DATABASE_UNAVAILABLE", "DEADLINE_EXCEEDED"}) {
      rpc_errors_.Add({{"grpc_method", method}, {"reason", reason}});
    }
  }
  for (const std::string& status : PurchaseStatuses()) purchases_.Add({{"status", status}});
}

const BrokerMetrics::MethodSeries& BrokerMetrics::Method(std::string_view method) {
  return method_series_.Get(std::string(method), [&] {
    MethodSeries series;
    prometheus::Labels labels = GrpcLabels(method);
    series.started = &grpc_started_.Add(labels);
    series.handling = &grpc_handling_.Add(labels, LatencyBuckets());
    for (int code = 0; code < 17; ++code) {
      labels["grpc_code"] = GrpcCodeName(static_cast<absl::StatusCode>(code));
      series.handled[code] = &grpc_handled_.Add(labels);
    }
    return series;
  });
}

const BrokerMetrics::ProgramSeries& BrokerMetrics::Program(const std::string& program,
                                                           const std::string& vendor) {
  return program_series_.Get(SeriesKey({program, vendor}), [&] {
    const prometheus::Labels labels = {{"program", program}, {"vendor", vendor}};
    return ProgramSeries{&in_flight_.Add(labels), &points_earned_.Add(labels),
                         &points_spent_.Add(labels)};
  });
}

void BrokerMetrics::AddProgram(const std::string& program, const std::string& vendor) {
  {
    absl::MutexLock lock(&programs_mutex_);
    if (!programs_.emplace(program, vendor).second) return;
  }
  for (const std::string& operation : VendorOperations()) {
    for (const std::string& outcome : Outcomes()) {
      prometheus::Labels labels = {
          {"program", program}, {"vendor", vendor}, {"operation", operation}, {"outcome", outcome}};
      vendor_requests_.Add(labels);  // zeros, so rates exist before any call
      // Latency series (16 each) appear with their first call: most
      // program x operation x outcome combinations never happen.
    }
  }
  const prometheus::Labels labels = {{"program", program}, {"vendor", vendor}};
  // Up until a call says otherwise (OnVendorCall may have said so already).
  if (!program_up_.Has(labels)) program_up_.Add(labels).Set(1);
  points_earned_.Add(labels);
  points_spent_.Add(labels);
  holds_active_.Add(labels);
  outbox_backlog_.Add(labels);
  outbox_oldest_.Add(labels);
  reconciliation_mismatches_.Add(labels);
  circuit_state_.Add(labels);
  in_flight_.Add(labels);
}

void BrokerMetrics::Record(const CheckoutStateSample& sample) {
  for (const auto& h : sample.holds) {
    AddProgram(h.program, h.vendor);
    holds_active_.Add({{"program", h.program}, {"vendor", h.vendor}}).Set(h.active);
  }
  for (const auto& o : sample.outbox) {
    AddProgram(o.program, o.vendor);
    outbox_backlog_.Add({{"program", o.program}, {"vendor", o.vendor}}).Set(o.backlog);
    outbox_oldest_.Add({{"program", o.program}, {"vendor", o.vendor}}).Set(o.oldest_seconds);
  }
  for (const auto& m : sample.mismatches) {
    AddProgram(m.program, m.vendor);
    reconciliation_mismatches_.Add({{"program", m.program}, {"vendor", m.vendor}}).Set(m.open);
  }
  purchases_pending_.Set(sample.purchases_pending);
  purchases_in_doubt_.Set(sample.purchases_in_doubt);
  oldest_pending_.Set(sample.oldest_pending_seconds);
}

void BrokerMetrics::OnRpcStarted(std::string_view method) { Method(method).started->Increment(); }

void BrokerMetrics::OnRpcHandled(std::string_view method, absl::StatusCode code,
                                 std::string_view reason, absl::Duration latency) {
  const MethodSeries& series = Method(method);
  series.handling->Observe(absl::ToDoubleSeconds(latency));
  const int index = static_cast<int>(code);
  const int known = index >= 0 && index < 17 ? index : static_cast<int>(absl::StatusCode::kUnknown);
  series.handled[known]->Increment();
  if (code == absl::StatusCode::kOk) return;
  // Reasons are a bounded list (error_reasons.h); most never occur.
  rpc_errors_.Add({{"grpc_method", std::string(method)}, {"reason", std::string(reason)}})
      .Increment();
}

void BrokerMetrics::OnVendorCall(const VendorOperation& op) {
  const VendorCallSeries& series = vendor_call_series_.Get(
      SeriesKey({op.program_code, op.vendor, op.operation, op.outcome}), [&] {
        const prometheus::Labels labels = {{"program", op.program_code},
                                           {"vendor", op.vendor},
                                           {"operation", op.operation},
                                           {"outcome", op.outcome}};
        return VendorCallSeries{
            &vendor_requests_.Add(labels), &vendor_duration_.Add(labels, LatencyBuckets()),
            &program_up_.Add({{"program", op.program_code}, {"vendor", op.vendor}})};
      });
  series.requests->Increment();
  series.duration->Observe(op.latency_us / 1e6);
  // A decline is an answer: the vendor is up, unless it refused the
  // program's own credentials or settings, which no call gets past.
  series.up->Set(op.outcome == "failed" || op.program_refused ? 0 : 1);
}

void BrokerMetrics::OnCommitted(const PurchaseRecord& purchase, const StoreContext& store) {
  const std::string status(PurchaseStateName(purchase.state));
  auto make = [&] { return &purchases_.Add({{"status", status}}); };
  purchases_by_status_.Get(status, make)->Increment();
  for (const auto& p : purchase.programs) {
    const StoreProgram* program = store.FindProgram(p.program_id);
    if (program == nullptr || p.state != BookingState::kApproved) continue;
    const ProgramSeries& series = Program(program->config->code, program->config->vendor);
    series.points_earned->Increment(static_cast<double>(p.earned_centipoints));
    series.points_spent->Increment(static_cast<double>(p.spent_centipoints));
  }
}

void BrokerMetrics::OnDelivered(const PurchaseProgramRecord& booking, const StoreProgram& program) {
  Program(program.config->code, program.config->vendor)
      .points_earned->Increment(static_cast<double>(booking.earned_centipoints));
}

void BrokerMetrics::OnAcquired(absl::Duration wait, int in_use, int size) {
  pool_wait_.Observe(absl::ToDoubleSeconds(wait));
  pool_in_use_.Set(in_use);
  pool_size_.Set(size);
}

void BrokerMetrics::OnReleased(absl::Duration duration, bool ok, int in_use, int size) {
  (ok ? db_duration_ok_ : db_duration_error_).Observe(absl::ToDoubleSeconds(duration));
  pool_in_use_.Set(in_use);
  pool_size_.Set(size);
}

void BrokerMetrics::OnGaveUp(absl::Duration) { pool_gave_up_.Increment(); }

void BrokerMetrics::OnCircuitChanged(const connectors::ProgramConfig& program, CircuitState state) {
  circuit_state_.Add({{"program", program.code}, {"vendor", program.vendor}})
      .Set(static_cast<double>(state));
}

void BrokerMetrics::OnHeldBack(const connectors::ProgramConfig& program, connectors::HeldBack why) {
  const char* reason = why == connectors::HeldBack::kSwitchedOff ? "switched_off"
                       : why == connectors::HeldBack::kBusy      ? "busy"
                                                                 : "circuit_open";
  held_back_.Add({{"program", program.code}, {"vendor", program.vendor}, {"reason", reason}})
      .Increment();
}

void BrokerMetrics::OnInFlight(const connectors::ProgramConfig& program, int in_flight) {
  Program(program.code, program.vendor).in_flight->Set(in_flight);
}

}  // namespace loyalty::broker
