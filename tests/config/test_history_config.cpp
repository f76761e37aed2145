#include "config/config.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace roomd {
namespace {

std::string with_history(const std::string& history) {
  return R"({ "box": { "id": "room-101" }, "modules": [ { "id": "m", "driver": "room", "name": "System" } ],
             "history": )" +
         history + " }";
}

std::vector<std::string> errors_of(const std::string& text) {
  std::vector<std::string> texts;
  for (const auto& e : parse_config(text).errors) texts.push_back(e.text());
  return texts;
}

}  // namespace

TEST_CASE("history: 10000 points and 30 days unless the config says otherwise", "[config]") {
  auto plain = parse_config(
      R"({ "box": { "id": "b" }, "modules": [ { "id": "m", "driver": "room", "name": "System" } ] })");
  REQUIRE(plain.errors.empty());
  CHECK(plain.config->history.max_points == 10000);
  CHECK(plain.config->history.max_age == std::chrono::hours(24 * 30));

  auto set = parse_config(with_history(R"({ "max_points": 500, "max_age": "7d" })"));
  REQUIRE(set.errors.empty());
  CHECK(set.config->history.max_points == 500);
  CHECK(set.config->history.max_age == std::chrono::hours(24 * 7));
}

TEST_CASE("history: bad bounds are errors with their path", "[config]") {
  CHECK(errors_of(with_history(R"({ "max_points": 0 })")) ==
        std::vector<std::string>{"history.max_points: expected an integer of at least 1, got 0"});
  CHECK(errors_of(with_history(R"({ "max_age": "0s" })")).at(0).rfind("history.max_age: ", 0) == 0);
  CHECK(errors_of(with_history(R"({ "max_age": "soon" })")).at(0).rfind("history.max_age: ", 0) ==
        0);
  CHECK(errors_of(with_history(R"({ "max_points": 10, "points": 5 })"))
            .at(0)
            .rfind("history.points: unknown key", 0) == 0);
  CHECK(errors_of(with_history(R"([])")).at(0).rfind("history: expected an object", 0) == 0);
}
}  // namespace roomd
