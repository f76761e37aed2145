// Fuzz target: the Sony Bravia driver's `received` and its resynchronisation after garbage,
// fed display bytes between its methods.
#include "tests/fuzz/driver_harness.hpp"

namespace {

const roomd::fuzz::DriverFuzzSpec kSpec = {
    .driver = "sony_bravia",
    .settings = {roomd::Json::object()},
    .calls =
        {
            {"power", {true}},
            {"power", {false}},
            {"switch_to", {"hdmi2"}},
            {"switch_to", {"component1"}},
            {"volume", {30}},
            {"mute", {true}},
            {"power?"},
            {"input?"},
            {"volume?"},
            {"mute?"},
        },
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return roomd::fuzz::fuzz_driver(kSpec, data, size);
}
