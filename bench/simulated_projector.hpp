// The benchmarks' projector: a PJLink simulator (powered on, never closing an idle
// connection) on a thread of its own, as a device answers from outside the box.
#pragma once

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <memory>
#include <thread>

namespace roomd::pjlink {
class PjlinkSimulator;
}

namespace roomd::bench {

class SimulatedProjector {
 public:
  SimulatedProjector();  // listening on a free loopback port
  ~SimulatedProjector();
  SimulatedProjector(const SimulatedProjector&) = delete;
  SimulatedProjector& operator=(const SimulatedProjector&) = delete;

  std::uint16_t port() const { return port_; }

 private:
  boost::asio::io_context io_{1};
  std::unique_ptr<pjlink::PjlinkSimulator> simulator_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace roomd::bench
