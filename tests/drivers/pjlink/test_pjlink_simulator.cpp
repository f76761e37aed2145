#include "drivers/pjlink/pjlink_auth.hpp"
#include "drivers/pjlink/pjlink_sim_state.hpp"
#include "drivers/pjlink/pjlink_simulator.hpp"
#include "tests/support/wait.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
using namespace std::chrono_literals;
using roomd::test::run_until;
namespace pj = roomd::pjlink;

namespace {

// ---------------------------------------------------------------------------------------------
// The state machine on its own, with time passed in, so the timing rules are exact.

struct StateFixture {
  explicit StateFixture(pj::SimulatorOptions opts = make_options()) : state(opts) {}

  static pj::SimulatorOptions make_options() {
    pj::SimulatorOptions opts;
    opts.warmup = 10s;
    opts.cooldown = 5s;
    opts.lamp_hour = 1s;
    return opts;
  }

  std::string ask(std::string_view line) {
    auto answer = state.handle(line, now);
    return answer ? *answer : std::string("<silent>");
  }

  pj::SimState state;
  std::chrono::steady_clock::time_point now = std::chrono::steady_clock::time_point{} + 1h;
};

}  // namespace

TEST_CASE("SimState power cycle: warming, on, cooling, standby", "[pjlink][simulator]") {
  StateFixture f;
  CHECK(f.ask("%1POWR ?") == "%1POWR=0");
  CHECK(f.ask("%1POWR 1") == "%1POWR=OK");
  CHECK(f.ask("%1POWR ?") == "%1POWR=3");
  // Turning off a lamp that is still striking is refused.
  CHECK(f.ask("%1POWR 0") == "%1POWR=ERR3");
  f.now += 9999ms;
  CHECK(f.state.power(f.now) == pj::PowerState::warming);
  f.now += 1ms;
  CHECK(f.state.power(f.now) == pj::PowerState::on);
  CHECK(f.ask("%1POWR ?") == "%1POWR=1");
  CHECK(f.ask("%1POWR 1") == "%1POWR=OK");
  CHECK(f.ask("%1POWR 0") == "%1POWR=OK");
  CHECK(f.ask("%1POWR ?") == "%1POWR=2");
  CHECK(f.ask("%1POWR 1") == "%1POWR=ERR3");
  CHECK(f.ask("%1POWR 0") == "%1POWR=OK");
  f.now += 5s;
  CHECK(f.ask("%1POWR ?") == "%1POWR=0");
  CHECK(f.ask("%1POWR 0") == "%1POWR=OK");
  CHECK(f.ask("%1POWR 2") == "%1POWR=ERR2");
  CHECK(f.ask("%1POWR") == "%1POWR=ERR2");
}

TEST_CASE("SimState inputs and mutes need the projector on", "[pjlink][simulator]") {
  StateFixture f;
  CHECK(f.ask("%1INPT ?") == "%1INPT=ERR3");
  CHECK(f.ask("%1INPT 31") == "%1INPT=ERR3");
  CHECK(f.ask("%1INPT 99") == "%1INPT=ERR2");  // bad syntax is reported before availability
  CHECK(f.ask("%1AVMT 31") == "%1AVMT=ERR3");
  CHECK(f.ask("%1INST ?") == "%1INST=11 12 31 32 51");

  f.ask("%1POWR 1");
  SECTION("accepted while warming by default") {
    CHECK(f.ask("%1INPT 32") == "%1INPT=OK");
    CHECK(f.ask("%1INPT ?") == "%1INPT=32");
  }
  SECTION("refused while warming when the device is busy") {
    f.state.set_busy_while_warming(true);
    CHECK(f.ask("%1INPT 32") == "%1INPT=ERR3");
    CHECK(f.ask("%1AVMT ?") == "%1AVMT=ERR3");
    f.now += 10s;
    CHECK(f.ask("%1INPT 32") == "%1INPT=OK");
  }
  f.now += 10s;
  CHECK(f.ask("%1INPT ?") != "%1INPT=ERR3");
  CHECK(f.ask("%1INPT 12") == "%1INPT=OK");
  CHECK(f.state.input() == "12");
  CHECK(f.ask("%1INPT 52") == "%1INPT=ERR2");  // well-formed, but not an input this model has
  CHECK(f.ask("%1INPT 61") == "%1INPT=ERR2");
  CHECK(f.ask("%1INPT 1") == "%1INPT=ERR2");

  CHECK(f.ask("%1AVMT ?") == "%1AVMT=30");
  CHECK(f.ask("%1AVMT 11") == "%1AVMT=OK");
  CHECK(f.ask("%1AVMT ?") == "%1AVMT=11");
  CHECK(f.ask("%1AVMT 21") == "%1AVMT=OK");
  CHECK(f.ask("%1AVMT ?") == "%1AVMT=31");
  CHECK(f.ask("%1AVMT 10") == "%1AVMT=OK");
  CHECK(f.ask("%1AVMT ?") == "%1AVMT=21");
  CHECK(f.state.audio_muted());
  CHECK_FALSE(f.state.video_muted());
  CHECK(f.ask("%1AVMT 30") == "%1AVMT=OK");
  CHECK(f.ask("%1AVMT ?") == "%1AVMT=30");
  CHECK(f.ask("%1AVMT 41") == "%1AVMT=ERR2");
  CHECK(f.ask("%1AVMT 12") == "%1AVMT=ERR2");

  f.ask("%1AVMT 31");
  f.ask("%1POWR 0");
  CHECK_FALSE(f.state.video_muted());  // projectors come back from standby unmuted
  CHECK(f.ask("%1INPT ?") == "%1INPT=ERR3");
}

TEST_CASE("SimState lamp hours count while the lamp burns", "[pjlink][simulator]") {
  auto opts = StateFixture::make_options();
  opts.lamp_hours = 100;
  StateFixture f(opts);
  CHECK(f.ask("%1LAMP ?") == "%1LAMP=100 0");
  f.ask("%1POWR 1");
  f.now += 12s;  // 10 s warming + 2 s on, lamp burning throughout
  CHECK(f.ask("%1LAMP ?") == "%1LAMP=112 1");
  f.ask("%1POWR 0");
  f.now += 30s;
  CHECK(f.ask("%1LAMP ?") == "%1LAMP=112 0");
  f.state.set_lamp_hours(7, f.now);
  CHECK(f.state.lamp_hours(f.now) == 7);
}

TEST_CASE("SimState errors, info queries and malformed lines", "[pjlink][simulator]") {
  StateFixture f;
  CHECK(f.ask("%1ERST ?") == "%1ERST=000000");
  f.state.set_errors("010000");
  CHECK(f.ask("%1ERST ?") == "%1ERST=010000");
  CHECK(f.ask("%1POWR 1") == "%1POWR=OK");  // a lamp warning does not stop it
  f.now += 10s;
  f.ask("%1POWR 0");
  f.now += 5s;
  f.state.set_errors("020000");
  CHECK(f.ask("%1POWR 1") == "%1POWR=ERR4");
  CHECK_THROWS_AS(f.state.set_errors("0000"), std::invalid_argument);
  CHECK_THROWS_AS(f.state.set_errors("000300"), std::invalid_argument);

  CHECK(f.ask("%1NAME ?") == "%1NAME=roomd PJLink simulator");
  CHECK(f.ask("%1INF1 ?") == "%1INF1=roomd");
  CHECK(f.ask("%1INF2 ?") == "%1INF2=Simulated Projector");
  CHECK(f.ask("%1INFO ?") == "%1INFO=PJLink class 1 simulator");
  CHECK(f.ask("%1CLSS ?") == "%1CLSS=1");
  CHECK(f.ask("%1NAME x") == "%1NAME=ERR2");
  CHECK(f.ask("%1ERST") == "%1ERST=ERR2");

  CHECK(f.ask("%1XXXX ?") == "%1XXXX=ERR1");
  CHECK(f.ask("%1POWRX 1") == "%1POWR=ERR1");
  CHECK(f.ask("%2POWR ?") == "%2POWR=ERR1");  // class 2 commands on a class 1 device
  CHECK(f.ask("%1powr ?") == "%1POWR=0");
  CHECK(f.ask("POWR ?") == "<silent>");
  CHECK(f.ask("%1PO") == "<silent>");
  CHECK(f.ask("%XPOWR ?") == "<silent>");
}

// ---------------------------------------------------------------------------------------------
// The simulator over real loopback TCP, with a raw socket client on the same io_context.

namespace {

// A raw PJLink client: collects CR-terminated lines; handlers co-own the state so nothing
// dangles if a test ends with reads pending.
class Client {
 public:
  Client(asio::io_context& io, std::uint16_t port) : d_(std::make_shared<Data>(io)) {
    d_->socket.async_connect({asio::ip::make_address("127.0.0.1"), port}, [d = d_](error_code ec) {
      if (ec) {
        d->closed = true;
        return;
      }
      d->connected = true;
      read(d);
    });
  }

  void send(std::string bytes) {
    auto buffer = std::make_shared<std::string>(std::move(bytes));
    asio::async_write(d_->socket, asio::buffer(*buffer),
                      [buffer, d = d_](error_code, std::size_t) {});
  }

  const std::vector<std::string>& lines() const { return d_->lines; }
  bool closed() const { return d_->closed; }
  bool connected() const { return d_->connected; }

 private:
  struct Data {
    explicit Data(asio::io_context& io) : socket(io) {}
    tcp::socket socket;
    std::array<char, 1024> buffer{};
    std::string partial;
    std::vector<std::string> lines;
    bool connected = false;
    bool closed = false;
  };

  static void read(const std::shared_ptr<Data>& d) {
    d->socket.async_read_some(asio::buffer(d->buffer), [d](error_code ec, std::size_t n) {
      for (std::size_t i = 0; i < n; ++i) {
        if (d->buffer[i] == '\r') {
          d->lines.push_back(std::move(d->partial));
          d->partial.clear();
        } else {
          d->partial += d->buffer[i];
        }
      }
      if (ec) {
        d->closed = true;
        return;
      }
      read(d);
    });
  }

  std::shared_ptr<Data> d_;
};

pj::SimulatorOptions fast_options() {
  pj::SimulatorOptions opts;
  opts.warmup = 50ms;
  opts.cooldown = 50ms;
  return opts;
}

struct SimFixture {
  explicit SimFixture(pj::SimulatorOptions opts = fast_options())
      : sim(io.get_executor(), std::move(opts)) {
    sim.start();
  }

  // Connects and waits for the greeting.
  std::unique_ptr<Client> connect() {
    auto client = std::make_unique<Client>(io, sim.port());
    REQUIRE(run_until(
        io, [&] { return !client->lines().empty() || client->closed(); }, 5s));
    REQUIRE_FALSE(client->lines().empty());
    return client;
  }

  // Sends one line and returns the next line received; "<none>" if nothing came in time.
  std::string ask(Client& client, const std::string& line, std::chrono::milliseconds wait = 5s) {
    const auto before = client.lines().size();
    client.send(line + "\r");
    if (!run_until(
            io, [&] { return client.lines().size() > before || client.closed(); }, wait)) {
      return "<none>";
    }
    return client.lines().size() > before ? client.lines()[before] : std::string("<closed>");
  }

  asio::io_context io;
  pj::PjlinkSimulator sim;
};

bool is_hex8(const std::string& s) {
  return s.size() == 8 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

TEST_CASE("Simulator greets with PJLINK 0 when there is no password", "[pjlink][simulator]") {
  SimFixture f;
  CHECK(f.sim.port() != 0);
  auto client = f.connect();
  CHECK(client->lines().front() == "PJLINK 0");
  CHECK(f.sim.connections() == 1);
  CHECK(f.ask(*client, "%1POWR ?") == "%1POWR=0");
  CHECK(f.ask(*client, "%1NAME ?") == "%1NAME=roomd PJLink simulator");
}

TEST_CASE("Simulator authenticates with the PJLink digest", "[pjlink][simulator]") {
  auto opts = fast_options();
  opts.password = "JBMIAProjectorLink";
  SimFixture f(opts);
  auto client = f.connect();
  const auto& greeting = client->lines().front();
  REQUIRE(greeting.rfind("PJLINK 1 ", 0) == 0);
  const auto random = greeting.substr(9);
  REQUIRE(is_hex8(random));
  const auto digest = pj::pjlink_digest(random, opts.password);

  SECTION("a correct digest is accepted; later commands may omit or repeat it") {
    CHECK(f.ask(*client, digest + "%1POWR ?") == "%1POWR=0");
    CHECK(f.ask(*client, "%1CLSS ?") == "%1CLSS=1");
    CHECK(f.ask(*client, digest + "%1ERST ?") == "%1ERST=000000");
    CHECK(f.sim.received() == std::vector<std::string>{"%1POWR ?", "%1CLSS ?", "%1ERST ?"});
  }
  SECTION("a wrong digest gets PJLINK ERRA and the connection closes") {
    CHECK(f.ask(*client, pj::pjlink_digest("00000000", opts.password) + "%1POWR ?") ==
          "PJLINK ERRA");
    CHECK(run_until(
        f.io, [&] { return client->closed(); }, 5s));
    CHECK(run_until(
        f.io, [&] { return f.sim.connections() == 0; }, 5s));
  }
  SECTION("a missing digest gets PJLINK ERRA and the connection closes") {
    CHECK(f.ask(*client, "%1POWR 1") == "PJLINK ERRA");
    CHECK(run_until(
        f.io, [&] { return client->closed(); }, 5s));
    CHECK(f.sim.power_state() == pj::PowerState::standby);
  }
  SECTION("every connection gets its own challenge") {
    auto second = f.connect();
    // Equal by chance once in 2^32; a constant challenge would make replay trivial.
    CHECK(second->lines().front() != greeting);
  }
}

TEST_CASE("Simulator powers on through warm-up and off through cool-down", "[pjlink][simulator]") {
  SimFixture f;
  auto client = f.connect();
  CHECK(f.ask(*client, "%1POWR 1") == "%1POWR=OK");
  CHECK(f.ask(*client, "%1POWR ?") == "%1POWR=3");
  CHECK(f.sim.power_state() == pj::PowerState::warming);
  REQUIRE(run_until(
      f.io, [&] { return f.sim.power_state() == pj::PowerState::on; }, 5s));
  CHECK(f.ask(*client, "%1POWR ?") == "%1POWR=1");
  CHECK(f.ask(*client, "%1LAMP ?") == "%1LAMP=0 1");
  CHECK(f.ask(*client, "%1POWR 0") == "%1POWR=OK");
  CHECK(f.ask(*client, "%1POWR ?") == "%1POWR=2");
  CHECK(f.ask(*client, "%1POWR 1") == "%1POWR=ERR3");
  REQUIRE(run_until(
      f.io, [&] { return f.sim.power_state() == pj::PowerState::standby; }, 5s));
  CHECK(f.ask(*client, "%1POWR ?") == "%1POWR=0");
}

TEST_CASE("Simulator sets and reports inputs and mutes, answers ERR1/2/3", "[pjlink][simulator]") {
  SimFixture f;
  auto client = f.connect();
  CHECK(f.ask(*client, "%1INPT 31") == "%1INPT=ERR3");
  CHECK(f.ask(*client, "%1INPT ?") == "%1INPT=ERR3");
  CHECK(f.ask(*client, "%1AVMT 31") == "%1AVMT=ERR3");
  f.ask(*client, "%1POWR 1");
  REQUIRE(run_until(
      f.io, [&] { return f.sim.power_state() == pj::PowerState::on; }, 5s));

  CHECK(f.ask(*client, "%1INPT 31") == "%1INPT=OK");
  CHECK(f.ask(*client, "%1INPT ?") == "%1INPT=31");
  CHECK(f.sim.input() == "31");
  CHECK(f.ask(*client, "%1INPT 59") == "%1INPT=ERR2");
  CHECK(f.ask(*client, "%1INPT x") == "%1INPT=ERR2");
  CHECK(f.ask(*client, "%1AVMT 11") == "%1AVMT=OK");
  CHECK(f.sim.video_muted());
  CHECK_FALSE(f.sim.audio_muted());
  CHECK(f.ask(*client, "%1AVMT ?") == "%1AVMT=11");
  CHECK(f.ask(*client, "%1FOOO ?") == "%1FOOO=ERR1");
  CHECK(f.ask(*client, "%1ERST 1") == "%1ERST=ERR2");

  f.sim.set_errors("000020");
  CHECK(f.sim.errors() == "000020");
  CHECK(f.ask(*client, "%1ERST ?") == "%1ERST=000020");

  // Lines that are not commands get no answer; the next command still does.
  CHECK(f.ask(*client, "hello", 100ms) == "<none>");
  CHECK(f.ask(*client, "%1CLSS ?") == "%1CLSS=1");
  // A client sending CR LF is understood.
  CHECK(f.ask(*client, "%1INPT ?\r\n%1CLSS ?") == "%1INPT=31");
}

TEST_CASE("Simulator ignores an oversized frame and keeps serving", "[pjlink][simulator]") {
  SimFixture f;
  auto client = f.connect();
  CHECK(f.ask(*client, "%1NAME " + std::string(4000, 'x'), 200ms) == "<none>");
  CHECK(f.ask(*client, "%1POWR ?") == "%1POWR=0");
  CHECK_FALSE(client->closed());
}

TEST_CASE("Simulator fault: no_answer reads but stays silent", "[pjlink][simulator]") {
  SimFixture f;
  auto client = f.connect();
  f.sim.set_fault(pj::Fault::no_answer);
  CHECK(f.ask(*client, "%1POWR 1", 200ms) == "<none>");
  CHECK(f.sim.received() == std::vector<std::string>{"%1POWR 1"});
  CHECK(f.sim.power_state() == pj::PowerState::standby);  // not executed either
  f.sim.set_fault(pj::Fault::none);
  CHECK(f.ask(*client, "%1POWR ?") == "%1POWR=0");
}

TEST_CASE("Simulator fault: err3_during_warmup", "[pjlink][simulator]") {
  auto opts = fast_options();
  opts.warmup = 10s;  // stays warming for the whole test
  SimFixture f(opts);
  auto client = f.connect();
  f.ask(*client, "%1POWR 1");
  CHECK(f.ask(*client, "%1INPT 32") == "%1INPT=OK");
  f.sim.set_fault(pj::Fault::err3_during_warmup);
  CHECK(f.ask(*client, "%1INPT 31") == "%1INPT=ERR3");
  CHECK(f.ask(*client, "%1AVMT 31") == "%1AVMT=ERR3");
  CHECK(f.ask(*client, "%1POWR ?") == "%1POWR=3");
  CHECK(f.sim.input() == "32");
}

TEST_CASE("Simulator fault: drop_connection closes on the next command", "[pjlink][simulator]") {
  SimFixture f;
  auto client = f.connect();
  f.sim.set_fault(pj::Fault::drop_connection);
  CHECK(f.ask(*client, "%1POWR 1") == "<closed>");
  CHECK(run_until(
      f.io, [&] { return f.sim.connections() == 0; }, 5s));
  CHECK(f.sim.power_state() == pj::PowerState::standby);
  CHECK(f.sim.fault() == pj::Fault::none);  // one shot: a reconnecting driver gets through
  auto again = f.connect();
  CHECK(f.ask(*again, "%1POWR ?") == "%1POWR=0");
}

TEST_CASE("Simulator fault: garbage precedes every answer", "[pjlink][simulator]") {
  SimFixture f;
  auto client = f.connect();
  f.sim.set_fault(pj::Fault::garbage);
  const auto before = client->lines().size();
  client->send("%1POWR ?\r");
  REQUIRE(run_until(
      f.io, [&] { return client->lines().size() >= before + 2; }, 5s));
  const auto& junk = client->lines()[before];
  CHECK_FALSE(junk.empty());
  CHECK(std::all_of(junk.begin(), junk.end(),
                    [](char c) { return static_cast<unsigned char>(c) >= 0x80; }));
  CHECK(client->lines()[before + 1] == "%1POWR=0");
}

TEST_CASE("Simulator send_raw reaches every client", "[pjlink][simulator]") {
  SimFixture f;
  auto a = f.connect();
  auto b = f.connect();
  REQUIRE(run_until(
      f.io, [&] { return f.sim.connections() == 2; }, 5s));
  f.sim.send_raw("\x01\x02junk\r%1POWR=1\r");
  REQUIRE(run_until(
      f.io, [&] { return a->lines().size() >= 3 && b->lines().size() >= 3; }, 5s));
  CHECK(a->lines()[1] == "\x01\x02junk");
  CHECK(a->lines()[2] == "%1POWR=1");
  CHECK(b->lines()[2] == "%1POWR=1");
}

TEST_CASE("Simulator closes a connection left idle", "[pjlink][simulator]") {
  auto opts = fast_options();
  opts.idle_timeout = 100ms;
  SimFixture f(opts);
  auto client = f.connect();
  CHECK(run_until(
      f.io, [&] { return client->closed(); }, 5s));
  CHECK(f.sim.connections() == 0);
}

TEST_CASE("Simulator stop() closes clients and can be restarted on the same port",
          "[pjlink][simulator]") {
  SimFixture f;
  auto a = f.connect();
  auto b = f.connect();
  REQUIRE(run_until(
      f.io, [&] { return f.sim.connections() == 2; }, 5s));
  f.ask(*a, "%1POWR 1");
  const auto port = f.sim.port();

  f.sim.stop();
  CHECK(f.sim.connections() == 0);
  f.sim.stop();
  CHECK(run_until(
      f.io, [&] { return a->closed() && b->closed(); }, 5s));
  auto refused = std::make_unique<Client>(f.io, port);
  CHECK(run_until(
      f.io, [&] { return refused->closed(); }, 5s));
  CHECK_FALSE(refused->connected());

  CHECK(f.sim.start() == port);
  auto c = f.connect();
  CHECK(c->lines().front() == "PJLINK 0");
  // The device kept its state across the outage.
  CHECK(f.ask(*c, "%1POWR ?") != "%1POWR=0");
}

TEST_CASE("Simulator destroyed with clients connected and work queued", "[pjlink][simulator]") {
  asio::io_context io;
  auto sim = std::make_unique<pj::PjlinkSimulator>(io.get_executor(), fast_options());
  sim->start();
  Client client(io, sim->port());
  REQUIRE(run_until(
      io, [&] { return !client.lines().empty(); }, 5s));
  client.send("%1POWR ?\r%1POWR 1\r");
  sim->send_raw("queued\r");
  sim.reset();  // handlers for the session are still queued on io
  CHECK(run_until(
      io, [&] { return client.closed(); }, 5s));
  io.poll();  // drain whatever was queued; it must not touch the destroyed simulator
}
