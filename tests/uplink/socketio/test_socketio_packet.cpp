// Socket.IO v5 packets, byte for byte as the protocol document gives them.
#include "uplink/socketio/socketio_packet.hpp"

#include <catch2/catch.hpp>

namespace roomd::socketio {
namespace {

Packet decoded(std::string_view text) {
  std::string error;
  auto packet = decode(text, error);
  INFO(error);
  REQUIRE(packet);
  return *packet;
}

std::string refusal(std::string_view text) {
  std::string error;
  CHECK_FALSE(decode(text, error));
  return error;
}

TEST_CASE("socket.io: connect - with or without auth - on a namespace or the main one",
          "[socketio]") {
  CHECK(decoded("0") == Packet{PacketType::connect, "/", std::nullopt, ""});
  CHECK(decoded(R"(0{"token":"123"})") ==
        Packet{PacketType::connect, "/", std::nullopt, R"({"token":"123"})"});
  CHECK(decoded("0/admin,") == Packet{PacketType::connect, "/admin", std::nullopt, ""});
  CHECK(decoded(R"(0/admin,{"x":1})") ==
        Packet{PacketType::connect, "/admin", std::nullopt, R"({"x":1})"});
  CHECK(encode({PacketType::connect, "/", std::nullopt, R"({"sid":"abc"})"}) ==
        R"(0{"sid":"abc"})");
  CHECK(encode({PacketType::connect_error, "/admin", std::nullopt,
                R"({"message":"Invalid namespace"})"}) ==
        R"(4/admin,{"message":"Invalid namespace"})");
  CHECK(encode({PacketType::disconnect, "/", std::nullopt, ""}) == "1");
}

TEST_CASE("socket.io: events with and without an ack id", "[socketio]") {
  CHECK(decoded(R"(2["message",{"type":"exec"}])") ==
        Packet{PacketType::event, "/", std::nullopt, R"(["message",{"type":"exec"}])"});
  CHECK(decoded(R"(212["hello",1])") == Packet{PacketType::event, "/", 12, R"(["hello",1])"});
  CHECK(decoded(R"(2/chat,7["a"])") == Packet{PacketType::event, "/chat", 7, R"(["a"])"});
  CHECK(decoded("312[]") == Packet{PacketType::ack, "/", 12, "[]"});
  CHECK(encode({PacketType::event, "/", std::nullopt, R"(["message",{}])"}) ==
        R"(2["message",{}])");
  CHECK(encode({PacketType::ack, "/", 3, "[]"}) == "33[]");
}

TEST_CASE("socket.io: binary packets parse - and their count is checked", "[socketio]") {
  CHECK(decoded(R"(51-["up",{"_placeholder":true,"num":0}])").type == PacketType::binary_event);
  CHECK(decoded(R"(61-/chat,4[{"_placeholder":true,"num":0}])") ==
        Packet{PacketType::binary_ack, "/chat", 4, R"([{"_placeholder":true,"num":0}])"});
  CHECK(refusal(R"(5["up"])") == "binary packet without its attachment count");
  CHECK(refusal(R"(5x-["up"])") == "binary packet with a bad attachment count");
}

TEST_CASE("socket.io: what is not a packet is refused - saying why", "[socketio]") {
  CHECK(refusal("") == "empty Socket.IO packet");
  CHECK(refusal("7") == "unknown Socket.IO packet type");
  CHECK(refusal("a") == "unknown Socket.IO packet type");
  CHECK(refusal("21234567890123456789012[]") == "ack id too long");
  // The payload is JSON: an array or an object. (A fuzzer found "1/,/,4/" reading back as
  // "1/,4/" once encoded.)
  CHECK(refusal("1/,/,4/") == "the payload is neither a JSON array nor an object");
  CHECK(refusal("2hello") == "the payload is neither a JSON array nor an object");
  CHECK(refusal("2/chat,1x") == "the payload is neither a JSON array nor an object");
}

}  // namespace
}  // namespace roomd::socketio
