// A loopback TCP port the kernel considers free right now, for a child process (a broker,
// roomd itself) that must be told its port. Something else may take it before the child binds
// it: callers that can tell (the child exits at once) pick again.
#pragma once

namespace roomd::test {

int free_loopback_port();

}  // namespace roomd::test
