// roomd run when the world around it fails: the disk fills up under a running box (its file
// size limit lowered from outside, as LimitFSIZE= or a full filesystem would make writes
// fail), and the broker's TLS: a client certificate signed by the test CA connects, a wrong
// CA is one clear error while the box goes on serving.
#include "tests/main/store_and_forward_support.hpp"
#include "tests/support/mosquitto_broker.hpp"

#include <catch2/catch.hpp>

#include <sys/resource.h>

namespace roomd::test {
namespace {

std::int64_t field(int port, const char* name) {
  auto report = outbox_report(port);
  if (!report.is_object() || !report.contains(name)) return -1;
  const auto& value = report[name];
  return value.is_boolean() ? static_cast<std::int64_t>(value.get<bool>())
                            : value.get<std::int64_t>();
}

// Waits until the outbox reports `name` >= `at_least`; the value it last saw.
std::int64_t wait_field(int port, const char* name, std::int64_t at_least) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::int64_t value = field(port, name);
  while (value < at_least && std::chrono::steady_clock::now() < deadline) value = field(port, name);
  return value;
}

// Sets the soft limit of `pid`'s file sizes; the one it had before.
rlim_t set_file_size_limit(int pid, rlim_t bytes) {
  rlimit limit{};
  REQUIRE(prlimit(pid, RLIMIT_FSIZE, nullptr, &limit) == 0);
  const auto before = limit.rlim_cur;
  limit.rlim_cur = bytes;
  REQUIRE(prlimit(pid, RLIMIT_FSIZE, &limit, nullptr) == 0);
  return before;
}

std::string tls_upstream(const MosquittoBroker& broker, const std::string& ca_file) {
  const auto& certs = TestCertificates::get();
  return R"({ "mqtt": { "url": "mqtts://127.0.0.1:)" + std::to_string(broker.tls_port()) +
         R"(", "ca_file": ")" + ca_file + R"(", "cert_file": ")" + certs.client_cert +
         R"(", "key_file": ")" + certs.client_key +
         R"(", "backoff_min": "100ms", "backoff_max": "300ms" } })";
}

}  // namespace

TEST_CASE(
    "the disk fills up under roomd run: the API answers while records are refused and "
    "storing resumes when space returns",
    "[cli][outbox]") {
  TempDir dir;
  RoomdProcess roomd({"run", "--config", write_config(dir)});
  const int port = api_port(roomd);
  REQUIRE(port > 0);
  for (int level = 0; level < 10; ++level) REQUIRE_FALSE(set_volume(port, level).empty());
  REQUIRE(wait_field(port, "committed_seq", 10) >= 10);

  // No file may grow past 4 KiB: every write of a WAL frame fails, as on a full disk.
  const auto unlimited = set_file_size_limit(roomd.pid(), 4096);
  for (int level = 0; level < 20; ++level) REQUIRE_FALSE(set_volume(port, level).empty());
  const auto refused = wait_field(port, "refused", 20);
  CHECK(refused >= 20);
  CHECK_FALSE(roomd.wait_for("the disk is full or the file cannot grow").empty());
  const auto committed_while_full = field(port, "committed_seq");
  CHECK(http(port, "GET", "/healthz", kOperatorKey).first == "HTTP/1.1 200 OK");

  set_file_size_limit(roomd.pid(), unlimited);
  for (int level = 0; level < 10; ++level) REQUIRE_FALSE(set_volume(port, level).empty());
  CHECK_FALSE(roomd.wait_for("storing again after").empty());
  // Records queued before the limit went (and the warning's own record) may still have been
  // refused until then; from now on nothing is, and what is refused stays counted.
  const auto refused_in_all = field(port, "refused");
  CHECK(refused_in_all >= refused);
  const auto stored_again = field(port, "committed_seq");
  CHECK(stored_again > committed_while_full);
  for (int level = 0; level < 20; ++level) REQUIRE_FALSE(set_volume(port, level).empty());
  const auto committed = wait_field(port, "committed_seq", stored_again + 20);
  CHECK(committed >= stored_again + 20);
  CHECK(field(port, "refused") == refused_in_all);
  REQUIRE(roomd.stop() == 0);

  const auto db_path = dir.path() + "/outbox.db";
  CHECK(integrity(db_path) == "ok");
  // A refused batch takes no seqs with it: what was stored counts up from 1 without a gap.
  const auto seqs = stored_seqs(db_path, 1);
  REQUIRE(seqs.size() >= static_cast<std::size_t>(committed));
  for (std::size_t i = 0; i < seqs.size(); ++i)
    REQUIRE(seqs[i] == static_cast<std::int64_t>(i) + 1);
}

TEST_CASE("roomd run reaches a TLS broker with a client certificate and the test CA",
          "[cli][upstream]") {
  MosquittoBroker broker(BrokerOptions{.tls = true, .require_client_cert = true});
  boost::asio::io_context io;
  MqttTestSubscriber sub(io, test_mqtt_options(broker));
  REQUIRE(sub.subscribe("roomd/room-9/online"));
  TempDir dir;
  RoomdProcess roomd({"run", "--config",
                      write_config(dir, tls_upstream(broker, TestCertificates::get().ca_file))});
  REQUIRE(api_port(roomd) > 0);
  const auto out = roomd.wait_for("connected to MQTT broker");
  INFO(out);
  CHECK(out.find("connected to MQTT broker 127.0.0.1:" + std::to_string(broker.tls_port()) +
                 " (MQTT 3.1.1, TLS)") != std::string::npos);
  CHECK(wait_online(io, sub, true));
}

TEST_CASE("roomd run with the wrong CA for its broker says so once and goes on serving",
          "[cli][upstream]") {
  MosquittoBroker broker(BrokerOptions{.tls = true});
  TempDir dir;
  RoomdProcess roomd(
      {"run", "--config",
       write_config(dir, tls_upstream(broker, TestCertificates::get().other_ca_file))});
  const int port = api_port(roomd);
  REQUIRE(port > 0);
  const auto out = roomd.wait_for("certificate verify failed");
  CHECK(out.find("TLS handshake with 127.0.0.1:" + std::to_string(broker.tls_port()) +
                 " failed: certificate verify failed; check upstream.mqtt.ca_file") !=
        std::string::npos);
  CHECK(field(port, "connected") == 0);
  REQUIRE_FALSE(set_volume(port, 5).empty());
  CHECK(wait_field(port, "committed_seq", 1) >= 1);
}

}  // namespace roomd::test
