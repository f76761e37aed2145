#include "config/units.hpp"
