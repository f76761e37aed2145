// The OpenFrame request parser on its own: topics and filters as the session gets them.
#include "uplink/openframe/openframe_request.hpp"

#include <catch2/catch.hpp>

using namespace roomd::openframe;

TEST_CASE("openframe request: a subscribe with topics once each and every filter") {
  auto parsed = parse_request(R"({"type": "subscribe", "topics": ["alerts", "devices", "alerts"],
    "filters": {"severity": "high", "system": ["sys-1", "sys-2"], "status": "online",
                "device_id": []}})");
  REQUIRE(std::holds_alternative<Request>(parsed));
  const auto& request = std::get<Request>(parsed);
  CHECK(request.kind == Request::Kind::subscribe);
  CHECK(request.topics == std::vector<TopicId>{TopicId::alerts, TopicId::devices});
  CHECK(request.filters.severity == std::vector<std::string>{"high"});
  CHECK(request.filters.system == std::vector<std::string>{"sys-1", "sys-2"});
  CHECK(request.filters.status == std::vector<std::string>{"online"});
  CHECK(request.filters.device_id.empty());
}

TEST_CASE("openframe request: an unsubscribe needs only its topics") {
  auto parsed = parse_request(R"({"type": "unsubscribe", "topics": ["system_status"]})");
  REQUIRE(std::holds_alternative<Request>(parsed));
  CHECK(std::get<Request>(parsed).kind == Request::Kind::unsubscribe);
  CHECK(std::get<Request>(parsed).topics == std::vector<TopicId>{TopicId::system_status});
}

TEST_CASE("openframe request: a long bad value is quoted short") {
  auto parsed =
      parse_request(R"({"type": "subscribe", "topics": [")" + std::string(5000, 'x') + R"("]})");
  REQUIRE(std::holds_alternative<RequestError>(parsed));
  const auto& error = std::get<RequestError>(parsed);
  CHECK(std::string(error.code) == "SUBSCRIPTION_ERROR");
  CHECK(error.message.size() < 300);
}
