// Per-module logging: persistent levels, debug listeners that lower the effective level
// and restore it, records below the level never formatted, and levels kept across restarts.
#include "runtime/log.hpp"

#include <catch2/catch.hpp>

#include <ostream>

using namespace roomd;

namespace {

// Counts how often it is formatted, to prove a filtered record costs no formatting.
struct Expensive {
  int* formatted;
};
std::ostream& operator<<(std::ostream& out, const Expensive& e) {
  ++*e.formatted;
  return out << "expensive";
}

}  // namespace

TEST_CASE("a module's level defaults to the global level, or its configured one", "[log]") {
  LogHub hub(LogLevel::warn);
  hub.set_stderr(false);
  hub.logger("mod-a", "pjlink");
  hub.logger("mod-b", "pjlink", LogLevel::debug);
  CHECK(hub.persistent_level("mod-a") == LogLevel::warn);
  CHECK(hub.persistent_level("mod-b") == LogLevel::debug);
  CHECK_FALSE(hub.persistent_level("mod-x").has_value());
}

TEST_CASE("records below the effective level are not formatted", "[log]") {
  LogHub hub(LogLevel::info);
  hub.set_stderr(false);
  auto log = hub.logger("mod-a", "pjlink");
  int formatted = 0;
  log.debug("value ", Expensive{&formatted});
  CHECK(formatted == 0);
  log.info("value ", Expensive{&formatted});
  CHECK(formatted == 1);
}

TEST_CASE("parts of a record are formatted as an ostream would", "[log]") {
  LogHub hub(LogLevel::info);
  hub.set_stderr(false);
  auto log = hub.logger("mod-a", "x");
  std::vector<std::string> heard;
  auto tap = hub.tap(LogLevel::info, [&](const LogRecord& r) { heard.emplace_back(r.message); });
  int formatted = 0;
  const std::string text = "text";
  const std::string_view view = "view";
  log.info(text, ' ', view, " ", 42, ' ', -7L, ' ', 65535U, ' ', std::size_t{18446744073709551615U},
           ' ', 1.5, ' ', 0.1 + 0.2, ' ', 1e20, ' ', 2.0F, ' ', true, ' ', Expensive{&formatted});
  REQUIRE(heard.size() == 1);
  CHECK(heard[0] == "text view 42 -7 65535 18446744073709551615 1.5 0.3 1e+20 2 1 expensive");
}

TEST_CASE("a debug listener lowers the level while it listens, then it is restored", "[log]") {
  LogHub hub(LogLevel::info);
  hub.set_stderr(false);
  auto log = hub.logger("mod-a", "pjlink");
  std::vector<std::string> seen;
  {
    auto sub = hub.subscribe("mod-a", LogLevel::debug, [&](const LogRecord& r) {
      seen.push_back(std::string(to_string(r.level)) + " " + std::string(r.module_id) + " " +
                     std::string(r.klass) + " " + std::string(r.message));
    });
    REQUIRE(sub);
    CHECK(hub.effective_level("mod-a") == LogLevel::debug);
    CHECK(hub.persistent_level("mod-a") == LogLevel::info);
    log.trace("not for a debug listener");
    log.debug("input changed to ", "hdmi1");
    {
      auto deeper = hub.subscribe("mod-a", LogLevel::trace, [](const LogRecord&) {});
      CHECK(hub.effective_level("mod-a") == LogLevel::trace);
    }
    CHECK(hub.effective_level("mod-a") == LogLevel::debug);
  }
  CHECK(hub.effective_level("mod-a") == LogLevel::info);
  CHECK(seen == std::vector<std::string>{"debug mod-a pjlink input changed to hdmi1"});
  log.debug("nobody listens");
  CHECK(seen.size() == 1);
}

TEST_CASE("listeners only hear their module", "[log]") {
  LogHub hub(LogLevel::info);
  hub.set_stderr(false);
  auto a = hub.logger("mod-a", "x");
  auto b = hub.logger("mod-b", "x");
  int heard = 0;
  auto sub = hub.subscribe("mod-a", LogLevel::info, [&](const LogRecord&) { ++heard; });
  b.error("b's trouble");
  a.info("a's news");
  CHECK(heard == 1);
  CHECK_FALSE(hub.subscribe("mod-none", LogLevel::debug, [](const LogRecord&) {}));
}

TEST_CASE("changing the persistent level at runtime calls the persist hook", "[log]") {
  LogHub hub(LogLevel::info);
  hub.set_stderr(false);
  hub.logger("mod-a", "x");
  std::vector<std::pair<std::string, LogLevel>> stored;
  hub.on_level_changed([&](const std::string& id, LogLevel l) { stored.emplace_back(id, l); });
  CHECK(hub.set_persistent_level("mod-a", LogLevel::trace));
  CHECK_FALSE(hub.set_persistent_level("mod-none", LogLevel::trace));
  CHECK(hub.effective_level("mod-a") == LogLevel::trace);
  REQUIRE(stored.size() == 1);
  CHECK(stored[0] == std::pair<std::string, LogLevel>{"mod-a", LogLevel::trace});
}

TEST_CASE("a level restored from an earlier run wins over the config's", "[log]") {
  LogHub hub(LogLevel::info);
  hub.set_stderr(false);
  hub.restore_level("mod-a", LogLevel::error);
  hub.logger("mod-a", "x", LogLevel::debug);
  CHECK(hub.persistent_level("mod-a") == LogLevel::error);
}

TEST_CASE("a tap hears every module at its level or above", "[log]") {
  LogHub hub(LogLevel::debug);
  hub.set_stderr(false);
  auto a = hub.logger("mod-a", "x");
  auto b = hub.logger("mod-b", "x");
  std::vector<std::string> heard;
  auto tap = hub.tap(LogLevel::warn, [&](const LogRecord& r) { heard.emplace_back(r.message); });
  a.info("fine");
  a.warn("hot");
  b.error("broken");
  CHECK(heard == std::vector<std::string>{"hot", "broken"});
}

TEST_CASE("log level names parse both ways", "[log]") {
  for (auto level : {LogLevel::trace, LogLevel::debug, LogLevel::info, LogLevel::warn,
                     LogLevel::error, LogLevel::fatal})
    CHECK(parse_log_level(to_string(level)) == level);
  CHECK(parse_log_level("warning") == LogLevel::warn);
  CHECK_FALSE(parse_log_level("loud").has_value());
}
