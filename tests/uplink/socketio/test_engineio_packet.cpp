// Engine.IO v4 packets and polling payloads, byte for byte as the protocol document gives them.
#include "uplink/socketio/engineio_packet.hpp"

#include <catch2/catch.hpp>

namespace roomd::engineio {
namespace {

std::vector<Packet> decoded(std::string_view body) {
  std::string error;
  auto packets = decode_payload(body, error);
  INFO(error);
  REQUIRE(packets);
  return *packets;
}

std::string refusal(std::string_view body) {
  std::string error;
  auto packets = decode_payload(body, error);
  CHECK_FALSE(packets);
  return error;
}

TEST_CASE("engine.io: packets are the type digit and their data", "[socketio]") {
  CHECK(encode(PacketType::open, R"({"sid":"x"})") == R"(0{"sid":"x"})");
  CHECK(encode(PacketType::close) == "1");
  CHECK(encode(PacketType::ping) == "2");
  CHECK(encode(PacketType::pong, "probe") == "3probe");
  CHECK(encode(PacketType::message, "hello") == "4hello");
  CHECK(encode(PacketType::upgrade) == "5");
  CHECK(encode(PacketType::noop) == "6");
  CHECK(decode("4hello") == Packet{PacketType::message, "hello", false});
  CHECK(decode("2probe") == Packet{PacketType::ping, "probe", false});
  CHECK(decode("5") == Packet{PacketType::upgrade, "", false});
  CHECK_FALSE(decode(""));
  CHECK_FALSE(decode("7"));
  CHECK_FALSE(decode("x4"));
}

TEST_CASE("engine.io: a payload joins packets with the record separator", "[socketio]") {
  CHECK(encode_payload({"4hello", "2", "4€uro"}) ==
        "4hello\x1e"
        "2\x1e"
        "4€uro");
  CHECK(encode_payload({"6"}) == "6");
  const auto packets = decoded(
      "4hello\x1e"
      "4world\x1e"
      "3");
  REQUIRE(packets.size() == 3);
  CHECK(packets[0] == Packet{PacketType::message, "hello", false});
  CHECK(packets[1] == Packet{PacketType::message, "world", false});
  CHECK(packets[2] == Packet{PacketType::pong, "", false});
  // A message's data may hold anything but the separator, digits and JSON included.
  CHECK(decoded(R"(42["message",{"id":1}])").at(0).data == R"(2["message",{"id":1}])");
}

TEST_CASE("engine.io: binary packets in a payload are base64", "[socketio]") {
  const auto packets = decoded(
      "bAQIDBA==\x1e"
      "4text");
  REQUIRE(packets.size() == 2);
  CHECK(packets[0] == Packet{PacketType::message, std::string("\x01\x02\x03\x04", 4), true});
  CHECK(packets[1] == Packet{PacketType::message, "text", false});
  CHECK(decoded("b").at(0) == Packet{PacketType::message, "", true});
}

TEST_CASE("engine.io: bad payloads are refused whole - saying why", "[socketio]") {
  CHECK(refusal("") == "empty payload");
  CHECK(refusal("4a\x1e\x1e"
                "4b") == "packet 2 is empty");
  CHECK(refusal("4a\x1e") == "packet 2 is empty");
  CHECK(refusal("9") == "packet 1: unknown packet type");
  CHECK(refusal("4ok\x1e"
                "b!!!!") == "packet 2: bad base64 in a binary packet");
  CHECK(refusal("bAQI") == "packet 1: bad base64 in a binary packet");
  CHECK(refusal("bA=QI") == "packet 1: bad base64 in a binary packet");
  // Nothing of a refused body reaches anyone, however long or odd it is.
  CHECK(refusal(std::string(100000, '\x1e')) == "packet 1 is empty");
  CHECK(refusal(std::string("4\0\xff", 3) + "\x1e"
                                            "\xff") == "packet 2: unknown packet type");
}

}  // namespace
}  // namespace roomd::engineio
