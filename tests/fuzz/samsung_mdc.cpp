// Fuzz target: the Samsung MDC driver's `received`, fed display bytes between its methods.
#include "tests/fuzz/driver_harness.hpp"

namespace {

const roomd::fuzz::DriverFuzzSpec kSpec = {
    .driver = "samsung_mdc",
    .settings = {{{"display_id", 1}}, {{"display_id", 0}}, {{"display_id", 253}}},
    .calls =
        {
            {"power", {true}},
            {"power", {false}},
            {"switch_to", {"hdmi1"}},
            {"switch_to", {"displayport"}},
            {"volume", {42}},
            {"mute", {true}},
            {"status?"},
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
