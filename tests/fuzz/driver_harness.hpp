// Runs one built-in driver in a real Module over a fake line and lets a fuzz input play the
// device: bytes in chunks of any size, interleaved with method calls, dropped links and
// restarts. The per-driver targets only say which driver, settings and calls to use.
#pragma once

#include "base/json.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace roomd::fuzz {

struct DriverCall {
  std::string method;
  Json args = Json::array();
};

struct DriverFuzzSpec {
  std::string driver;          // a built-in driver's name: "pjlink"
  std::vector<Json> settings;  // variants the input picks from; each passes the driver's checks
  std::vector<DriverCall> calls;
};

// One input: its first bytes are what the device sends; the bytes at its end, read backwards,
// choose the settings and then, one byte per step, what happens next. A step byte `s`:
//   00nnnnnn  the device sends the next n+1 bytes, and the module handles them
//   01nnnnnn  the same, but the next step comes before the module has reacted
//   10dccccc  call number c (modulo the spec's calls); d: run until it is on the wire
//   11....kk  the link drops (0), comes up (1), drops and comes back (2); the module restarts (3)
// A raw protocol capture is therefore a useful seed as it is.
//
// Aborts (a finding) when the module fails, which a device's bytes must never cause, or when a
// call is still unanswered once the module has stopped.
int fuzz_driver(const DriverFuzzSpec& spec, const std::uint8_t* data, std::size_t size);

}  // namespace roomd::fuzz
