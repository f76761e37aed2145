// An in-memory Modbus bus for driver tests: the test plays every slave on it, reading each
// request the module submits (as one line of text) and answering it, with no serial port, no
// socket and no timing.
#pragma once

#include "transports/modbus_bus.hpp"

#include <deque>
#include <string>

namespace roomd::test {

class FakeModbusBus final : public modbus::Bus {
 public:
  void submit(modbus::Request request, boost::asio::any_io_executor executor,
              std::function<void(modbus::Result)> done) override;
  bool connected() const override { return connected_; }
  modbus::SlaveHealth health(int) const override { return modbus::SlaveHealth::ok; }
  std::string describe() const override { return "fake modbus bus"; }
  void stop() override;  // fails what is still waiting

  // The oldest unanswered request, as describe_request() writes it; empty when none waits.
  std::string next_request() const;
  std::size_t waiting() const { return waiting_.size(); }
  // Answers the oldest request; its module sees the result posted to its executor.
  void answer(modbus::Result result);

  bool connected_ = true;

 private:
  struct Waiting {
    modbus::Request request;
    boost::asio::any_io_executor executor;
    std::function<void(modbus::Result)> done;
  };
  std::deque<Waiting> waiting_;
};

// "unit 1 read input 1 x2", "unit 3 write holding 16 [250]", "unit 1 write coil 0 [1]".
std::string describe_request(const modbus::Request& request);

// What a slave answers: registers or bits read, a write acknowledged, an exception, silence.
modbus::Result registers_read(std::vector<std::uint16_t> registers);
modbus::Result bits_read(std::vector<std::uint8_t> bits);
modbus::Result write_done();
modbus::Result slave_exception(int code, std::string error);
modbus::Result no_answer(std::string error);

}  // namespace roomd::test
