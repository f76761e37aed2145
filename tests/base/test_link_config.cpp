// The text a serial port setting is shown as, in logs, errors and `roomd ports`.
#include "base/link_config.hpp"

#include <catch2/catch.hpp>

using namespace roomd;

TEST_CASE("serial port specs as text") {
  CHECK(SerialPortSpec{"/dev/ttyUSB0", std::nullopt}.describe() == "/dev/ttyUSB0");
  CHECK(SerialPortSpec{"", UsbIdentity{"0403", "6001", "A1B2"}}.describe() ==
        "usb 0403:6001 serial A1B2");
  CHECK(SerialPortSpec{"", UsbIdentity{"0403", "6001", ""}}.describe() == "usb 0403:6001");
}

TEST_CASE("the standard baud rates run from 50 to 4,000,000 in order") {
  CHECK(kStandardBaudRates.front() == 50);
  CHECK(kStandardBaudRates.back() == 4000000);
  CHECK(std::is_sorted(kStandardBaudRates.begin(), kStandardBaudRates.end()));
}
