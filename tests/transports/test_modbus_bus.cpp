#include "transports/modbus_bus_registry.hpp"

#include "tests/support/tcp_test_server.hpp"
#include "tests/support/wait.hpp"
#include "tests/transports/modbus_test_server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using roomd::Duration;
using roomd::ModbusRtuConfig;
using roomd::ModbusTcpConfig;
using roomd::SerialPortSpec;
using roomd::UsbIdentity;
using roomd::modbus::Bus;
using roomd::modbus::BusRegistry;
using roomd::modbus::Request;
using roomd::modbus::Result;
using roomd::modbus::SlaveHealth;
using roomd::modbus::Table;
using roomd::test::ModbusTestServer;
using roomd::test::run_until;

namespace {

constexpr Duration kTimeout{100};

ModbusTcpConfig tcp_config(std::uint16_t port) {
  ModbusTcpConfig config;
  config.host = "127.0.0.1";
  config.port = port;
  config.bus.timeout = kTimeout;
  return config;
}

std::string bus_name(const ModbusTestServer& server) {
  return "modbus tcp 127.0.0.1:" + std::to_string(server.port());
}

Request read(int unit, Table table, std::uint16_t address, std::uint16_t count = 1,
             bool poll = false) {
  Request request;
  request.unit = unit;
  request.table = table;
  request.address = address;
  request.count = count;
  request.poll = poll;
  return request;
}

Request poll(int unit, std::uint16_t address = 0) {
  return read(unit, Table::holding_register, address, 1, true);
}

Request write_registers(int unit, Table table, std::uint16_t address,
                        std::vector<std::uint16_t> values) {
  Request request;
  request.unit = unit;
  request.table = table;
  request.address = address;
  request.write = true;
  request.registers = std::move(values);
  request.count = static_cast<std::uint16_t>(request.registers.size());
  return request;
}

Request write_coils(int unit, std::uint16_t address, std::vector<std::uint8_t> values) {
  Request request;
  request.unit = unit;
  request.table = Table::coil;
  request.address = address;
  request.write = true;
  request.bits = std::move(values);
  request.count = static_cast<std::uint16_t>(request.bits.size());
  return request;
}

// Submits one request and runs the loop until its result is back.
Result transact(boost::asio::io_context& io, Bus& bus, Request request) {
  std::optional<Result> result;
  bus.submit(std::move(request), io.get_executor(), [&](Result r) { result = std::move(r); });
  REQUIRE(run_until(
      io, [&] { return result.has_value(); }, 5s));
  return *result;
}

// Polls one unit the way a driver does: the next poll a little after each result.
class Poller {
 public:
  Poller(boost::asio::io_context& io, Bus& bus, int unit, Duration every)
      : io_(io), bus_(bus), unit_(unit), every_(every), timer_(io) {}

  void start() { submit(); }
  void stop() { stopped_ = true; }

  int ok = 0;
  int failed = 0;
  std::optional<Result> last;
  std::vector<std::string> errors;

 private:
  void submit() {
    bus_.submit(poll(unit_), io_.get_executor(), [this](Result result) { on_result(result); });
  }

  void on_result(const Result& result) {
    if (stopped_) return;
    (result.ok ? ok : failed) += 1;
    if (!result.ok) errors.push_back(result.error);
    last = result;
    timer_.expires_after(every_);
    timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec && !stopped_) submit();
    });
  }

  boost::asio::io_context& io_;
  Bus& bus_;
  int unit_;
  Duration every_;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;
};

}  // namespace

TEST_CASE("modbus bus: reads every table", "[modbus_bus]") {
  boost::asio::io_context io;
  ModbusTestServer server;
  server.add_unit(1);
  server.start();
  server.set_value(1, Table::coil, 3, 1);
  server.set_value(1, Table::coil, 5, 1);
  server.set_value(1, Table::discrete_input, 0, 1);
  server.set_value(1, Table::holding_register, 10, 111);
  server.set_value(1, Table::holding_register, 11, 222);
  server.set_value(1, Table::input_register, 5, 0xBEEF);
  BusRegistry registry(nullptr);
  auto bus = registry.tcp(tcp_config(server.port()));
  CHECK_FALSE(bus->connected());  // lazily, on the first request

  auto coils = transact(io, *bus, read(1, Table::coil, 3, 3));
  REQUIRE(coils.ok);
  CHECK(coils.bits == std::vector<std::uint8_t>{1, 0, 1});
  CHECK(server.last_function(1) == 0x01);
  CHECK(bus->connected());

  auto inputs = transact(io, *bus, read(1, Table::discrete_input, 0, 2));
  REQUIRE(inputs.ok);
  CHECK(inputs.bits == std::vector<std::uint8_t>{1, 0});
  CHECK(server.last_function(1) == 0x02);

  auto holding = transact(io, *bus, read(1, Table::holding_register, 10, 2));
  REQUIRE(holding.ok);
  CHECK(holding.registers == std::vector<std::uint16_t>{111, 222});
  CHECK(server.last_function(1) == 0x03);

  auto input = transact(io, *bus, read(1, Table::input_register, 5));
  REQUIRE(input.ok);
  CHECK(input.registers == std::vector<std::uint16_t>{0xBEEF});
  CHECK(server.last_function(1) == 0x04);
  CHECK(input.error.empty());
  CHECK(bus->health(1) == SlaveHealth::ok);
}

TEST_CASE("modbus bus: writes one or several values with the matching function code",
          "[modbus_bus]") {
  boost::asio::io_context io;
  ModbusTestServer server;
  server.add_unit(2);
  server.start();
  BusRegistry registry(nullptr);
  auto bus = registry.tcp(tcp_config(server.port()));

  REQUIRE(transact(io, *bus, write_registers(2, Table::holding_register, 4, {1234})).ok);
  CHECK(server.last_function(2) == 0x06);
  CHECK(server.value(2, Table::holding_register, 4) == 1234);

  REQUIRE(transact(io, *bus, write_registers(2, Table::holding_register, 20, {7, 8, 9})).ok);
  CHECK(server.last_function(2) == 0x10);
  CHECK(server.value(2, Table::holding_register, 20) == 7);
  CHECK(server.value(2, Table::holding_register, 21) == 8);
  CHECK(server.value(2, Table::holding_register, 22) == 9);

  REQUIRE(transact(io, *bus, write_coils(2, 6, {1})).ok);
  CHECK(server.last_function(2) == 0x05);
  CHECK(server.value(2, Table::coil, 6) == 1);

  REQUIRE(transact(io, *bus, write_coils(2, 30, {1, 0, 1, 1})).ok);
  CHECK(server.last_function(2) == 0x0F);
  CHECK(server.value(2, Table::coil, 30) == 1);
  CHECK(server.value(2, Table::coil, 31) == 0);
  CHECK(server.value(2, Table::coil, 32) == 1);
  CHECK(server.value(2, Table::coil, 33) == 1);
}

TEST_CASE("modbus bus: writes to read-only tables fail without touching the bus", "[modbus_bus]") {
  boost::asio::io_context io;
  ModbusTestServer server;
  server.add_unit(1);
  server.start();
  BusRegistry registry(nullptr);
  auto bus = registry.tcp(tcp_config(server.port()));

  auto input = transact(io, *bus, write_registers(1, Table::input_register, 7, {1}));
  CHECK_FALSE(input.ok);
  CHECK(input.error == bus_name(server) +
                           " unit 1: cannot write input register 7: input registers are "
                           "read-only; only coils and holding registers can be written");
  Request discrete = write_coils(1, 2, {1});
  discrete.table = Table::discrete_input;
  auto bits = transact(io, *bus, discrete);
  CHECK(bits.error == bus_name(server) +
                          " unit 1: cannot write discrete input 2: discrete inputs are "
                          "read-only; only coils and holding registers can be written");
  auto empty = transact(io, *bus, write_registers(1, Table::holding_register, 7, {}));
  CHECK(empty.error == bus_name(server) + " unit 1: nothing to write to holding register 7");
  CHECK(server.requests(1) == 0);
  CHECK_FALSE(bus->connected());
}

TEST_CASE("modbus bus: exception replies and timeouts give clear errors", "[modbus_bus]") {
  boost::asio::io_context io;
  ModbusTestServer server;
  server.add_unit(1);
  server.add_unit(3);
  server.set_exception(3, 2);
  server.start();
  BusRegistry registry(nullptr);
  auto bus = registry.tcp(tcp_config(server.port()));

  auto exception = transact(io, *bus, read(3, Table::input_register, 7));
  CHECK_FALSE(exception.ok);
  CHECK_FALSE(exception.timeout);
  CHECK(exception.exception == 2);
  CHECK(exception.error == bus_name(server) +
                               " unit 3: illegal data address (exception 2) reading input "
                               "register 7 (count 1); check the register map");

  // Past the end of the server's map: its own exception 2.
  auto past_end = transact(io, *bus, read(1, Table::holding_register, 200, 1));
  CHECK(past_end.exception == 2);
  CHECK(past_end.error == bus_name(server) +
                              " unit 1: illegal data address (exception 2) reading holding "
                              "register 200 (count 1); check the register map");

  server.set_dead(3, true);
  auto timeout = transact(io, *bus, read(3, Table::input_register, 1, 2));
  CHECK_FALSE(timeout.ok);
  CHECK(timeout.timeout);
  CHECK(timeout.exception == 0);
  CHECK(timeout.error ==
        bus_name(server) + " unit 3: no answer within 100ms reading input register 1 (count 2)");

  // The bus goes on with the next request.
  CHECK(transact(io, *bus, read(1, Table::holding_register, 0)).ok);
  CHECK(bus->connected());
}

TEST_CASE("modbus bus: exec and writes go before queued polls", "[modbus_bus]") {
  boost::asio::io_context io;
  ModbusTestServer server;
  server.add_unit(1);
  server.set_delay(1, 5ms);  // so the queue is still full when the exec arrives
  server.start();
  BusRegistry registry(nullptr);
  auto bus = registry.tcp(tcp_config(server.port()));

  std::vector<std::uint16_t> done;  // addresses in the order their results came back
  for (std::uint16_t i = 0; i < 10; ++i) {
    bus->submit(poll(1, i), io.get_executor(), [&, i](Result r) {
      CHECK(r.ok);
      done.push_back(i);
    });
  }
  bus->submit(read(1, Table::holding_register, 50), io.get_executor(), [&](Result r) {
    CHECK(r.ok);
    done.push_back(50);
  });
  REQUIRE(run_until(
      io, [&] { return done.size() == 11; }, 5s));
  // At most the poll already on the wire finishes first.
  const auto exec_at = std::find(done.begin(), done.end(), 50) - done.begin();
  CHECK(exec_at <= 1);
  done.erase(done.begin() + exec_at);
  CHECK(std::is_sorted(done.begin(), done.end()));  // polls stay first in, first out
}

TEST_CASE("modbus bus: a gap of quiet time separates transactions", "[modbus_bus]") {
  boost::asio::io_context io;
  ModbusTestServer server;
  server.add_unit(1);
  server.start();
  BusRegistry registry(nullptr);
  auto config = tcp_config(server.port());
  config.bus.gap = Duration{40};
  auto bus = registry.tcp(config);

  int done = 0;
  for (int i = 0; i < 4; ++i) {
    bus->submit(poll(1), io.get_executor(), [&](Result r) {
      CHECK(r.ok);
      ++done;
    });
  }
  REQUIRE(run_until(
      io, [&] { return done == 4; }, 5s));
  auto arrivals = server.arrivals();
  REQUIRE(arrivals.size() == 4);
  for (std::size_t i = 1; i < arrivals.size(); ++i) {
    CHECK(arrivals[i] - arrivals[i - 1] >= 40ms);
  }
}

TEST_CASE("modbus bus: a dead unit trips its breaker while the live ones keep their rate",
          "[modbus_bus]") {
  boost::asio::io_context io;
  ModbusTestServer server;
  for (int unit : {1, 2, 3, 4}) server.add_unit(unit);
  server.set_dead(4, true);
  server.start();
  BusRegistry registry(nullptr);
  auto config = tcp_config(server.port());
  config.bus.breaker_after = 2;
  config.bus.breaker_retry = Duration{300};
  auto bus = registry.tcp(config);

  std::vector<std::unique_ptr<Poller>> pollers;
  for (int unit : {1, 2, 3, 4}) {
    pollers.push_back(std::make_unique<Poller>(io, *bus, unit, Duration{10}));
    pollers.back()->start();
  }
  const auto start = std::chrono::steady_clock::now();
  const auto window = 1500ms;
  run_until(
      io, [&] { return std::chrono::steady_clock::now() - start >= window; }, 3s);

  CHECK(bus->health(4) == SlaveHealth::tripped);
  // Two timeouts to trip, then about one probe per 300 ms.
  const auto dead_requests = server.requests(4);
  CHECK(dead_requests >= 3);
  CHECK(dead_requests <= static_cast<std::uint64_t>(2 + window / 300ms));
  const std::string tripped =
      bus_name(server) + " unit 4 is not answering; polled every 300ms until it answers";
  CHECK(std::count(pollers[3]->errors.begin(), pollers[3]->errors.end(), tripped) > 10);
  for (int i = 0; i < 3; ++i) {
    INFO("unit " << i + 1);
    CHECK(pollers[i]->failed == 0);
    // Unhindered they would manage ~100 in the window; the dead unit's few timeouts cost
    // about a third of it.
    CHECK(pollers[i]->ok >= 30);
    CHECK(bus->health(i + 1) == SlaveHealth::ok);
  }

  // It comes back: the next probe gets an answer and the breaker closes.
  server.set_dead(4, false);
  const int ok_before = pollers[3]->ok;
  CHECK(run_until(
      io, [&] { return pollers[3]->ok > ok_before && bus->health(4) == SlaveHealth::ok; }, 2s));
  for (auto& poller : pollers) poller->stop();
}

TEST_CASE("modbus bus: not connected while the server is down, reconnects when it is back",
          "[modbus_bus]") {
  boost::asio::io_context io;
  auto server = std::make_unique<ModbusTestServer>();
  server->add_unit(1);
  server->start();
  const auto port = server->port();
  const std::string name = "modbus tcp 127.0.0.1:" + std::to_string(port);
  BusRegistry registry(nullptr);
  auto bus = registry.tcp(tcp_config(port));
  REQUIRE(transact(io, *bus, poll(1)).ok);
  REQUIRE(bus->connected());

  server->stop();
  Poller poller(io, *bus, 1, Duration{20});
  poller.start();
  const std::string refused =
      name + ": not connected (connection refused); check the device's network and port";
  REQUIRE(run_until(
      io, [&] { return poller.last && poller.last->error == refused; }, 3s));
  CHECK_FALSE(bus->connected());
  // The first request after the server went away saw the link drop.
  CHECK(poller.errors.front() ==
        name +
            " unit 1: connection lost (connection reset by peer) reading holding register 0 "
            "(count 1); reconnecting");

  server = std::make_unique<ModbusTestServer>(port);
  server->add_unit(1);
  server->start();
  // The first retry comes 1 s after the failed connect.
  CHECK(run_until(
      io, [&] { return poller.last && poller.last->ok; }, 4s));
  CHECK(bus->connected());
  poller.stop();
}

TEST_CASE("modbus bus: stop() fails queued requests and joins promptly", "[modbus_bus]") {
  boost::asio::io_context io;
  ModbusTestServer server;
  server.add_unit(1);
  server.start();
  BusRegistry registry(nullptr);
  auto config = tcp_config(server.port());
  config.bus.timeout = Duration{200};
  auto bus = registry.tcp(config);

  std::vector<Result> results;
  auto collect = [&](Result r) { results.push_back(std::move(r)); };
  bus->submit(read(9, Table::holding_register, 0), io.get_executor(), collect);  // never answered
  REQUIRE(run_until(
      io, [&] { return server.requests(9) == 1; }, 2s));
  for (int i = 0; i < 5; ++i) bus->submit(poll(1), io.get_executor(), collect);

  const auto before = std::chrono::steady_clock::now();
  bus->stop();
  CHECK(std::chrono::steady_clock::now() - before < 1s);  // at most the one in flight
  CHECK_FALSE(bus->connected());
  bus->submit(poll(1), io.get_executor(), collect);  // after stop: fails at once

  REQUIRE(run_until(
      io, [&] { return results.size() == 7; }, 2s));
  CHECK(results[0].timeout);
  for (std::size_t i = 1; i < results.size(); ++i) {
    CHECK_FALSE(results[i].ok);
    CHECK(results[i].error ==
          bus_name(server) + " unit 1: bus stopped before reading holding register 0 (count 1)");
  }
  CHECK(server.requests(1) == 0);
}

TEST_CASE("modbus bus: results reach each caller on its own strand, in order", "[modbus_bus]") {
  boost::asio::io_context io;
  ModbusTestServer server;
  server.add_unit(1);
  for (std::uint16_t i = 0; i < 40; ++i) {
    server.set_value(1, Table::holding_register, i, static_cast<std::uint16_t>(1000 + i));
  }
  server.start();
  BusRegistry registry(nullptr);
  auto bus = registry.tcp(tcp_config(server.port()));

  // Two callers, each on a strand of a loop that two threads run, with many requests in
  // flight: results may be handed over several at a time, never outside the caller's strand.
  struct Caller {
    boost::asio::strand<boost::asio::io_context::executor_type> strand;
    std::vector<std::uint16_t> values;  // touched only on `strand`
    bool off_strand = false;
  };
  std::vector<Caller> callers;
  for (int c = 0; c < 2; ++c) callers.push_back({boost::asio::make_strand(io), {}, false});
  std::atomic<int> done{0};
  for (std::uint16_t i = 0; i < 40; ++i) {
    auto& caller = callers[i % 2];
    bus->submit(read(1, Table::holding_register, i), caller.strand, [&caller, &done](Result r) {
      if (!caller.strand.running_in_this_thread()) caller.off_strand = true;
      caller.values.push_back(r.ok && r.registers.size() == 1 ? r.registers[0] : 0);
      ++done;
    });
  }
  auto work = boost::asio::make_work_guard(io);
  std::thread helper([&] { io.run(); });
  CHECK(roomd::test::wait_until([&] { return done == 40; }, 5s));
  work.reset();
  io.stop();
  helper.join();
  for (int c = 0; c < 2; ++c) {
    CHECK_FALSE(callers[c].off_strand);
    std::vector<std::uint16_t> expected;
    for (int i = c; i < 40; i += 2) expected.push_back(static_cast<std::uint16_t>(1000 + i));
    CHECK(callers[c].values == expected);
  }
}

TEST_CASE("modbus bus: a result handler that throws loses no other result", "[modbus_bus]") {
  boost::asio::io_context io;
  ModbusTestServer server;
  server.add_unit(1);
  server.start();
  BusRegistry registry(nullptr);
  auto bus = registry.tcp(tcp_config(server.port()));

  std::vector<int> done;
  for (int i = 0; i < 3; ++i) {
    bus->submit(poll(1), io.get_executor(), [&done, i](Result r) {
      CHECK(r.ok);
      done.push_back(i);
      if (i == 0) throw std::runtime_error("handler failed");
    });
  }
  // The loop is not run until every answer is in, so the results are handed over together.
  REQUIRE(roomd::test::wait_until([&] { return server.requests(1) == 3; }, 5s));
  CHECK_THROWS_WITH(run_until(
                        io, [&] { return done.size() == 3; }, 5s),
                    "handler failed");
  REQUIRE(run_until(
      io, [&] { return done.size() == 3; }, 5s));
  CHECK(done == std::vector<int>{0, 1, 2});
}

TEST_CASE("modbus bus: the registry shares one bus per host:port or serial port", "[modbus_bus]") {
  boost::asio::io_context io;
  std::vector<std::string> resolved;
  BusRegistry registry([&](const SerialPortSpec& spec) {
    resolved.push_back(spec.path);
    return spec.usb ? std::string() : spec.path;
  });

  ModbusTcpConfig a;
  a.host = "10.0.0.9";
  a.port = 502;
  a.unit = 1;
  ModbusTcpConfig b = a;
  b.unit = 7;
  ModbusTcpConfig c = a;
  c.port = 1502;
  auto bus_a = registry.tcp(a);
  CHECK(registry.tcp(b) == bus_a);
  CHECK(registry.tcp(c) != bus_a);
  CHECK(bus_a->describe() == "modbus tcp 10.0.0.9:502");

  ModbusRtuConfig by_path;
  by_path.port.path = "/dev/ttyUSB0";
  ModbusRtuConfig same_path = by_path;
  same_path.unit = 104;
  ModbusRtuConfig by_usb;
  by_usb.port.usb = UsbIdentity{"0403", "6001", "A1B2"};
  auto rtu = registry.rtu(by_path);
  CHECK(registry.rtu(same_path) == rtu);
  auto usb = registry.rtu(by_usb);
  CHECK(usb != rtu);
  CHECK(rtu->describe() == "modbus rtu /dev/ttyUSB0");
  CHECK(usb->describe() == "modbus rtu usb 0403:6001 serial A1B2");
  CHECK(resolved.empty());  // nothing is opened until a request needs it

  // The adapter is not plugged in: the resolver finds nothing.
  auto missing = transact(io, *usb, read(104, Table::input_register, 3));
  CHECK(missing.error ==
        "modbus rtu usb 0403:6001 serial A1B2: not connected (port not found); check the "
        "adapter is plugged in and the port is right");
  CHECK(resolved.size() == 1);
  ModbusRtuConfig absent;
  absent.port.path = "/dev/roomd-test-no-such-port";
  auto no_device = transact(io, *registry.rtu(absent), read(1, Table::input_register, 3));
  CHECK(no_device.error ==
        "modbus rtu /dev/roomd-test-no-such-port: not connected (no such file or directory); "
        "check the adapter is plugged in and the port is right");

  registry.stop_all();
  CHECK(registry.tcp(a) != bus_a);  // a fresh bus after stop_all()
}

namespace {

// A Modbus TCP device that the test answers by hand, byte for byte.
struct HandAnsweredDevice {
  boost::asio::io_context io;
  roomd::test::TcpTestServer device{io};
  BusRegistry registry{nullptr};
  std::shared_ptr<Bus> bus = registry.tcp(tcp_config(device.port()));
  std::size_t seen = 0;  // request bytes received so far

  // Submits a read, waits for its 12-byte frame, sends `answers` and returns the result
  // (a timeout when nothing answers).
  Result exchange(Request request, const std::vector<std::string>& answers) {
    std::optional<Result> result;
    bus->submit(std::move(request), io.get_executor(), [&](Result r) { result = std::move(r); });
    seen += 12;
    REQUIRE(run_until(
        io, [&] { return device.received().size() == seen; }, 5s));
    for (const auto& answer : answers) device.send(answer);
    REQUIRE(run_until(
        io, [&] { return result.has_value(); }, 5s));
    return *result;
  }
  std::vector<unsigned char> last_frame() const {
    const auto frame = device.received().substr(seen - 12);
    return {frame.begin(), frame.end()};
  }
};

std::string bytes(std::initializer_list<unsigned char> list) {
  return {list.begin(), list.end()};
}

}  // namespace

TEST_CASE("modbus bus: TCP reads are framed by roomd and answers are matched by transaction",
          "[modbus_bus]") {
  HandAnsweredDevice d;
  const auto answer =
      bytes({0x00, 0x01, 0x00, 0x00, 0x00, 0x07, 0x01, 0x04, 0x04, 0x01, 0x31, 0x02, 0x22});
  // An answer for another transaction (a late one, say) is refused, not taken for this one.
  auto other = answer;
  other[1] = 0x07;
  const auto first = d.exchange(read(1, Table::input_register, 1, 2), {other});
  // MBAP (transaction 1, protocol 0, length 6, unit 1), then function 4, address 1, count 2.
  CHECK(d.last_frame() == std::vector<unsigned char>{0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x04,
                                                     0x00, 0x01, 0x00, 0x02});
  CHECK_FALSE(first.ok);
  CHECK(first.error == "modbus tcp 127.0.0.1:" + std::to_string(d.device.port()) +
                           " unit 1: invalid answer (response from another unit or "
                           "transaction) reading input register 1 (count 2)");

  // The next read, answered properly: the spec's 30.5 degC and 54.6 %RH registers.
  auto mine = answer;
  mine[1] = 0x02;
  const auto second = d.exchange(read(1, Table::input_register, 1, 2), {mine});
  CHECK(d.last_frame()[1] == 0x02);
  CHECK(second.ok);
  CHECK(second.registers == std::vector<std::uint16_t>{0x0131, 0x0222});

  // A device that answers with another unit id (some TCP devices do) is accepted.
  const auto third =
      d.exchange(read(5, Table::holding_register, 0, 1),
                 {bytes({0x00, 0x03, 0x00, 0x00, 0x00, 0x05, 0xFF, 0x03, 0x02, 0x00, 0x2A})});
  CHECK(third.ok);
  CHECK(third.registers == std::vector<std::uint16_t>{42});
}

TEST_CASE("modbus bus: a late TCP answer is skipped, not taken for the next request's",
          "[modbus_bus]") {
  HandAnsweredDevice d;
  // Transaction 1 gets no answer in time.
  CHECK(d.exchange(read(1, Table::input_register, 1, 2), {}).timeout);

  // Its answer comes while transaction 2 waits, just before the answer to 2.
  const auto second = d.exchange(
      read(1, Table::input_register, 1, 2),
      {bytes({0x00, 0x01, 0x00, 0x00, 0x00, 0x07, 0x01, 0x04, 0x04, 0x00, 0x01, 0x00, 0x02}),
       bytes({0x00, 0x02, 0x00, 0x00, 0x00, 0x07, 0x01, 0x04, 0x04, 0x01, 0x31, 0x02, 0x22})});
  CHECK(second.ok);
  CHECK(second.registers == std::vector<std::uint16_t>{0x0131, 0x0222});

  // A device that fills the MBAP length wrongly still works, as it did through libmodbus.
  const auto third =
      d.exchange(read(1, Table::holding_register, 0, 1),
                 {bytes({0x00, 0x03, 0x00, 0x00, 0x00, 0x09, 0x01, 0x03, 0x02, 0x00, 0x2A})});
  CHECK(third.ok);
  CHECK(third.registers == std::vector<std::uint16_t>{42});
}
