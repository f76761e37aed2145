#include "transports/tokenizer.hpp"
