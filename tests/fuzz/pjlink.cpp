// Fuzz target: the PJLink driver's `received`, greeting and password handshake included, fed
// projector bytes between its methods.
#include "tests/fuzz/driver_harness.hpp"

namespace {

const roomd::fuzz::DriverFuzzSpec kSpec = {
    .driver = "pjlink",
    .settings = {roomd::Json::object(), {{"password", "JBMIAProjectorLink"}}},
    .calls =
        {
            {"power", {true}},
            {"power", {false}},
            {"power?"},
            {"switch_to", {"digital1"}},
            {"switch_to", {"31"}},
            {"input?"},
            {"mute", {"video", true}},
            {"mute", {"both", false}},
            {"mute?"},
            {"errors?"},
            {"lamp_hours?"},
            {"name?"},
        },
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return roomd::fuzz::fuzz_driver(kSpec, data, size);
}
