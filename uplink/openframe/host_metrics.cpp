#include "uplink/openframe/host_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string_view>

#include <sys/statvfs.h>
#include <unistd.h>

namespace roomd::openframe {

namespace {

double percent(double part, double whole) {
  if (whole <= 0) return 0;
  return std::round(1000.0 * part / whole) / 10.0;
}

// The aggregate "cpu" line: user nice system idle iowait irq softirq steal (guest time is
// already inside user and nice).
bool read_cpu(std::uint64_t& busy, std::uint64_t& total) {
  std::ifstream in("/proc/stat");
  std::string label;
  if (!(in >> label) || label != "cpu") return false;
  std::uint64_t fields[8] = {};
  for (auto& field : fields)
    if (!(in >> field)) return false;
  total = 0;
  for (auto field : fields) total += field;
  busy = total - fields[3] - fields[4];
  return true;
}

double read_memory() {
  std::ifstream in("/proc/meminfo");
  std::string name;
  std::uint64_t value = 0, total = 0, available = 0;
  std::string unit;
  while (in >> name >> value) {
    std::getline(in, unit);
    if (name == "MemTotal:") total = value;
    if (name == "MemAvailable:") available = value;
  }
  if (total == 0 || available > total) return 0;
  return percent(static_cast<double>(total - available), static_cast<double>(total));
}

double read_disk(const std::string& path) {
  struct statvfs fs {};
  if (statvfs(path.c_str(), &fs) != 0) return 0;
  const double used = static_cast<double>(fs.f_blocks - fs.f_bfree);
  return percent(used, used + static_cast<double>(fs.f_bavail));
}

// Seconds since this process started: /proc/uptime less the process's start time (field 22 of
// /proc/self/stat, in clock ticks since boot).
std::int64_t read_uptime() {
  double since_boot = 0;
  if (!(std::ifstream("/proc/uptime") >> since_boot)) return 0;
  std::ifstream in("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto end_of_name = stat.rfind(')');  // the command name may hold spaces
  if (end_of_name == std::string::npos) return 0;
  std::istringstream fields(stat.substr(end_of_name + 1));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i < 22) continue;
    const long ticks = sysconf(_SC_CLK_TCK);
    if (ticks <= 0) return 0;
    const double started = std::strtod(field.c_str(), nullptr) / static_cast<double>(ticks);
    return std::max<std::int64_t>(0, static_cast<std::int64_t>(since_boot - started));
  }
  return 0;
}

}  // namespace

HostReading HostMetrics::read(const std::string& disk_path) {
  HostReading reading;
  std::uint64_t busy = 0, total = 0;
  // Two readings within one clock tick: the previous figure still stands.
  if (read_cpu(busy, total) && total > total_ && busy >= busy_) {
    cpu_usage_ = percent(static_cast<double>(busy - busy_), static_cast<double>(total - total_));
    busy_ = busy;
    total_ = total;
  }
  reading.cpu_usage = cpu_usage_;
  reading.memory_usage = read_memory();
  reading.disk_usage = read_disk(disk_path);
  reading.uptime_s = read_uptime();
  return reading;
}

}  // namespace roomd::openframe
