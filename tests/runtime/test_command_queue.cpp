// Queue semantics: priority order, retries, timeouts, named replacement, offline behaviour.
#include "runtime/command_queue.hpp"
#include "runtime/sdk/errors.hpp"
#include "tests/support/wait.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <optional>

using namespace roomd;
using namespace std::chrono_literals;

namespace {

struct Outcome {
  bool done = false;
  std::optional<Json> value;
  std::string error;
};

struct QueueFixture {
  asio::io_context io;
  LogHub logs{LogLevel::fatal};
  std::vector<std::string> written;
  // When each write happened: a test that reads the clock after waiting for a write would
  // count the wait's own lag (tens of milliseconds on a loaded machine).
  std::vector<Clock::time_point> written_at;
  bool link = true;
  std::shared_ptr<CommandQueue> queue;

  QueueFixture() {
    logs.set_stderr(false);
    queue = std::make_shared<CommandQueue>(
        io.get_executor(), logs.logger("mod-test", "test"),
        [this](const std::string& bytes) {
          if (!link) return false;
          written.push_back(bytes);
          written_at.push_back(Clock::now());
          return true;
        },
        [] { return std::string("mod-test (fake)"); });
    queue->start();
  }
  ~QueueFixture() {
    queue->stop("test over");
    io.run_for(20ms);
  }

  std::shared_ptr<Outcome> send(std::string bytes, SendOptions options = {}) {
    auto outcome = std::make_shared<Outcome>();
    asio::co_spawn(
        io,
        [q = queue, bytes = std::move(bytes), options = std::move(options)]() -> Task<Json> {
          co_return co_await q->send(bytes, options);
        },
        [outcome](std::exception_ptr e, Json value) {
          outcome->done = true;
          if (e) {
            try {
              std::rethrow_exception(e);
            } catch (const std::exception& ex) {
              outcome->error = ex.what();
            }
          } else {
            outcome->value = value;
          }
        });
    return outcome;
  }

  void answer(Received verdict, std::optional<Json> result = std::nullopt) {
    REQUIRE(queue->pending() != nullptr);
    if (result) queue->pending()->set_result(*result);
    queue->resolve_pending(verdict);
  }

  bool wait_written(std::size_t count) {
    return test::run_until(
        io, [&] { return written.size() >= count; }, 2s);
  }
};

}  // namespace

TEST_CASE("a reply completes the pending command with the driver's result", "[queue]") {
  QueueFixture f;
  f.queue->set_online(true);
  auto out = f.send("POWR?\r");
  REQUIRE(f.wait_written(1));
  CHECK(f.written[0] == "POWR?\r");
  f.answer(Received::success, Json("1"));
  REQUIRE(test::run_until(f.io, [&] { return out->done; }));
  CHECK(out->value == Json("1"));
  CHECK(out->error.empty());
}

TEST_CASE("one command is on the wire at a time, highest priority first", "[queue]") {
  QueueFixture f;
  f.queue->set_online(true);
  auto a = f.send("a", {.priority = 10});
  REQUIRE(f.wait_written(1));  // "a" is on the wire before the others queue up
  auto low = f.send("low", {.priority = 10});
  auto high = f.send("high", {.priority = 90});
  auto mid = f.send("mid", {.priority = 50});
  REQUIRE(f.wait_written(1));
  f.io.run_for(10ms);
  CHECK(f.written.size() == 1);  // "a" waits for its reply; nothing else is sent
  f.answer(Received::success);
  REQUIRE(f.wait_written(2));
  f.answer(Received::success);
  REQUIRE(f.wait_written(3));
  f.answer(Received::success);
  REQUIRE(f.wait_written(4));
  f.answer(Received::success);
  REQUIRE(test::run_until(f.io, [&] { return low->done; }));
  CHECK(f.written == std::vector<std::string>{"a", "high", "mid", "low"});
}

TEST_CASE("a silent device times out after the retries", "[queue]") {
  QueueFixture f;
  f.queue->set_online(true);
  auto out = f.send("X", {.timeout = 20ms, .retries = 2});
  REQUIRE(test::run_until(f.io, [&] { return out->done; }));
  CHECK(f.written == std::vector<std::string>{"X", "X", "X"});
  CHECK(out->error == "mod-test (fake): no reply to \"X\" within 20ms (3 attempts)");
}

TEST_CASE("a retry verdict resends and a later success completes", "[queue]") {
  QueueFixture f;
  f.queue->set_online(true);
  auto out = f.send("Y", {.retries = 3});
  REQUIRE(f.wait_written(1));
  f.answer(Received::retry);
  REQUIRE(f.wait_written(2));
  f.answer(Received::ignore);  // unsolicited frame: still waiting
  f.io.run_for(5ms);
  CHECK_FALSE(out->done);
  f.answer(Received::success, Json("ok"));
  REQUIRE(test::run_until(f.io, [&] { return out->done; }));
  CHECK(out->value == Json("ok"));
  CHECK(f.written.size() == 2);
}

TEST_CASE("abort fails the command with the driver's error", "[queue]") {
  QueueFixture f;
  f.queue->set_online(true);
  auto out = f.send("Z");
  REQUIRE(f.wait_written(1));
  f.queue->pending()->set_error("ERR2: out of parameter");
  f.answer(Received::abort);
  REQUIRE(test::run_until(f.io, [&] { return out->done; }));
  CHECK(out->error == "ERR2: out of parameter");
}

TEST_CASE("fire-and-forget completes once written", "[queue]") {
  QueueFixture f;
  f.queue->set_online(true);
  auto out = f.send("F", {.wait = false});
  REQUIRE(test::run_until(f.io, [&] { return out->done; }));
  CHECK(out->error.empty());
  CHECK(f.queue->pending() == nullptr);
}

TEST_CASE("a named command replaces the queued one of the same name", "[queue]") {
  QueueFixture f;
  f.queue->set_online(true);
  auto busy = f.send("busy");
  REQUIRE(f.wait_written(1));
  auto vol10 = f.send("VOL 10", {.name = "volume"});
  auto vol20 = f.send("VOL 20", {.name = "volume"});
  auto vol30 = f.send("VOL 30", {.name = "volume"});
  f.io.run_for(5ms);
  f.answer(Received::success);
  REQUIRE(f.wait_written(2));
  f.answer(Received::success, Json(30));
  REQUIRE(test::run_until(f.io, [&] { return vol10->done && vol20->done && vol30->done; }));
  CHECK(f.written == std::vector<std::string>{"busy", "VOL 30"});
  // Callers of the replaced commands get the outcome of the one that was sent.
  CHECK(vol10->value == Json(30));
  CHECK(vol20->value == Json(30));
}

TEST_CASE("a delay after a command holds the next one back", "[queue]") {
  QueueFixture f;
  f.queue->set_online(true);
  f.send("one", {.wait = false, .delay = 100ms});
  f.send("two", {.wait = false});
  REQUIRE(f.wait_written(2));
  // The delay starts once "one" is written; a little slack for where the queue reads its clock.
  CHECK(f.written_at[1] - f.written_at[0] >= 95ms);
}

TEST_CASE("offline: unnamed commands fail at once, named ones wait for the reconnect", "[queue]") {
  QueueFixture f;
  auto unnamed = f.send("U");
  auto named = f.send("P1", {.name = "power"});
  REQUIRE(test::run_until(f.io, [&] { return unnamed->done; }));
  CHECK_THAT(unnamed->error, Catch::Contains("mod-test (fake) is offline; command not sent"));
  f.io.run_for(10ms);
  CHECK_FALSE(named->done);
  CHECK(f.written.empty());
  f.queue->set_online(true);
  REQUIRE(f.wait_written(1));
  CHECK(f.written[0] == "P1");
  f.answer(Received::success);
  REQUIRE(test::run_until(f.io, [&] { return named->done; }));
  CHECK(named->error.empty());
}

TEST_CASE("going offline fails queued unnamed commands and keeps named ones", "[queue]") {
  QueueFixture f;
  f.queue->set_online(true);
  auto current = f.send("C");
  REQUIRE(f.wait_written(1));
  auto unnamed = f.send("U");
  auto named = f.send("N", {.name = "input"});
  f.io.run_for(5ms);
  f.link = false;
  f.queue->set_online(false);
  REQUIRE(test::run_until(f.io, [&] { return current->done && unnamed->done; }));
  CHECK_THAT(current->error, Catch::Contains("lost the connection while waiting for the reply"));
  CHECK_THAT(unnamed->error, Catch::Contains("went offline before the command was sent"));
  CHECK_FALSE(named->done);
  f.link = true;
  f.queue->set_online(true);
  REQUIRE(f.wait_written(2));
  CHECK(f.written.back() == "N");
}

TEST_CASE("a named command waiting offline gives up after max_queued", "[queue]") {
  QueueFixture f;
  auto named = f.send("N", {.name = "power", .max_queued = 50ms});
  REQUIRE(test::run_until(f.io, [&] { return named->done; }));
  CHECK_THAT(named->error, Catch::Contains("stayed offline"));
}

TEST_CASE("clear fails everything queued", "[queue]") {
  QueueFixture f;
  auto a = f.send("A", {.name = "a"});
  auto b = f.send("B", {.name = "b"});
  f.io.run_for(5ms);
  f.queue->clear("cleared by test");
  REQUIRE(test::run_until(f.io, [&] { return a->done && b->done; }));
  CHECK(a->error == "cleared by test");
  CHECK(f.queue->depth() == 0);
}
