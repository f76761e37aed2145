#include "config/config.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace roomd {
namespace {

std::string with_dialects(const std::string& dialects) {
  return R"({ "box": { "id": "room-101" }, "modules": [ { "id": "m", "driver": "room", "name": "System" } ],
             "dialects": )" +
         dialects + " }";
}

std::vector<std::string> errors_of(const std::string& text) {
  std::vector<std::string> texts;
  for (const auto& e : parse_config(text).errors) texts.push_back(e.text());
  return texts;
}

}  // namespace

TEST_CASE("dialects: OpenFrame's status period defaults to 10 s and is read", "[config]") {
  auto plain = parse_config(
      R"({ "box": { "id": "room-101" }, "modules": [ { "id": "m", "driver": "room", "name": "System" } ] })");
  REQUIRE(plain.config);
  CHECK(plain.config->dialects.openframe.status_every == Duration(10000));
  auto set = parse_config(with_dialects(R"({ "openframe": { "status_every": "2s" } })"));
  REQUIRE(set.config);
  CHECK(set.config->dialects.openframe.status_every == Duration(2000));
}

TEST_CASE("dialects: mistakes name their path", "[config]") {
  using Catch::Contains;
  CHECK_THAT(errors_of(with_dialects(R"({ "openframe": { "status_every": "10ms" } })")).at(0),
             Contains("dialects.openframe.status_every") && Contains("at least 100ms"));
  CHECK_THAT(errors_of(with_dialects(R"({ "openframe": { "status_every": true } })")).at(0),
             Contains("dialects.openframe.status_every"));
  CHECK_THAT(errors_of(with_dialects(R"({ "openframe": { "status_evry": "5s" } })")).at(0),
             Contains("dialects.openframe.status_evry"));
  CHECK_THAT(errors_of(with_dialects(R"({ "openfram": {} })")).at(0),
             Contains("dialects.openfram"));
  CHECK_THAT(errors_of(with_dialects(R"([])")).at(0), Contains("dialects"));
}

TEST_CASE("dialects: DAS defaults to Engine.IO's timers and payload bound and reads them",
          "[config]") {
  auto plain = parse_config(with_dialects("{}"));
  REQUIRE(plain.config);
  const auto& das = plain.config->dialects.das;
  CHECK(das.auth_window == Duration(10000));
  CHECK(das.ping_interval == Duration(25000));
  CHECK(das.ping_timeout == Duration(20000));
  CHECK(das.max_payload == 1000000);
  auto set = parse_config(with_dialects(
      R"({ "das": { "auth_window": "2s", "ping_interval": "500ms", "ping_timeout": "1s", "max_payload": "64KiB" } })"));
  REQUIRE(set.config);
  CHECK(set.config->dialects.das.auth_window == Duration(2000));
  CHECK(set.config->dialects.das.ping_interval == Duration(500));
  CHECK(set.config->dialects.das.ping_timeout == Duration(1000));
  CHECK(set.config->dialects.das.max_payload == 64 * 1024);
}

TEST_CASE("dialects: DAS mistakes name their path", "[config]") {
  using Catch::Contains;
  CHECK_THAT(errors_of(with_dialects(R"({ "das": { "auth_window": "50ms" } })")).at(0),
             Contains("dialects.das.auth_window") && Contains("at least 100ms"));
  CHECK_THAT(errors_of(with_dialects(R"({ "das": { "ping_timeout": "0s" } })")).at(0),
             Contains("dialects.das.ping_timeout"));
  CHECK_THAT(errors_of(with_dialects(R"({ "das": { "max_payload": "2MiB" } })")).at(0),
             Contains("dialects.das.max_payload"));
  CHECK_THAT(errors_of(with_dialects(R"({ "das": { "pingInterval": 25000 } })")).at(0),
             Contains("dialects.das.pingInterval"));
}

}  // namespace roomd
