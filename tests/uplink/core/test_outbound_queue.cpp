#include "uplink/core/outbound_queue.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <string>

namespace roomd {
namespace {

SharedText text_of(std::string value) {
  return std::make_shared<const std::string>(std::move(value));
}

Binding binding_framed(std::string head, std::string tail) {
  Binding binding;
  binding.head = std::move(head);
  binding.tail = std::move(tail);
  return binding;
}

std::string wire(const OutboundQueue::Message& m) {
  return m.is_notify() ? m.head_text() + *m.value + m.tail_text() : m.text;
}

}  // namespace

TEST_CASE("outbound queue: a queued notify takes the newest value, in its place", "[outbound]") {
  OutboundQueue queue;
  auto power = binding_framed("{\"power\":", "}");
  queue.push("reply-1");
  CHECK_FALSE(queue.push_notify(power, text_of("false")));
  queue.push("reply-2");
  CHECK(queue.push_notify(power, text_of("true")));  // folded into the queued one

  REQUIRE(wire(queue.front()) == "reply-1");
  queue.pop_front();
  REQUIRE(wire(queue.front()) == "{\"power\":true}");
  queue.pop_front();
  REQUIRE(wire(queue.front()) == "reply-2");
  queue.pop_front();
  CHECK(queue.empty());
  CHECK(queue.bytes() == 0);
}

TEST_CASE("outbound queue: bytes follow every change, coalescing included", "[outbound]") {
  OutboundQueue queue;
  auto volume = binding_framed("HEAD", "TAIL");
  queue.push("12345");
  CHECK(queue.bytes() == 5);
  queue.push_notify(volume, text_of("7"));
  CHECK(queue.bytes() == 5 + 4 + 1 + 4);
  queue.push_notify(volume, text_of("100"));
  CHECK(queue.bytes() == 5 + 4 + 3 + 4);
  queue.pop_front();
  CHECK(queue.bytes() == 4 + 3 + 4);
  queue.clear();
  CHECK(queue.bytes() == 0);
  CHECK(volume.pending == nullptr);
}

TEST_CASE("outbound queue: once the notify left, a newer value queues anew", "[outbound]") {
  OutboundQueue queue;
  auto input = binding_framed("<", ">");
  queue.push_notify(input, text_of("\"hdmi1\""));
  queue.pop_front();
  CHECK(input.pending == nullptr);
  CHECK_FALSE(queue.push_notify(input, text_of("\"hdmi2\"")));
  REQUIRE(wire(queue.front()) == "<\"hdmi2\">");
}

TEST_CASE("outbound queue: a forgotten binding's notify still goes out with its framing",
          "[outbound]") {
  OutboundQueue queue;
  auto binding = std::make_unique<Binding>(binding_framed("[", "]"));
  queue.push_notify(*binding, text_of("42"));
  queue.forget(*binding);
  CHECK(binding->pending == nullptr);
  binding.reset();  // the client unbound: nothing may point at it any more
  REQUIRE(wire(queue.front()) == "[42]");
  CHECK(queue.bytes() == 4);
}

TEST_CASE("outbound queue: the oldest age is the front's", "[outbound]") {
  OutboundQueue queue;
  CHECK_FALSE(queue.oldest());
  const auto before = Clock::now();
  queue.push("a");
  queue.push("b");
  REQUIRE(queue.oldest());
  CHECK(*queue.oldest() >= before);
  CHECK(*queue.oldest() <= Clock::now());
}

}  // namespace roomd
