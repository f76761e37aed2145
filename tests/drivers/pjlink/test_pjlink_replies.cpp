// The PJLink driver against replies no simulator sends, played byte by byte on a fake line:
// what the fuzzer found, kept as tests (tests/fuzz/regressions/pjlink holds the inputs).
#include "tests/support/fake_line_module.hpp"

#include <catch2/catch.hpp>

using roomd::Json;
using roomd::test::FakeLineModule;

namespace {

// Greeted without a password and polled once: the projector is in standby.
void greet(FakeLineModule& projector) {
  projector.settle();
  projector.device_sends("PJLINK 0\r");
  REQUIRE(projector.line.written() == "%1POWR ?\r");
  projector.device_sends("%1POWR=0\r");
  REQUIRE(projector.state("power") == Json(false));
}

}  // namespace

TEST_CASE("lamp hours too long for an int are ignored, not overflowed", "[pjlink][driver]") {
  FakeLineModule projector("pjlink");
  greet(projector);
  projector.device_sends("%1LAMP=99999999999 1\r");
  CHECK(projector.state("lamp_hours") == Json(nullptr));
  projector.device_sends("%1LAMP=-5 1\r");
  CHECK(projector.state("lamp_hours") == Json(nullptr));
  projector.device_sends("%1LAMP=12345 1 678 0\r");
  CHECK(projector.state("lamp_hours") == Json(12345));
}
