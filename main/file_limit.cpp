#include "main/file_limit.hpp"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>

namespace roomd {

FileLimit raise_file_limit() {
  FileLimit result;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    result.error = std::strerror(errno);
    return result;
  }
  result.before = result.now = limit.rlim_cur;
  if (limit.rlim_cur == limit.rlim_max) return result;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    result.error = std::strerror(errno);
    return result;
  }
  result.now = limit.rlim_cur;
  return result;
}

}  // namespace roomd
