#include "bench/simulated_projector.hpp"

#include "drivers/pjlink/pjlink_simulator.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

namespace roomd::bench {

SimulatedProjector::SimulatedProjector() {
  pjlink::SimulatorOptions options;
  options.powered_on = true;
  options.idle_timeout = std::chrono::milliseconds(0);
  simulator_ = std::make_unique<pjlink::PjlinkSimulator>(io_.get_executor(), options);
  port_ = simulator_->start();
  thread_ = std::thread([this] {
    auto guard = boost::asio::make_work_guard(io_);
    io_.run();
  });
}

SimulatedProjector::~SimulatedProjector() {
  boost::asio::post(io_, [this] {
    simulator_->stop();
    io_.stop();
  });
  thread_.join();
}

}  // namespace roomd::bench
