// The Modbus simulator as a plain libmodbus client sees it, over TCP and over RTU on its
// pseudo-terminal: several units, writes, dead units, exceptions, slow answers, drifting values,
// and a stop() that is prompt and leaves no descriptor behind.
#include "drivers/modbus_sensor/modbus_simulator.hpp"
#include "tests/support/wait.hpp"
#include "transports/modbus_frame.hpp"

#include <fcntl.h>
#include <modbus.h>
#include <poll.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <set>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using roomd::modbus::Simulator;
using roomd::modbus::Table;
using roomd::test::wait_until;

namespace {

using Clock = std::chrono::steady_clock;
using Words = std::vector<std::uint16_t>;
using Bytes = std::vector<std::uint8_t>;

std::size_t open_fds() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    ++n;
  }
  return n;
}

// One libmodbus client connection, as roomd's bus would hold it.
class Client {
 public:
  Client(const Simulator& sim, bool rtu, int unit, std::chrono::milliseconds timeout = 1s) {
    ctx_ = rtu ? modbus_new_rtu(sim.device_path().c_str(), 9600, 'N', 8, 1)
               : modbus_new_tcp("127.0.0.1", sim.port());
    // No Catch assertions here: clients also run on helper threads, and Catch is not
    // thread-safe. Reads on a client that failed to connect fail.
    if (ctx_ == nullptr) return;
    modbus_set_slave(ctx_, unit);
    set_timeout(timeout);
    connected_ = modbus_connect(ctx_) == 0;
  }
  ~Client() {
    if (ctx_ == nullptr) return;
    modbus_close(ctx_);
    modbus_free(ctx_);
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }
  void set_unit(int unit) { modbus_set_slave(ctx_, unit); }
  void set_timeout(std::chrono::milliseconds timeout) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count();
    modbus_set_response_timeout(ctx_, static_cast<std::uint32_t>(us / 1'000'000),
                                static_cast<std::uint32_t>(us % 1'000'000));
  }

  struct Read {
    bool ok = false;
    int error = 0;  // errno on failure
    Words registers;
  };
  Read read_input(int address, int count) { return read(address, count, true); }
  Read read_holding(int address, int count) { return read(address, count, false); }
  bool write_holding(int address, std::uint16_t value) {
    return connected_ && modbus_write_register(ctx_, address, value) == 1;
  }
  bool write_coil(int address, bool on) {
    return connected_ && modbus_write_bit(ctx_, address, on) == 1;
  }
  std::vector<std::uint8_t> read_coils(int address, int count) {
    std::vector<std::uint8_t> bits(static_cast<std::size_t>(count));
    if (!connected_ || modbus_read_bits(ctx_, address, count, bits.data()) != count) return {};
    return bits;
  }

 private:
  Read read(int address, int count, bool input) {
    Read r;
    if (!connected_) {
      r.error = ENOTCONN;
      return r;
    }
    r.registers.resize(static_cast<std::size_t>(count));
    const int rc = input ? modbus_read_input_registers(ctx_, address, count, r.registers.data())
                         : modbus_read_registers(ctx_, address, count, r.registers.data());
    r.ok = rc == count;
    if (!r.ok) {
      r.error = errno;
      r.registers.clear();
    }
    return r;
  }

  modbus_t* ctx_ = nullptr;
  bool connected_ = false;
};

Simulator::Options options_for(bool rtu) {
  Simulator::Options o;
  o.rtu = rtu;
  return o;
}

// Three sensors: an XY-MD02 at 1 (30.5 C, 54.6 %RH), a second one at 2 and an S8 at 104.
void add_sensors(Simulator& sim) {
  sim.add_unit(1);
  sim.set_value(1, Table::input_register, 1, 305);
  sim.set_value(1, Table::input_register, 2, 546);
  sim.add_unit(2);
  sim.set_value(2, Table::input_register, 1, 0xFFC9);  // -5.5 C
  sim.set_value(2, Table::input_register, 2, 401);
  sim.add_unit(104);
  sim.set_value(104, Table::input_register, 3, 904);
}

}  // namespace

TEST_CASE("modbus simulator serves several units to a libmodbus client", "[modbus]") {
  const bool rtu = GENERATE(false, true);
  INFO((rtu ? "rtu" : "tcp"));
  Simulator sim(options_for(rtu));
  add_sensors(sim);
  sim.start();
  if (rtu) {
    CHECK(sim.port() == 0);
    CHECK(sim.device_path().rfind("/dev/pts/", 0) == 0);
  } else {
    CHECK(sim.port() != 0);
    CHECK(sim.device_path().empty());
  }

  Client client(sim, rtu, 1);
  REQUIRE(client.connected());
  auto r = client.read_input(1, 2);
  REQUIRE(r.ok);
  CHECK(r.registers == Words{305, 546});

  client.set_unit(2);
  r = client.read_input(1, 2);
  REQUIRE(r.ok);
  CHECK(r.registers == Words{0xFFC9, 401});

  client.set_unit(104);
  r = client.read_input(3, 1);
  REQUIRE(r.ok);
  CHECK(r.registers == Words{904});
  // Unset registers read as 0, anywhere in the map.
  r = client.read_input(60000, 3);
  REQUIRE(r.ok);
  CHECK(r.registers == Words{0, 0, 0});

  // Writes land in the unit's map, and only there.
  client.set_unit(2);
  CHECK(client.write_holding(10, 1234));
  CHECK(client.write_coil(7, true));
  CHECK(sim.value(2, Table::holding_register, 10) == 1234);
  CHECK(sim.value(2, Table::coil, 7) == 1);
  CHECK(sim.value(1, Table::holding_register, 10) == 0);
  CHECK(client.read_holding(10, 1).registers == Words{1234});
  CHECK(client.read_coils(6, 2) == Bytes{0, 1});

  CHECK(sim.requests(1) == 1);
  CHECK(sim.requests(2) == 5);
  CHECK(sim.requests(104) == 2);
  CHECK(sim.requests(3) == 0);

  // A value changed by the test is what the next read sees.
  sim.set_value(1, Table::input_register, 1, 310);
  client.set_unit(1);
  CHECK(client.read_input(1, 1).registers == Words{310});
}

TEST_CASE("modbus simulator answers the XY-MD02 spec frame byte for byte over RTU", "[modbus]") {
  Simulator sim(options_for(true));
  add_sensors(sim);
  sim.start();
  // The pty is already raw (the simulator's bridge set it up); talk bytes to it directly.
  const int fd = ::open(sim.device_path().c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  auto exchange = [fd](const Bytes& request, std::size_t expect, std::chrono::milliseconds wait) {
    REQUIRE(::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size()));
    Bytes got;
    const auto deadline = Clock::now() + wait;
    while (got.size() < expect && Clock::now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      std::uint8_t buf[64];
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n > 0) got.insert(got.end(), buf, buf + n);
    }
    return got;
  };

  CHECK(exchange({0x01, 0x04, 0x00, 0x01, 0x00, 0x02, 0x20, 0x0B}, 9, 2s) ==
        Bytes{0x01, 0x04, 0x04, 0x01, 0x31, 0x02, 0x22, 0x2A, 0xCE});
  // A request for another unit with a broken CRC is ignored, as a real slave would; the
  // same request intact is answered.
  auto request = roomd::modbus::rtu_request(104, 0x04, 3, 1);
  auto broken = request;
  broken.back() ^= 0xFF;
  CHECK(exchange(broken, 1, 200ms).empty());
  const auto answer = exchange(request, 7, 2s);
  const auto parsed = roomd::modbus::parse_rtu_read_response(answer, 104, 0x04, 1);
  REQUIRE(parsed.ok());
  CHECK(parsed.registers == Words{904});
  ::close(fd);
}

TEST_CASE("modbus simulator serves several TCP clients at once", "[modbus]") {
  Simulator sim(options_for(false));
  add_sensors(sim);
  sim.start();
  std::atomic<int> good{0};
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int unit : {1, 2, 104}) {
    threads.emplace_back([&, unit] {
      Client client(sim, false, unit);
      const int address = unit == 104 ? 3 : 1;
      const auto expected =
          sim.value(unit, Table::input_register, static_cast<std::uint16_t>(address));
      for (int i = 0; i < 50; ++i) {
        const auto r = client.read_input(address, 1);
        (r.ok && r.registers == Words{expected} ? good : bad)++;
      }
    });
  }
  // A slow unit on one connection does not hold up the others.
  sim.add_unit(9);
  sim.set_delay(9, 300ms);
  Client slow(sim, false, 9);
  REQUIRE(slow.connected());
  const auto start = Clock::now();
  CHECK(slow.read_input(0, 1).ok);
  CHECK(Clock::now() - start >= 290ms);
  for (auto& t : threads) t.join();
  CHECK(good == 150);
  CHECK(bad == 0);
  CHECK(sim.requests(1) == 50);
}

TEST_CASE("modbus simulator: dead and absent units do not answer", "[modbus]") {
  const bool rtu = GENERATE(false, true);
  INFO((rtu ? "rtu" : "tcp"));
  Simulator sim(options_for(rtu));
  add_sensors(sim);
  sim.start();
  Client client(sim, rtu, 2, 200ms);
  REQUIRE(client.connected());

  sim.set_dead(2, true);
  auto start = Clock::now();
  auto r = client.read_input(1, 1);
  CHECK_FALSE(r.ok);
  CHECK(r.error == ETIMEDOUT);
  CHECK(Clock::now() - start >= 190ms);
  CHECK(sim.requests(2) == 1);

  // The other units on the bus keep answering.
  client.set_unit(1);
  CHECK(client.read_input(1, 1).registers == Words{305});

  // A unit that was never added is an absent slave.
  client.set_unit(77);
  r = client.read_input(0, 1);
  CHECK_FALSE(r.ok);
  CHECK(r.error == ETIMEDOUT);
  CHECK(sim.requests(77) == 1);

  // Back from the dead.
  sim.set_dead(2, false);
  client.set_unit(2);
  r = client.read_input(2, 1);
  REQUIRE(r.ok);
  CHECK(r.registers == Words{401});
}

TEST_CASE("modbus simulator: exception replies reach the client as Modbus errors", "[modbus]") {
  const bool rtu = GENERATE(false, true);
  INFO((rtu ? "rtu" : "tcp"));
  Simulator sim(options_for(rtu));
  add_sensors(sim);
  sim.start();
  Client client(sim, rtu, 104, 500ms);
  REQUIRE(client.connected());

  sim.set_exception(104, 2);
  auto r = client.read_input(3, 1);
  CHECK_FALSE(r.ok);
  CHECK(r.error == EMBXILADD);

  sim.set_exception(104, 6);
  r = client.read_input(3, 1);
  CHECK_FALSE(r.ok);
  CHECK(r.error == EMBXSBUSY);

  sim.set_exception(104, 0);
  CHECK(client.read_input(3, 1).registers == Words{904});
  // Beyond the end of the map is libmodbus's own illegal data address.
  r = client.read_input(65535, 2);
  CHECK_FALSE(r.ok);
  CHECK(r.error == EMBXILADD);
}

TEST_CASE("modbus simulator: slow answers arrive late or time out", "[modbus]") {
  const bool rtu = GENERATE(false, true);
  INFO((rtu ? "rtu" : "tcp"));
  Simulator sim(options_for(rtu));
  add_sensors(sim);
  sim.start();
  Client client(sim, rtu, 1, 2s);
  REQUIRE(client.connected());

  sim.set_delay(1, 250ms);
  auto start = Clock::now();
  auto r = client.read_input(1, 1);
  CHECK(Clock::now() - start >= 240ms);
  REQUIRE(r.ok);
  CHECK(r.registers == Words{305});

  sim.set_delay(1, 0ms);
  start = Clock::now();
  CHECK(client.read_input(1, 1).ok);
  CHECK(Clock::now() - start < 200ms);
}

TEST_CASE("modbus simulator: drifting values change over time and wrap", "[modbus]") {
  const bool rtu = GENERATE(false, true);
  INFO((rtu ? "rtu" : "tcp"));
  Simulator sim(options_for(rtu));
  add_sensors(sim);
  sim.start();
  Client client(sim, rtu, 104);
  REQUIRE(client.connected());

  sim.drift(104, Table::input_register, 3, 5, 10ms, 400, 2000);
  const auto first = client.read_input(3, 1);
  REQUIRE(first.ok);
  CHECK(wait_until([&] {
    const auto r = client.read_input(3, 1);
    return r.ok && r.registers[0] >= first.registers[0] + 15;
  }));

  // Counting down within [10, 20] wraps from the bottom to the top.
  sim.set_value(104, Table::holding_register, 0, 12);
  sim.drift(104, Table::holding_register, 0, -3, 5ms, 10, 20);
  std::set<std::uint16_t> seen;
  bool wrapped = false;
  std::uint16_t previous = 12;
  CHECK(wait_until([&] {
    const auto v = sim.value(104, Table::holding_register, 0);
    seen.insert(v);
    wrapped = wrapped || v > previous;
    previous = v;
    return wrapped;
  }));
  CHECK(*seen.begin() >= 10);
  CHECK(*seen.rbegin() <= 20);

  // Step 0 ends a drift.
  sim.drift(104, Table::holding_register, 0, 0, 5ms);
  const auto held = sim.value(104, Table::holding_register, 0);
  CHECK(client.read_holding(0, 1).registers == Words{held});
  CHECK(sim.value(104, Table::holding_register, 0) == held);
}

TEST_CASE("modbus simulator refuses units it does not have", "[modbus]") {
  Simulator sim(options_for(false));
  CHECK_THROWS_AS(sim.set_value(5, Table::coil, 0, 1), std::invalid_argument);
  CHECK_THROWS_AS(sim.value(5, Table::coil, 0), std::invalid_argument);
  CHECK_THROWS_AS(sim.set_dead(5, true), std::invalid_argument);
  CHECK_THROWS_AS(sim.add_unit(256), std::invalid_argument);
  sim.add_unit(5);
  CHECK_THROWS_AS(sim.drift(5, Table::holding_register, 0, 1, 0ms), std::invalid_argument);
  CHECK_THROWS_AS(sim.set_exception(5, 300), std::invalid_argument);
  CHECK(sim.value(5, Table::coil, 0) == 0);
}

TEST_CASE("modbus simulator stops promptly and closes every descriptor", "[modbus]") {
  const bool rtu = GENERATE(false, true);
  INFO((rtu ? "rtu" : "tcp"));
  const auto before = open_fds();
  {
    Simulator sim(options_for(rtu));
    add_sensors(sim);
    sim.start();
    {
      Client idle(sim, rtu, 1);
      REQUIRE(idle.connected());
      CHECK(idle.read_input(1, 1).ok);
      // A request held back for a long time must not hold up stop().
      sim.set_delay(1, 10s);
      idle.set_timeout(100ms);
      CHECK_FALSE(idle.read_input(1, 1).ok);
      CHECK(wait_until([&] { return sim.requests(1) == 2; }));
      const auto start = Clock::now();
      sim.stop();
      CHECK(Clock::now() - start < 1s);
    }
    // Stopping twice is harmless, and the simulator can start again.
    sim.stop();
    if (!rtu) {
      const auto port = sim.port();
      sim.set_delay(1, 0ms);
      sim.start();
      CHECK(sim.port() == port);  // an ephemeral port is kept across a restart
      Client again(sim, rtu, 1);
      REQUIRE(again.connected());
      CHECK(again.read_input(2, 1).registers == Words{546});
    }
  }
  CHECK(open_fds() == before);
}
