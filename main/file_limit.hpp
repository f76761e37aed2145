// The open-file limit of the roomd process. systemd starts services with a soft limit of 1024
// and a much higher hard limit; every API connection, device link and database handle is a
// file, so roomd raises the soft limit to the hard one at start.
#pragma once

#include <cstdint>
#include <string>

namespace roomd {

struct FileLimit {
  std::uint64_t before = 0;
  std::uint64_t now = 0;
  std::string error;  // why it could not be raised; empty when it was (or already was) raised
};

FileLimit raise_file_limit();

}  // namespace roomd
