#include "tests/uplink/mqtt/upstream_fixture.hpp"
#include "base/wall_clock.hpp"

#include "uplink/http/api_context.hpp"

#include <chrono>

namespace roomd::test {

namespace {

OutboxOptions options_in(const TempDir& dir) {
  OutboxOptions options;
  options.dir = dir.path();
  options.box_id = kBox;
  options.commit_every = std::chrono::milliseconds(2);
  options.log = [](LogLevel, std::string) {};
  return options;
}

}  // namespace

UpstreamFixture::UpstreamFixture(MosquittoBroker* shared)
    : own_broker(shared ? nullptr
                        : std::make_unique<MosquittoBroker>(BrokerOptions{.persistence = true})),
      broker(shared ? *shared : *own_broker),
      outbox(options_in(outbox_dir)) {
  config.url = broker.url();
  config.host = "127.0.0.1";
  config.port = static_cast<std::uint16_t>(broker.port());
  config.protocol = 5;
  config.backoff_min = std::chrono::milliseconds(50);
  config.backoff_max = std::chrono::milliseconds(400);
  config.drain_rate = 0;
}

UpstreamFixture::~UpstreamFixture() {
  stop();
}

void UpstreamFixture::start() {
  api.on_io([this] {
    upstream = std::make_unique<Upstream>(api.server().context().shared(), outbox, config, kBox);
    upstream->start();
  });
}

void UpstreamFixture::stop() {
  api.on_io([this] { upstream.reset(); });
}

void UpstreamFixture::with_upstream(const std::function<void(Upstream&)>& fn) {
  api.on_io([&] { fn(*upstream); });
}

void UpstreamFixture::append(int count) {
  for (int i = 1; i <= count; ++i)
    outbox.append(
        "log", unix_now(),
        Json{{"module", "roomd"}, {"level", "warn"}, {"msg", "record " + std::to_string(i)}});
  outbox.flush();
}

MqttOptions UpstreamFixture::consumer_options(const std::string& client_id) const {
  // MQTT 3.1.1: a session without clean_session lasts until the client comes back (MQTT 5
  // would need a session expiry interval).
  auto options = test_mqtt_options(broker, false, 311);
  options.client_id = client_id;
  options.clean_session = false;
  return options;
}

}  // namespace roomd::test
