// roomd's `dialects` section: the settings of the real-time dialects served besides the
// native protocol (dialects.md), one object per dialect. Part of the config schema;
// config_loader calls it.
#pragma once

#include "config/config.hpp"
#include "config/object_reader.hpp"

namespace roomd {

DialectsConfig parse_dialects(validation::ObjectReader r);

}  // namespace roomd
