#include "simulators/kit/faults.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdlib>
#include <thread>

namespace loyalty::simulator {

using nlohmann::json;

std::string FaultInjector::Configure(const json& settings) {
  if (!settings.is_object()) return "faults must be a JSON object";
  FaultSettings next;
  for (const auto& [key, value] : settings.items()) {
    if (key == "fail_after_apply") {
      if (!value.is_boolean()) return "fail_after_apply must be a boolean";
      next.fail_after_apply = value.get<bool>();
      continue;
    }
    if (key == "drop_path" || key == "latency_path") {
      if (!value.is_string()) return key + " must be a string";
      (key == "drop_path" ? next.drop_path : next.latency_path) = value.get<std::string>();
      continue;
    }
    if (!value.is_number_integer() || value.get<int64_t>() < 0) {
      return key + " must be a non-negative integer";
    }
    const int64_t n = value.get<int64_t>();
    if (key == "latency_ms") {
      next.latency_ms = n;
    } else if (key == "fail_count") {
      next.fail_count = n;
    } else if (key == "fail_status") {
      next.fail_status = static_cast<int>(n);
    } else if (key == "hang_ms") {
      next.hang_ms = n;
    } else if (key == "hang_count") {
      next.hang_count = n;
    } else if (key == "drop_count") {
      next.drop_count = n;
    } else if (key == "pad_bytes") {
      next.pad_bytes = n;
    } else {
      return "unknown fault setting: " + key;
    }
  }
  absl::MutexLock lock(&mutex_);
  settings_ = next;
  return "";
}

json FaultInjector::Describe() const {
  absl::MutexLock lock(&mutex_);
  return json{
      {"latency_ms", settings_.latency_ms},   {"fail_count", settings_.fail_count},
      {"fail_status", settings_.fail_status}, {"hang_ms", settings_.hang_ms},
      {"hang_count", settings_.hang_count},   {"fail_after_apply", settings_.fail_after_apply},
      {"drop_count", settings_.drop_count},   {"drop_path", settings_.drop_path},
      {"pad_bytes", settings_.pad_bytes},     {"latency_path", settings_.latency_path}};
}

int64_t FaultInjector::PadBytes() const {
  absl::MutexLock lock(&mutex_);
  return settings_.pad_bytes;
}

bool FaultInjector::BeforeRequest(const std::string& path, bool& after_apply) {
  int64_t sleep_ms = 0;
  bool fail = false;
  {
    absl::MutexLock lock(&mutex_);
    if (settings_.latency_path.empty() || settings_.latency_path == path) {
      sleep_ms = settings_.latency_ms;
    }
    if (settings_.hang_count > 0) {
      --settings_.hang_count;
      sleep_ms += settings_.hang_ms;
    }
    if (settings_.fail_count > 0) {
      --settings_.fail_count;
      fail = true;
      after_apply = settings_.fail_after_apply;
    }
  }
  if (sleep_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
  return fail;
}

bool FaultInjector::TakeDrop(const std::string& path) {
  absl::MutexLock lock(&mutex_);
  if (settings_.drop_count == 0) return false;
  if (!settings_.drop_path.empty() && settings_.drop_path != path) return false;
  --settings_.drop_count;
  return true;
}

void FaultInjector::CountRequest(const std::string& path) {
  absl::MutexLock lock(&mutex_);
  ++requests_[path];
}

json FaultInjector::RequestCounts() const {
  absl::MutexLock lock(&mutex_);
  json counts = json::object();
  for (const auto& [path, count] : requests_) counts[path] = count;
  return counts;
}

namespace {

int PortOf(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
  }
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
  }
  return -1;
}

}  // namespace

void DropConnection(const httplib::Request& request) {
  // cpp-httplib does not hand the socket to handlers: find it by its ports.
  DIR* fds = opendir("/proc/self/fd");
  if (fds == nullptr) return;
  while (dirent* entry = readdir(fds)) {
    const int fd = std::atoi(entry->d_name);
    if (fd <= 2) continue;
    sockaddr_storage local{}, peer{};
    socklen_t local_size = sizeof(local), peer_size = sizeof(peer);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_size) != 0) continue;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_size) != 0) continue;
    if (PortOf(local) == request.local_port && PortOf(peer) == request.remote_port) {
      shutdown(fd, SHUT_RDWR);
    }
  }
  closedir(fds);
}

void ReplyJson(httplib::Response& response, int status, const json& body) {
  response.status = status;
  response.set_content(body.dump(), "application/json");
}

void AnswerWithFaults(FaultInjector& faults, const httplib::Request& request,
                      httplib::Response& response, const std::function<Reply()>& apply) {
  faults.CountRequest(request.path);
  bool fail_after_apply = false;
  const bool fail = faults.BeforeRequest(request.path, fail_after_apply);
  const int fail_status = fail ? faults.Describe()["fail_status"].get<int>() : 0;
  if (fail && !fail_after_apply) {
    ReplyJson(response, fail_status, json{{"error", "injected"}});
    return;
  }
  Reply reply = apply();
  if (faults.TakeDrop(request.path)) {
    DropConnection(request);
    return;
  }
  if (fail) {
    ReplyJson(response, fail_status, json{{"error", "injected"}});
    return;
  }
  ReplyJson(response, reply.status, reply.body);
  if (const int64_t pad = faults.PadBytes(); pad > 0) {
    response.body.append(static_cast<size_t>(pad), ' ');
  }
}

void RegisterFaultRoutes(httplib::Server& server, FaultInjector& faults) {
  server.Post("/__sim/faults", [&faults](const httplib::Request& req, httplib::Response& res) {
    json settings = json::parse(req.body, nullptr, false);
    const std::string error = faults.Configure(settings);
    if (!error.empty()) {
      ReplyJson(res, 400, json{{"error", error}});
      return;
    }
    ReplyJson(res, 200, faults.Describe());
  });
  server.Get("/__sim/faults", [&faults](const httplib::Request&, httplib::Response& res) {
    ReplyJson(res, 200, faults.Describe());
  });
  server.Get("/__sim/requests", [&faults](const httplib::Request&, httplib::Response& res) {
    ReplyJson(res, 200, faults.RequestCounts());
  });
}

}  // namespace loyalty::simulator
