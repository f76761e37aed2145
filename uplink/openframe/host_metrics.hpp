// The box's own load for OpenFrame's system_status: CPU busy since the previous reading (from
// /proc/stat), memory in use (MemAvailable of /proc/meminfo), the state directory's disk
// use (statvfs) and how long roomd itself has run. Readings never throw: a figure the system
// does not give is reported as 0.
#pragma once

#include <cstdint>
#include <string>

namespace roomd::openframe {

struct HostReading {
  double cpu_usage = 0;     // percent, one decimal
  double memory_usage = 0;  // percent
  double disk_usage = 0;    // percent, as df counts it (space reserved for root excluded)
  std::int64_t uptime_s = 0;
};

class HostMetrics {
 public:
  // CPU over the time since the previous call (since boot on the first); the disk figure is
  // of the file system holding `disk_path` (the state dir).
  HostReading read(const std::string& disk_path);

 private:
  std::uint64_t busy_ = 0;  // jiffies at the previous reading
  std::uint64_t total_ = 0;
  double cpu_usage_ = 0;
};

}  // namespace roomd::openframe
