// The JSON value type used for settings, status values and method arguments.
#pragma once

#include <nlohmann/json.hpp>

namespace roomd {
using Json = nlohmann::json;
}
