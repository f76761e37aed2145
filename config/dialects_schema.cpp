#include "config/dialects_schema.hpp"

namespace roomd {

namespace {

using namespace validation;

// Below this a status event would cost more than the figures are worth, and a ping or an
// authorization window would be shorter than a busy link's round trip.
constexpr Duration kMinPeriod{100};

// The largest body the HTTP server reads (uplink/http/http_request.hpp): a payload above it
// could never arrive over long-polling.
constexpr std::uint64_t kMaxPayload = 1 << 20;

void at_least(ObjectReader& r, std::string_view key, Duration& out, Duration min) {
  if (r.duration(key, out) && out < min)
    r.at(key).error("must be at least " + std::to_string(min.count()) + "ms, got " +
                    std::to_string(out.count()) + "ms");
}

OpenFrameConfig parse_openframe(ObjectReader r) {
  OpenFrameConfig openframe;
  at_least(r, "status_every", openframe.status_every, kMinPeriod);
  r.reject_unknown_keys();
  return openframe;
}

DasConfig parse_das(ObjectReader r) {
  DasConfig das;
  at_least(r, "auth_window", das.auth_window, kMinPeriod);
  at_least(r, "ping_interval", das.ping_interval, kMinPeriod);
  at_least(r, "ping_timeout", das.ping_timeout, kMinPeriod);
  r.read("max_payload", das.max_payload, kOptional, [](const Json& value, const Validator& v) {
    return as_size_in(value, v, 1024, kMaxPayload);
  });
  r.reject_unknown_keys();
  return das;
}

}  // namespace

DialectsConfig parse_dialects(ObjectReader r) {
  DialectsConfig dialects;
  dialects.openframe = parse_openframe(r.child("openframe"));
  dialects.das = parse_das(r.child("das"));
  r.reject_unknown_keys();
  return dialects;
}

}  // namespace roomd
