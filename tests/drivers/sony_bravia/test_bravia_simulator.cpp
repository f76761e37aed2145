// The Bravia simulator on its own: the state rules frame by frame, and the byte server over
// TCP (answers, notifies to every client, notify before answer, idle hang-up, faults).
#include "drivers/sony_bravia/bravia_simulator.hpp"
#include "drivers/sony_bravia/sony_bravia.hpp"
#include "tests/support/read_exactly.hpp"
#include "tests/support/wait.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

using namespace roomd;
using namespace std::chrono_literals;
namespace sb = roomd::sony_bravia;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

std::string answer(const sb::SimReply& reply) {
  return reply.answer;
}

struct Client {
  asio::io_context& io;
  tcp::socket socket;
  Client(asio::io_context& ctx, std::uint16_t port) : io(ctx), socket(ctx) {
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
  }
  void send(const std::string& bytes) { asio::write(socket, asio::buffer(bytes)); }
  std::string read(std::size_t n) { return test::read_exactly(io, socket, n); }
  bool hung_up() {
    char c;
    bool done = false;
    boost::system::error_code error;
    socket.async_read_some(asio::buffer(&c, 1), [&](auto ec, std::size_t) {
      error = ec;
      done = true;
    });
    REQUIRE(test::run_until(io, [&] { return done; }));
    return error == asio::error::eof || error == asio::error::connection_reset;
  }
};

}  // namespace

TEST_CASE("sony_bravia: frame helpers", "[sony_bravia][protocol]") {
  CHECK(sb::make_frame('C', "POWR", sb::number_param(1)) == "*SCPOWR0000000000000001\n");
  CHECK(sb::number_param(100) == "0000000000000100");
  CHECK(sb::param_number("0000000000000030") == 30);
  CHECK_FALSE(sb::param_number("FFFFFFFFFFFFFFFF"));
  CHECK_FALSE(sb::param_number("################"));
  CHECK(sb::input_param("hdmi2") == "0000000100000002");
  CHECK(sb::input_param("pc1") == "0000000600000001");
  CHECK_FALSE(sb::input_param("hdmi"));
  CHECK_FALSE(sb::input_param("hdmi0"));
  CHECK_FALSE(sb::input_param("hdmi1x"));
  CHECK_FALSE(sb::input_param("dvi1"));
  CHECK(sb::input_name("0000000100000003") == "hdmi3");
  CHECK(sb::input_name("0000000300000001") == "composite1");
  CHECK(sb::input_name("0000000000000000") == "tv");
  CHECK_FALSE(sb::input_name("0000000900000001"));
  CHECK(sb::is_frame("*SNPOWR0000000000000001\n"));
  CHECK_FALSE(sb::is_frame("*SXPOWR0000000000000001\n"));
  CHECK_FALSE(sb::is_frame("*SNPOWR0000000000000001"));
}

TEST_CASE("sony_bravia: simulated state answers frame by frame", "[sony_bravia][simulator]") {
  sb::SimulatorOptions options;
  sb::SimState state(options);

  SECTION("standby accepts only power") {
    CHECK(answer(*state.handle("*SEPOWR################\n")) == "*SAPOWR0000000000000000\n");
    CHECK(answer(*state.handle("*SCINPT0000000100000002\n")) == "*SAINPTFFFFFFFFFFFFFFFF\n");
    CHECK(answer(*state.handle("*SEVOLU################\n")) == "*SAVOLUFFFFFFFFFFFFFFFF\n");
    auto reply = state.handle("*SCPOWR0000000000000001\n");
    CHECK(reply->answer == "*SAPOWR0000000000000000\n");
    CHECK(reply->notifies == std::vector<std::string>{"*SNPOWR0000000000000001\n"});
    CHECK(state.power());
    // Again: no change, no notify.
    CHECK(state.handle("*SCPOWR0000000000000001\n")->notifies.empty());
  }

  SECTION("on: input, volume, mute and enquiries") {
    state.handle("*SCPOWR0000000000000001\n");
    auto reply = state.handle("*SCINPT0000000100000003\n");
    CHECK(reply->answer == "*SAINPT0000000000000000\n");
    CHECK(reply->notifies == std::vector<std::string>{"*SNINPT0000000100000003\n"});
    CHECK(state.input() == "hdmi3");
    CHECK(answer(*state.handle("*SEINPT################\n")) == "*SAINPT0000000100000003\n");
    CHECK(answer(*state.handle("*SCINPT0000000100000005\n")) == "*SAINPTFFFFFFFFFFFFFFFF\n");
    CHECK(answer(*state.handle("*SCVOLU0000000000000042\n")) == "*SAVOLU0000000000000000\n");
    CHECK(answer(*state.handle("*SEVOLU################\n")) == "*SAVOLU0000000000000042\n");
    CHECK(answer(*state.handle("*SCVOLU0000000000000101\n")) == "*SAVOLUFFFFFFFFFFFFFFFF\n");
    CHECK(answer(*state.handle("*SCAMUT0000000000000001\n")) == "*SAAMUT0000000000000000\n");
    CHECK(answer(*state.handle("*SEAMUT################\n")) == "*SAAMUT0000000000000001\n");
    CHECK(answer(*state.handle("*SCXXXX0000000000000001\n")) == "*SAXXXXFFFFFFFFFFFFFFFF\n");
    CHECK(answer(*state.handle("*SEPOWR0000000000000000\n")) == "*SAPOWRFFFFFFFFFFFFFFFF\n");
  }

  SECTION("frames a display stays silent to") {
    CHECK_FALSE(state.handle("*SAPOWR0000000000000000\n"));
    CHECK_FALSE(state.handle("*SNPOWR0000000000000000\n"));
    CHECK_FALSE(state.handle("garbage\n"));
  }

  SECTION("the remote control") {
    CHECK(state.set_volume(9) == "*SNVOLU0000000000000009\n");
    CHECK_FALSE(state.set_volume(9));
    CHECK(state.set_input("composite1") == "*SNINPT0000000300000001\n");
    CHECK_THROWS_AS(state.set_input("hdmi9"), std::invalid_argument);
    CHECK(state.set_mute(true) == "*SNAMUT0000000000000001\n");
  }
}

TEST_CASE("sony_bravia: simulator over TCP: answers, notifies and faults",
          "[sony_bravia][simulator]") {
  asio::io_context io;
  sb::SimulatorOptions options;
  options.idle_timeout = 0ms;
  options.powered_on = true;
  sb::BraviaSimulator sim(io.get_executor(), options);
  auto port = sim.listen_tcp();
  Client a(io, port), b(io, port);
  REQUIRE(test::run_until(io, [&] { return sim.connections() == 2; }));

  // Bytes may arrive in pieces.
  a.send("*SCVOLU00000000");
  a.send("00000031\n");
  CHECK(a.read(48) == "*SAVOLU0000000000000000\n*SNVOLU0000000000000031\n");
  CHECK(b.read(24) == "*SNVOLU0000000000000031\n");

  sim.set_notify_before_answer(true);
  a.send("*SCAMUT0000000000000001\n");
  CHECK(a.read(48) == "*SNAMUT0000000000000001\n*SAAMUT0000000000000000\n");
  CHECK(b.read(24) == "*SNAMUT0000000000000001\n");

  sim.remote_input("hdmi2");
  CHECK(a.read(24) == "*SNINPT0000000100000002\n");
  CHECK(b.read(24) == "*SNINPT0000000100000002\n");

  sim.set_fault(sb::Fault::error_answers);
  a.send("*SEPOWR################\n");
  CHECK(a.read(24) == "*SAPOWRFFFFFFFFFFFFFFFF\n");
  CHECK(sim.power());

  sim.set_fault(sb::Fault::garbage);
  a.send("*SEPOWR################\n");
  auto got = a.read(5 + 24);
  CHECK(static_cast<unsigned char>(got[0]) >= 0x80);
  CHECK(got.substr(5) == "*SAPOWR0000000000000001\n");
  CHECK(sim.fault() == sb::Fault::none);

  sim.set_fault(sb::Fault::drop_connection);
  b.send("*SEPOWR################\n");
  CHECK(b.hung_up());
  CHECK(sim.fault() == sb::Fault::none);
  CHECK(sim.received().back() == "*SEPOWR################\n");
}

TEST_CASE("sony_bravia: simulator hangs up an idle TCP client", "[sony_bravia][simulator]") {
  asio::io_context io;
  sb::SimulatorOptions options;
  options.idle_timeout = 100ms;
  sb::BraviaSimulator sim(io.get_executor(), options);
  auto port = sim.listen_tcp();
  Client a(io, port);
  a.send("*SEPOWR################\n");
  CHECK(a.read(24) == "*SAPOWR0000000000000000\n");
  CHECK(a.hung_up());
  REQUIRE(test::run_until(io, [&] { return sim.connections() == 0; }));
  // Back where it was after a stop.
  sim.stop_tcp();
  CHECK(sim.listen_tcp() == port);
}
