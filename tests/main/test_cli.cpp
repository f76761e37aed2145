// The roomd command line as an integrator uses it: exit statuses, messages, driver listing.
#include "base/json.hpp"
#include "runtime/sdk/version.hpp"
#include "tests/main/roomd_process.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Result {
  int status;
  std::string out;  // stdout and stderr together
};

Result run_roomd(const std::string& args) {
  std::string command = std::string(ROOMD_BINARY) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buffer[4096];
  while (auto n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string write_file(const roomd::test::TempDir& dir, const std::string& name,
                       const std::string& text) {
  auto path = dir.path() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("roomd prints its version and help", "[cli]") {
  auto version = run_roomd("--version");
  CHECK(version.status == 0);
  CHECK(version.out == std::string("roomd ") + roomd::kVersion + "\n");
  auto help = run_roomd("--help");
  CHECK(help.status == 0);
  CHECK_THAT(help.out, Catch::Contains("check-config FILE"));
  CHECK(run_roomd("frobnicate").status == 2);
  auto bad_port = run_roomd("simulate pjlink --port abc");
  CHECK(bad_port.status == 2);
  CHECK(bad_port.out == "roomd simulate pjlink: --port expects 0-65535, got abc\n");
}

TEST_CASE("check-config accepts a good config and reports every problem of a bad one", "[cli]") {
  roomd::test::TempDir dir;
  auto good = write_file(dir, "good.json", R"({
    // a projector
    "box": {"id": "room-1"},
    "modules": [{"id": "mod-proj", "driver": "pjlink", "name": "Projector",
                 "transport": {"tcp": {"host": "127.0.0.1"}}}],
    "systems": [{"id": "sys-1", "modules": ["mod-proj"]}]
  })");
  auto ok = run_roomd("check-config " + good);
  CHECK(ok.status == 0);
  CHECK(ok.out == good + ": ok (1 modules, 1 systems)\n");

  auto bad = write_file(dir, "bad.json", R"({
    "box": {"id": "room-1"},
    "modules": [
      {"id": "mod-proj", "driver": "pjlink", "name": "Projector",
       "transport": {"tcp": {"host": "127.0.0.1", "port": 70000}}},
      {"id": "mod-x", "driver": "projektor", "name": "Projector"},
      {"id": "mod-y", "driver": "pjlink", "name": "Projector",
       "transport": {"tcp": {"host": "10.0.0.9"}},
       "settings": {"poll_every": "often", "pasword": "x"}}
    ],
    "systems": [{"id": "sys-1", "modules": ["mod-proj", "mod-z"]}]
  })");
  auto result = run_roomd("check-config " + bad);
  CHECK(result.status == 2);
  CHECK(result.out == bad +
                          ": 2 problems\n"
                          "  modules[0].transport.tcp.port: expected 1-65535, got 70000\n"
                          "  systems[0].modules[1]: unknown module \"mod-z\"\n");

  // Driver checks run once the file itself is sound.
  auto drivers = write_file(dir, "drivers.json", R"({
    "box": {"id": "room-1"},
    "modules": [
      {"id": "mod-x", "driver": "projektor", "name": "Projector"},
      {"id": "mod-y", "driver": "pjlink", "name": "Projector",
       "transport": {"tcp": {"host": "10.0.0.9"}},
       "settings": {"poll_every": "often", "pasword": "x"}},
      {"id": "mod-z", "driver": "pjlink", "name": "Projector"}
    ]
  })");
  result = run_roomd("check-config " + drivers);
  CHECK(result.status == 2);
  CHECK(result.out ==
        drivers +
            ": 4 problems\n"
            "  modules[0].driver: unknown driver \"projektor\" (built-in: extron_sis, "
            "modbus_sensor, pjlink, room, samsung_mdc, senseair_s8, sony_bravia, xy_md02; no "
            "driver_path set for plugins)\n"
            "  modules[1].settings.pasword: unknown setting for driver pjlink (it has: "
            "password, poll_every, errors_every, timeout)\n"
            "  modules[1].settings.poll_every: expected a duration such as \"500ms\" or "
            "\"10s\", got \"often\"\n"
            "  modules[2].transport: required: driver pjlink talks tcp (default port "
            "4352)\n");
}

TEST_CASE("check-config names bad alert rules by their path", "[cli][alerts]") {
  roomd::test::TempDir dir;
  auto rules = write_file(dir, "rules.json", R"({
    "box": {"id": "room-1"},
    "modules": [{"id": "mod-proj", "driver": "pjlink", "name": "Projector",
                 "transport": {"tcp": {"host": "127.0.0.1"}}}],
    "systems": [{"id": "sys-101", "modules": ["mod-proj"]}],
    "alerts": [{"when": "sys-101/Projector_1/lamp_hours > 2000", "for": "1m"},
               {"when": "sys-101/Projector_1/lamp_hourz > 2000"},
               {"when": "sys-101/Sensor_3/co2 > 1000"}]
  })");
  auto result = run_roomd("check-config " + rules);
  CHECK(result.status == 2);
  CHECK(result.out == rules +
                          ": 2 problems\n"
                          "  alerts[1].when: unknown variable sys-101/Projector_1/lamp_hourz: "
                          "driver pjlink has power, power_state, input, mute, errors, "
                          "lamp_hours, name\n"
                          "  alerts[2].when: unknown variable sys-101/Sensor_3/co2: system "
                          "sys-101 has no module Sensor_3\n");
}

TEST_CASE("run refuses a bad config with status 2 and starts nothing", "[cli]") {
  roomd::test::TempDir dir;
  auto bad = write_file(dir, "bad.json", R"({"box": {}})");
  auto result = run_roomd("run --config " + bad + " --state-dir " + dir.path() + "/state");
  CHECK(result.status == 2);
  CHECK_THAT(result.out, Catch::Contains("box.id: required"));
  CHECK_FALSE(std::ifstream(dir.path() + "/state/roomd.db").good());
  CHECK(run_roomd("run").status == 2);
}

TEST_CASE("drivers --json lists methods, status and settings", "[cli]") {
  auto result = run_roomd("drivers --json");
  REQUIRE(result.status == 0);
  auto drivers = roomd::Json::parse(result.out);
  REQUIRE(drivers.is_array());
  std::vector<std::string> names;
  for (const auto& d : drivers) names.push_back(d["name"]);
  CHECK(names == std::vector<std::string>{"extron_sis", "modbus_sensor", "pjlink", "room",
                                          "samsung_mdc", "senseair_s8", "sony_bravia", "xy_md02"});
  auto pjlink = drivers.at(2);
  CHECK(pjlink["name"] == "pjlink");
  CHECK(pjlink["generic_name"] == "Projector");
  CHECK(pjlink["transport"] == roomd::Json({{"kind", "tcp"}, {"port", 4352}}));
  auto power = pjlink["methods"].at(0);
  CHECK(power["name"] == "power");
  CHECK(power["params"] == roomd::Json::parse(R"([{"name": "on", "type": "boolean"}])"));
  CHECK(power["returns"] == "boolean");
  // A declared range is part of the parameter.
  roomd::Json volume;
  for (const auto& method : drivers.at(4)["methods"])
    if (method["name"] == "volume") volume = method;
  CHECK(volume["params"] ==
        roomd::Json::parse(R"([{"name": "level", "type": "integer", "range": [0, 100]}])"));
  bool has_password = false;
  for (const auto& s : pjlink["settings"])
    if (s["name"] == "password") {
      has_password = true;
      CHECK(s["secret"] == true);
      CHECK_FALSE(s.contains("default"));
    }
  CHECK(has_password);
  CHECK(pjlink["status"].size() == 7);
  auto s8 = drivers.at(5);
  CHECK(s8["name"] == "senseair_s8");
  CHECK(s8["transport"] == roomd::Json({{"kind", "modbus"}}));
  CHECK(s8["settings"][0]["default"][0]["name"] == "co2");
}

TEST_CASE("ports lists serial ports or says there are none", "[cli]") {
  auto result = run_roomd("ports");
  CHECK(result.status == 0);
  bool table = result.out.rfind("PATH ", 0) == 0 && result.out.find("VID:PID") != std::string::npos;
  CHECK((table || result.out == "no serial ports found\n"));
  CHECK(run_roomd("ports --json").status == 2);
}

TEST_CASE("the demo config is valid", "[cli]") {
  auto result = run_roomd(std::string("check-config ") + ROOMD_SOURCE_DIR + "/config/demo.json");
  INFO(result.out);
  CHECK(result.status == 0);
}

TEST_CASE("the keys the README and docs/api.md try the demo with are the demo's keys", "[cli]") {
  auto read = [](const std::string& path) {
    std::ifstream in(std::string(ROOMD_SOURCE_DIR) + "/" + path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const auto demo = read("config/demo.json");
  REQUIRE_FALSE(demo.empty());
  for (const char* doc : {"README.md", "docs/api.md"}) {
    const auto text = read(doc);
    // Every key a reader would paste: after "api-key=" or "X-API-Key: ".
    std::size_t found = 0;
    for (const std::string marker : {"api-key=", "X-API-Key: "}) {
      for (auto at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 1)) {
        const auto start = at + marker.size();
        const auto end = text.find_first_of("'\" \n&", start);
        const auto key = text.substr(start, end - start);
        if (key.rfind("demo-", 0) != 0) continue;  // placeholders such as <key>
        INFO(doc << ": " << key);
        CHECK(demo.find("\"key\": \"" + key + "\"") != std::string::npos);
        ++found;
      }
    }
    INFO(doc);
    CHECK(found > 0);
  }
}

TEST_CASE("simulate lists its simulators and options and names what it does not know",
          "[cli][simulate]") {
  auto all = run_roomd("simulate --help");
  CHECK(all.status == 0);
  for (const char* line : {"roomd simulate extron_sis: ", "  --front-panel DURATION ",
                           "roomd simulate modbus: ", "  --unit ID:PRESET ", "(repeatable)",
                           "roomd simulate sony_bravia: ", "  --fault NAME ",
                           "misbehave on purpose: none no_answer error_answers"})
    CHECK_THAT(all.out, Catch::Contains(line));
  auto one = run_roomd("simulate extron_sis --help");
  CHECK(one.status == 0);
  CHECK_THAT(one.out, Catch::Contains("--front-panel DURATION"));
  CHECK_THAT(one.out, !Catch::Contains("roomd simulate pjlink"));
  CHECK(run_roomd("simulate").status == 2);

  auto unknown = run_roomd("simulate extron_sis --frobnicate 3");
  CHECK(unknown.status == 2);
  CHECK(unknown.out ==
        "roomd simulate extron_sis: unknown option --frobnicate (valid: --port, --bind, --pty, "
        "--link, --password, --user-password, --refuse-e10, --inputs, --outputs, --volume-max, "
        "--zero-pad, --idle, --front-panel, --fault, --error)\n");
  const std::pair<const char*, const char*> bad_values[] = {
      {"simulate extron_sis --front-panel soon",
       "roomd simulate extron_sis: --front-panel expects a duration such as 10s, got soon\n"},
      {"simulate extron_sis --front-panel 0s",
       "roomd simulate extron_sis: --front-panel expects a duration above 0, such as 10s\n"},
      {"simulate sony_bravia --fault meltdown",
       "roomd simulate sony_bravia: --fault expects one of none, no_answer, error_answers, "
       "drop_connection, garbage, got meltdown\n"},
      {"simulate samsung_mdc --id 254",
       "roomd simulate samsung_mdc: --id expects 0-253, got 254\n"},
      {"simulate samsung_mdc --on=yes", "roomd simulate samsung_mdc: --on takes no value\n"},
      {"simulate pjlink --password", "roomd simulate pjlink: --password P: the value is missing\n"},
      {"simulate modbus --unit 1:toaster",
       "roomd simulate modbus: bad --unit 1:toaster (expected ID:PRESET, ID 0-255, presets s8, "
       "xy_md02, empty)\n"},
  };
  for (auto [command, message] : bad_values) {
    auto result = run_roomd(command);
    CHECK(result.status == 2);
    CHECK(result.out == message);
  }
  auto toaster = run_roomd("simulate toaster");
  CHECK(toaster.status == 2);
  CHECK(toaster.out ==
        "roomd simulate: no simulator \"toaster\" (simulators: extron_sis, modbus, pjlink, "
        "samsung_mdc, sony_bravia)\n");
}

namespace {

using namespace std::string_literals;
using roomd::test::RoomdProcess;

// Starts `roomd simulate ...`, sends `request` to the port its banner names and expects
// `answer` back; then stops it with SIGTERM and expects a clean exit.
void check_serves(const std::vector<std::string>& args, const std::string& request,
                  const std::string& answer) {
  RoomdProcess roomd(args);
  INFO(roomd.first_line());
  REQUIRE(roomd.port() > 0);
  std::string got;
  CHECK(roomd::test::exchange(roomd.port(), request, answer, got));
  CHECK(roomd.stop() == 0);
}

}  // namespace

TEST_CASE("the README's simulate command lines serve with their options in effect",
          "[cli][simulate]") {
  SECTION("pjlink: a password makes it ask for authentication") {
    check_serves({"simulate", "pjlink", "--port", "0", "--password", "P", "--bind", "127.0.0.1",
                  "--on", "--warmup", "2s", "--cooldown", "2s"},
                 "", "PJLINK 1 ");
  }
  SECTION("pjlink: --on starts it powered on") {
    check_serves({"simulate", "pjlink", "--port=0", "--on"}, "%1POWR ?\r", "%1POWR=1\r");
  }
  SECTION("modbus: each --unit answers with its preset") {
    check_serves({"simulate", "modbus", "--port", "0", "--bind", "127.0.0.1", "--unit", "1:xy_md02",
                  "--unit", "104:s8"},
                 "\x00\x07\x00\x00\x00\x06\x68\x04\x00\x03\x00\x01"s,
                 "\x00\x07\x00\x00\x00\x05\x68\x04\x02"s);
  }
  SECTION("samsung_mdc: every --id answers, powered on with --on") {
    check_serves({"simulate", "samsung_mdc", "--port", "0", "--id", "1", "--id", "2", "--on",
                  "--fault", "none"},
                 "\xAA\x11\x02\x00\x13"s, "\xAA\xFF\x02\x03\x41\x11\x01\x57"s);
  }
  SECTION("sony_bravia: --on starts it powered on") {
    check_serves({"simulate", "sony_bravia", "--port", "0", "--on", "--idle", "30s",
                  "--notify-before", "--fault", "none"},
                 "*SEPOWR################\n", "*SAPOWR0000000000000001\n");
  }
  SECTION("extron_sis: a password prompt, and the size asked for") {
    RoomdProcess roomd({"simulate", "extron_sis", "--port", "0", "--password", "P", "--inputs", "4",
                        "--outputs", "2", "--front-panel", "10s", "--fault", "none"});
    CHECK_THAT(roomd.first_line(), Catch::Contains("(DXP 88 HDMI, 4x2) serving telnet"));
    REQUIRE(roomd.port() > 0);
    std::string got;
    CHECK(roomd::test::exchange(roomd.port(), "", "Password:", got));
    CHECK(roomd.stop() == 0);
  }
  SECTION("extron_sis: --front-panel makes ties on its own") {
    check_serves({"simulate", "extron_sis", "--port", "0", "--inputs", "1", "--outputs", "1",
                  "--front-panel", "20ms"},
                 "\x1b"
                 "3CV\r",
                 "Out1 In1 All");  // reports go to verbose mode 1 and 3
  }
}

TEST_CASE("every simulator the demo script starts serves", "[cli][simulate]") {
  std::ifstream in(std::string(ROOMD_SOURCE_DIR) + "/scripts/demo");
  std::string script(std::istreambuf_iterator<char>(in), {});
  for (auto at = script.find("\\\n"); at != std::string::npos; at = script.find("\\\n"))
    script.replace(at, 2, " ");
  roomd::test::TempDir dir;
  std::istringstream lines(script);
  int started = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.find("\"$roomd\" simulate ") != 0) continue;
    // The same command line, on a free port and with its pty linked in a fresh directory.
    std::vector<std::string> args;
    std::istringstream words(line.substr(line.find("simulate")));
    std::string link;
    for (std::string word; words >> word;) {
      if (word == "&") continue;
      if (!args.empty() && args.back() == "--port") word = "0";
      if (!args.empty() && args.back() == "--link")
        word = link = dir.path() + "/" + std::filesystem::path(word).filename().string();
      args.push_back(word);
    }
    INFO(line);
    RoomdProcess roomd(args);
    CHECK_THAT(roomd.first_line(), Catch::Contains(" serving ") || Catch::Contains(" listening "));
    if (!link.empty()) CHECK(std::filesystem::is_symlink(link));
    CHECK(roomd.stop() == 0);
    ++started;
  }
  CHECK(started == 6);
}
