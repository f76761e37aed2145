#include "tests/support/wait.hpp"
#include "tests/uplink/mqtt/upstream_fixture.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

using namespace roomd;
using namespace roomd::test;
using namespace std::chrono_literals;

namespace {

const std::string kEvents = std::string("roomd/") + kBox + "/events";

// The events a consumer received, each seq once (the first time), in arrival order; a
// duplicate must repeat its first copy exactly (same epoch, seq and content).
struct Received {
  std::vector<std::uint64_t> seqs;
  std::size_t duplicates = 0;
};

Received received(const std::vector<MqttMessage>& messages, std::uint64_t epoch) {
  Received out;
  std::map<std::uint64_t, std::string> first;
  for (const auto& message : messages) {
    REQUIRE(message.topic == kEvents);
    const auto record = Json::parse(message.payload);
    REQUIRE(record.at("box") == kBox);
    REQUIRE(record.at("epoch") == epoch);
    const auto seq = record.at("seq").get<std::uint64_t>();
    auto [at, inserted] = first.emplace(seq, message.payload);
    if (inserted) {
      out.seqs.push_back(seq);
    } else {
      ++out.duplicates;
      REQUIRE(at->second == message.payload);
    }
  }
  return out;
}

std::vector<std::uint64_t> one_to(std::uint64_t n) {
  std::vector<std::uint64_t> seqs;
  for (std::uint64_t i = 1; i <= n; ++i) seqs.push_back(i);
  return seqs;
}

}  // namespace

TEST_CASE("records stored while the broker was down all arrive in order once it is up") {
  constexpr int kRecords = 10000;
  UpstreamFixture fx;
  boost::asio::io_context io;
  MqttTestSubscriber consumer(io, fx.consumer_options("consumer-outage"));
  REQUIRE(consumer.subscribe(kEvents));
  fx.broker.stop();

  fx.start();
  fx.append(kRecords);
  const auto stats = fx.outbox.stats();
  REQUIRE(stats.committed_seq == kRecords);
  REQUIRE(stats.pending == kRecords);
  CHECK_FALSE(fx.upstream->connected());

  fx.broker.start();
  std::size_t most_in_flight = 0;
  REQUIRE(run_until(
      io,
      [&] {
        most_in_flight = std::max(most_in_flight, fx.upstream->in_flight());
        return consumer.messages().size() >= kRecords;
      },
      60s));
  CHECK(most_in_flight <= static_cast<std::size_t>(fx.config.inflight));
  // Nothing more than what was committed: give a stray record the time to show up.
  REQUIRE(wait_until([&] { return fx.outbox.stats().pending == 0; }));
  fx.outbox.flush();
  CHECK(fx.outbox.stats().pending == 0);
  const auto got = received(consumer.messages(), fx.outbox.epoch());
  CHECK(got.duplicates == 0);
  CHECK(got.seqs == one_to(kRecords));
  CHECK(consumer.messages().size() == kRecords);
  CHECK(fx.upstream->drained() == kRecords);
}

TEST_CASE("a broker restart in the middle of a drain loses nothing") {
  constexpr int kRecords = 4000;
  UpstreamFixture fx;
  fx.config.drain_rate = 2000;  // about two seconds of drain, so the restart lands inside it
  boost::asio::io_context io;
  MqttTestSubscriber consumer(io, fx.consumer_options("consumer-restart"));
  REQUIRE(consumer.subscribe(kEvents));
  fx.start();
  fx.append(kRecords);
  REQUIRE(consumer.wait_for(500, 20s));
  fx.broker.stop();
  REQUIRE(fx.outbox.stats().pending > 0);  // the drain was interrupted
  fx.broker.start();

  REQUIRE(wait_until([&] { return fx.outbox.stats().pending == 0; }, 60s));
  REQUIRE(run_until(
      io, [&] { return received(consumer.messages(), fx.outbox.epoch()).seqs.size() >= kRecords; },
      30s));
  const auto got = received(consumer.messages(), fx.outbox.epoch());
  CHECK(got.seqs == one_to(kRecords));
}

TEST_CASE("records committed while connected are drained as they come") {
  UpstreamFixture fx;
  boost::asio::io_context io;
  MqttTestSubscriber consumer(io, fx.consumer_options("consumer-live"));
  REQUIRE(consumer.subscribe(kEvents));
  fx.start();
  REQUIRE(wait_until([&] { return fx.upstream->connected(); }));
  fx.append(3);
  REQUIRE(consumer.wait_for(3));
  fx.append(2);  // seqs 4 and 5: woken by the commit, not by a reconnect
  REQUIRE(consumer.wait_for(5));
  CHECK(received(consumer.messages(), fx.outbox.epoch()).seqs == one_to(5));
  const auto record = Json::parse(consumer.messages()[0].payload);
  CHECK(record.at("kind") == "log");
  CHECK(record.at("msg") == "record 1");
}

TEST_CASE("drain_rate paces the drain") {
  constexpr int kRecords = 200;
  constexpr double kRate = 100;
  UpstreamFixture fx;
  fx.config.drain_rate = kRate;
  boost::asio::io_context io;
  MqttTestSubscriber consumer(io, fx.consumer_options("consumer-rate"));
  REQUIRE(consumer.subscribe(kEvents));
  fx.append(kRecords);
  fx.start();
  REQUIRE(consumer.wait_for(1));
  const auto first = Clock::now();
  REQUIRE(consumer.wait_for(kRecords, 30s));
  const auto took = std::chrono::duration<double>(Clock::now() - first).count();
  // At most a tenth of a second's worth goes in a burst: 190 records need 1.9 s at 100/s.
  CHECK(took >= 1.5);
  CHECK(received(consumer.messages(), fx.outbox.epoch()).seqs == one_to(kRecords));
}
