// Short names for Boost.Beast, included only by the uplink files that speak HTTP or
// WebSocket, so the heavy headers stay out of the rest of roomd.
#pragma once

#include "base/asio.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace roomd {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

}  // namespace roomd
