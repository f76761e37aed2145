// api.tls: the API speaks HTTPS and WSS only, with a certificate the test made. REST and a
// WebSocket round trip work over TLS; plain HTTP on the port gets nothing served in clear; a
// client that never starts its handshake is dropped at api.header_timeout; the connection
// limits and the going-away close hold under TLS.
#include "tests/support/mosquitto_broker.hpp"
#include "tests/support/wait.hpp"
#include "tests/uplink/api_fixture.hpp"
#include "uplink/http/api_context.hpp"
#include "uplink/http/tls_stream.hpp"

#include <boost/asio/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <catch2/catch.hpp>

using namespace roomd;
using namespace roomd::test;
using namespace std::chrono_literals;

namespace {

using TlsSocket = asio::ssl::stream<tcp::socket>;

const std::string kHealth = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

ApiOptions tls_options() {
  const auto& certs = TestCertificates::get();
  ApiOptions options;
  options.tls = ApiTlsConfig{certs.server_cert, certs.server_key};
  return options;
}

// Trusts one CA (the one that signed the box's certificate unless told otherwise), and checks
// the name in the box's certificate, as a browser would.
asio::ssl::context client_context(const std::string& ca_file = TestCertificates::get().ca_file) {
  asio::ssl::context context(asio::ssl::context::tls_client);
  context.load_verify_file(ca_file);
  context.set_verify_mode(asio::ssl::verify_peer);
  return context;
}

void connect_tls(TlsSocket& stream, std::uint16_t port) {
  stream.next_layer().connect({asio::ip::make_address("127.0.0.1"), port});
  stream.set_verify_callback(asio::ssl::host_name_verification("localhost"));
  stream.handshake(asio::ssl::stream_base::client);
}

HttpResult https_get(std::uint16_t port, const std::string& target, const char* key) {
  asio::io_context io;
  auto context = client_context();
  TlsSocket stream(io, context);
  connect_tls(stream, port);
  http::request<http::empty_body> request(http::verb::get, target, 11);
  request.set(http::field::host, "localhost:" + std::to_string(port));
  request.set("X-API-Key", key);
  http::write(stream, request);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response);
  return {static_cast<int>(response.result_int()),
          response.body(),
          std::string(response[http::field::content_type]),
          {}};
}

// WsClient's TLS twin: the same blocking calls with read deadlines.
class WssClient {
 public:
  WssClient(std::uint16_t port, const std::string& key)
      : context_(client_context()), ws_(io_, context_) {
    connect_tls(ws_.next_layer(), port);
    ws_.handshake("localhost:" + std::to_string(port),
                  "/api/engine/v2/systems/control?api-key=" + key);
  }
  Json request(const Json& request) {
    ws_.text(true);
    ws_.write(asio::buffer(request.dump()));
    return read_json();
  }
  Json read_json() { return Json::parse(read_message(io_, ws_, 5s)); }
  int close_code() const { return static_cast<int>(ws_.reason().code); }

 private:
  asio::io_context io_;
  asio::ssl::context context_;
  websocket::stream<TlsSocket> ws_;
};

std::uint64_t handshake_failures(ApiFixture& api) {
  std::uint64_t failures = 0;
  api.on_io([&] { failures = api.server().context().metrics.tls_handshake_failures; });
  return failures;
}

std::size_t open_connections(ApiFixture& api) {
  std::size_t open = 0;
  api.on_io([&] { open = api.server().context().limits->open(); });
  return open;
}

}  // namespace

TEST_CASE("over api.tls REST answers over HTTPS") {
  ApiFixture api(tls_options());
  auto systems = https_get(api.port(), "/api/engine/v2/systems", kAdminKey);
  REQUIRE(systems.status == 200);
  CHECK(systems.json()[0]["id"] == "sys-1");
  CHECK(https_get(api.port(), "/api/engine/v2/systems", "wrong-key").status == 401);
  CHECK(handshake_failures(api) == 0);
}

TEST_CASE("over api.tls a WebSocket binds and execs, and gets 1001 when the server stops") {
  ApiFixture api(tls_options());
  api.set_status("mod-a", "power", false);
  WssClient client(api.port(), kAdminKey);
  const Json bind = {
      {"id", 1}, {"cmd", "bind"}, {"sys", "sys-1"}, {"mod", "Display"}, {"name", "power"}};
  CHECK(client.request(bind)["type"] == "success");
  CHECK(client.read_json()["value"] == false);
  const Json exec = {{"id", 2},          {"cmd", "exec"},   {"sys", "sys-1"},
                     {"mod", "Display"}, {"name", "power"}, {"args", {true}}};
  auto answer = client.request(exec);
  // The exec's answer and the notify of the change it made, in either order.
  auto other = client.read_json();
  if (answer["type"] == "notify") std::swap(answer, other);
  CHECK(answer["id"] == 2);
  CHECK(answer["type"] == "success");
  CHECK(other["type"] == "notify");
  CHECK(other["value"] == true);

  api.on_io([&] { api.server().stop(); });
  CHECK_THROWS_AS(client.read_json(), beast::system_error);
  CHECK(client.close_code() == 1001);
  CHECK(wait_until_on(api, [&] { return api.server().open_sessions() == 0; }));
}

TEST_CASE("plain HTTP to the api.tls port is not served") {
  ApiFixture api(tls_options());
  LogRecorder log(api.runtime(), LogLevel::warn);
  auto raw = raw_exchange(api.port(), kHealth);
  CHECK(raw.closed);
  // Whatever TLS says (an alert, or nothing), never an HTTP answer.
  CHECK(raw.received.find("HTTP/") == std::string::npos);
  CHECK(raw.received.find("\"status\"") == std::string::npos);
  CHECK(wait_until([&] { return handshake_failures(api) == 1; }));
  REQUIRE(wait_until([&] { return !log.containing("TLS handshake from 127.0.0.1:").empty(); }));
  const auto line = log.containing("TLS handshake from 127.0.0.1:").front().message;
  INFO(line);
  CHECK(line.find("a plain HTTP request; the API takes https:// and wss:// only") !=
        std::string::npos);
  CHECK(wait_until([&] { return open_connections(api) == 0; }));
}

TEST_CASE("a client that refuses the certificate is one clear line, counted") {
  ApiFixture api(tls_options());
  LogRecorder log(api.runtime(), LogLevel::warn);
  asio::io_context io;
  auto context = client_context(TestCertificates::get().other_ca_file);
  TlsSocket stream(io, context);
  CHECK_THROWS_AS(connect_tls(stream, api.port()), beast::system_error);
  CHECK(wait_until([&] { return handshake_failures(api) == 1; }));
  const std::string why = "the client refused the certificate of api.tls.cert_file";
  REQUIRE(wait_until([&] { return !log.containing(why).empty(); }));
  CHECK(log.containing(why).front().message.starts_with("TLS handshake from 127.0.0.1:"));
  CHECK(log.containing("TLS handshake").size() == 1);
}

TEST_CASE("a client that never sends a ClientHello is dropped at api.header_timeout") {
  auto options = tls_options();
  options.header_timeout = 300ms;
  ApiFixture api(options);
  LogRecorder log(api.runtime(), LogLevel::warn);
  auto raw = raw_exchange(api.port(), "", 5s);
  CHECK(raw.closed);
  CHECK(raw.received.empty());
  CHECK(handshake_failures(api) == 1);
  CHECK(log.containing("none within api.header_timeout (300 ms)").size() == 1);
  CHECK(wait_until([&] { return open_connections(api) == 0; }));
  // The server still serves whoever completes a handshake.
  CHECK(https_get(api.port(), "/healthz", kAdminKey).status == 200);
}

TEST_CASE("under api.tls the per-address bound holds and a refusal is a plain close") {
  auto options = tls_options();
  options.max_connections_per_address = 2;
  ApiFixture api(options);
  asio::io_context io;
  std::vector<tcp::socket> idle;
  for (int i = 0; i < 2; ++i) idle.push_back(idle_connection(io, api.port(), "127.0.0.2"));
  REQUIRE(wait_until([&] { return open_connections(api) == 2; }));
  // No 503 in clear to a client that expects TLS: the connection just ends.
  auto refused = raw_exchange(api.port(), "", 5s, "127.0.0.2");
  CHECK(refused.closed);
  CHECK(refused.received.empty());
  api.on_io([&] { CHECK(api.server().context().metrics.http_refused_address_full == 1); });
  // Another address is served meanwhile.
  CHECK(https_get(api.port(), "/healthz", kAdminKey).status == 200);
}

TEST_CASE("the server's TLS context refuses a key that is not the certificate's") {
  const auto& certs = TestCertificates::get();
  CHECK_NOTHROW(make_api_tls_context({certs.server_cert, certs.server_key}));
  try {
    make_api_tls_context({certs.server_cert, certs.client_key});
    FAIL("a mismatched key was accepted");
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    CHECK(what.starts_with("api.tls.key_file: the private key in " + certs.client_key));
  }
}
