#include "tests/support/fake_modbus_bus.hpp"

#include <boost/asio/post.hpp>

#include <utility>

namespace roomd::test {

void FakeModbusBus::submit(modbus::Request request, boost::asio::any_io_executor executor,
                           std::function<void(modbus::Result)> done) {
  waiting_.push_back({std::move(request), std::move(executor), std::move(done)});
}

void FakeModbusBus::stop() {
  while (!waiting_.empty()) answer(no_answer("the bus stopped"));
}

std::string FakeModbusBus::next_request() const {
  return waiting_.empty() ? std::string() : describe_request(waiting_.front().request);
}

void FakeModbusBus::answer(modbus::Result result) {
  if (waiting_.empty()) return;
  auto next = std::move(waiting_.front());
  waiting_.pop_front();
  boost::asio::post(next.executor,
                    [done = std::move(next.done), result = std::move(result)] { done(result); });
}

std::string describe_request(const modbus::Request& request) {
  auto text = "unit " + std::to_string(request.unit) + (request.write ? " write " : " read ") +
              std::string(modbus::to_string(request.table)) + " " + std::to_string(request.address);
  if (!request.write) return text + " x" + std::to_string(request.count);
  std::string values;
  for (auto word : request.registers) values += (values.empty() ? "" : " ") + std::to_string(word);
  for (auto bit : request.bits) values += (values.empty() ? "" : " ") + std::to_string(bit);
  return text + " [" + values + "]";
}

modbus::Result registers_read(std::vector<std::uint16_t> registers) {
  modbus::Result result;
  result.ok = true;
  result.registers = std::move(registers);
  return result;
}

modbus::Result bits_read(std::vector<std::uint8_t> bits) {
  modbus::Result result;
  result.ok = true;
  result.bits = std::move(bits);
  return result;
}

modbus::Result write_done() {
  modbus::Result result;
  result.ok = true;
  return result;
}

modbus::Result slave_exception(int code, std::string error) {
  modbus::Result result;
  result.exception = code;
  result.error = std::move(error);
  return result;
}

modbus::Result no_answer(std::string error) {
  modbus::Result result;
  result.timeout = true;
  result.error = std::move(error);
  return result;
}

}  // namespace roomd::test
