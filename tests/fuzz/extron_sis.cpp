// Fuzz target: the Extron SIS driver's `received`, login and verbose-mode handshake included,
// fed switcher bytes between its methods.
#include "tests/fuzz/driver_harness.hpp"

namespace {

const roomd::fuzz::DriverFuzzSpec kSpec = {
    .driver = "extron_sis",
    .settings =
        {
            roomd::Json::object(),
            {{"password", "extron"}},
            // Online at once, without waiting for a banner: most inputs reach the answers.
            {{"login_wait", "0s"}, {"outputs", 4}},
            {{"login_wait", "0s"}, {"outputs", 8}, {"volume_min", -30}, {"volume_max", 64}},
        },
    .calls =
        {
            {"tie", {1, 2, "all"}},
            {"tie", {3, 1, "video"}},
            {"tie", {0, 4, "audio"}},
            {"switch_to", {2}},
            {"volume", {50}},
            {"mute", {true}},
            {"audio_mute", {false}},
            {"video_mute", {true}},
            {"firmware?"},
        },
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return roomd::fuzz::fuzz_driver(kSpec, data, size);
}
