// `roomd run` with api.tls, as an integrator sets it up: HTTPS answers with a certificate the
// test made (checked by the openssl client against its CA and the name localhost), plain HTTP
// on the port gets no HTTP answer, and check-config names a key that is not the
// certificate's.
#include "tests/main/roomd_process.hpp"
#include "tests/main/store_and_forward_support.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/mosquitto_broker.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>

namespace roomd::test {
namespace {

std::string write_tls_config(const TempDir& dir, int port, const std::string& key_file) {
  const auto& certs = TestCertificates::get();
  const auto path = dir.path() + "/roomd.json";
  std::ofstream(path) << R"({ "box": { "id": "room-9", "state_dir": ")" << dir.path()
                      << R"(" }, "api": { "listen": "127.0.0.1:)" << port << R"(",
      "keys": [ { "id": "ops", "key": ")"
                      << kAdminKey << R"(", "role": "admin", "systems": ["*"] } ],
      "tls": { "cert_file": ")"
                      << certs.server_cert << R"(", "key_file": ")" << key_file << R"(" } },
    "modules": [ { "id": "mod-room", "driver": "room", "name": "System" } ],
    "systems": [ { "id": "sys-9", "modules": ["mod-room"] } ] })";
  return path;
}

// Output (stdout and stderr) and exit status of a shell command.
std::pair<std::string, int> shell(const std::string& command) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buffer[4096];
  while (auto n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  const int status = pclose(pipe);
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

}  // namespace

TEST_CASE("roomd run with api.tls serves HTTPS and nothing in clear", "[cli][tls]") {
  TempDir dir;
  const auto& certs = TestCertificates::get();
  const int port = free_loopback_port();
  RoomdProcess roomd({"run", "--config", write_tls_config(dir, port, certs.server_key)});
  CHECK_THAT(roomd.wait_for("API listening"), Catch::Contains("HTTPS and WSS only"));

  // The answer arrives only if the certificate verifies for localhost against the test's CA.
  const auto [out, status] =
      shell("printf 'GET /api/engine/v2/systems HTTP/1.1\\r\\nHost: localhost\\r\\nX-API-Key: " +
            std::string(kAdminKey) +
            "\\r\\nConnection: close\\r\\n\\r\\n' | timeout 10 openssl s_client -quiet -connect "
            "127.0.0.1:" +
            std::to_string(port) + " -servername localhost -verify_hostname localhost -CAfile " +
            certs.ca_file + " -verify_return_error");
  INFO(out);
  CHECK(status == 0);
  CHECK_THAT(out, Catch::Contains("HTTP/1.1 200 OK"));
  CHECK_THAT(out, Catch::Contains(R"("id":"sys-9")"));

  CHECK(http(port, "GET", "/healthz", kAdminKey).first.empty());
  CHECK_THAT(roomd.wait_for("TLS handshake from 127.0.0.1:"), Catch::Contains("https://"));
  CHECK(roomd.stop() == 0);
}

TEST_CASE("check-config names a TLS key that is not the certificate's", "[cli][tls]") {
  TempDir dir;
  const auto& certs = TestCertificates::get();
  const auto config = write_tls_config(dir, free_loopback_port(), certs.client_key);
  const auto [out, status] = shell(std::string(ROOMD_BINARY) + " check-config " + config);
  CHECK(status == 2);
  CHECK_THAT(out, Catch::Contains("api.tls.key_file: the private key in " + certs.client_key +
                                  " does not belong to the certificate in " + certs.server_cert));
}

}  // namespace roomd::test
