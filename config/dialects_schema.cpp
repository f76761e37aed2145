#include "config/dialects_schema.hpp"

namespace roomd {

namespace {

using namespace validation;

// Below this a status event would cost more than the figures are worth.
constexpr Duration kMinStatusEvery{100};

OpenFrameConfig parse_openframe(ObjectReader r) {
  OpenFrameConfig openframe;
  if (r.duration("status_every", openframe.status_every) &&
      openframe.status_every < kMinStatusEvery)
    r.at("status_every")
        .error("must be at least 100ms, got " + std::to_string(openframe.status_every.count()) +
               "ms");
  r.reject_unknown_keys();
  return openframe;
}

}  // namespace

DialectsConfig parse_dialects(ObjectReader r) {
  DialectsConfig dialects;
  dialects.openframe = parse_openframe(r.child("openframe"));
  r.reject_unknown_keys();
  return dialects;
}

}  // namespace roomd
