// The real device links: TCP, UDP and serial transports, and Modbus buses shared by the modules
// on one line or host. The one place that names concrete transports.
#pragma once

#include "runtime/device_links.hpp"

#include <memory>

namespace roomd {

std::unique_ptr<DeviceLinks> make_device_links();

}  // namespace roomd
