#include "broker/metrics/process_collector.h"

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace loyalty::broker {
namespace {

prometheus::MetricFamily Single(const char* name, const char* help, prometheus::MetricType type,
                                double value) {
  prometheus::MetricFamily family;
  family.name = name;
  family.help = help;
  family.type = type;
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family.metric.push_back(metric);
  return family;
}

int OpenFds() {
  int count = 0;
  if (DIR* dir = opendir("/proc/self/fd")) {
    while (const dirent* entry = readdir(dir)) {
      if (entry->d_name[0] != '.') ++count;
    }
    closedir(dir);
    --count;  // the directory stream's own descriptor
  }
  return count;
}

// Seconds since the epoch the machine booted (btime in /proc/stat).
double BootTime() {
  std::ifstream stat("/proc/stat");
  std::string key;
  double value = 0;
  while (stat >> key) {
    if (key == "btime" && stat >> value) return value;
    stat.ignore(1 << 20, '\n');
  }
  return 0;
}

}  // namespace

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  std::vector<prometheus::MetricFamily> families;
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  // Fields after the command name, which is in parentheses and may hold spaces.
  const size_t after = stat.rfind(')');
  if (after != std::string::npos) {
    std::istringstream fields(stat.substr(after + 2));
    std::vector<std::string> f;
    for (std::string field; fields >> field;) f.push_back(field);
    // Numbering of proc(5): state is field 3, so f[i] is field i + 3.
    if (f.size() > 21) {
      const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
      const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
      families.push_back(
          Single("process_cpu_seconds_total", "User and system CPU time spent, in seconds.",
                 prometheus::MetricType::Counter, (std::stod(f[11]) + std::stod(f[12])) / ticks));
      families.push_back(Single(
          "process_start_time_seconds", "Start time of the process since the epoch, in seconds.",
          prometheus::MetricType::Gauge, BootTime() + std::stod(f[19]) / ticks));
      families.push_back(Single("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                                prometheus::MetricType::Gauge, std::stod(f[20])));
      families.push_back(Single("process_resident_memory_bytes", "Resident memory size in bytes.",
                                prometheus::MetricType::Gauge, std::stod(f[21]) * page));
    }
  }
  families.push_back(Single("process_open_fds", "Open file descriptors.",
                            prometheus::MetricType::Gauge, OpenFds()));
  prometheus::MetricFamily build = Single("loyalty_build_info", "The running build: always 1.",
                                          prometheus::MetricType::Gauge, 1);
  build.metric[0].label.push_back({"version", version_});
  families.push_back(build);
  return families;
}

}  // namespace loyalty::broker
