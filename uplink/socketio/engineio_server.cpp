#include "uplink/socketio/engineio_server.hpp"

#include "uplink/http/api_context.hpp"
#include "uplink/http/url.hpp"
#include "uplink/socketio/engineio_http.hpp"
#include "uplink/socketio/engineio_websocket.hpp"
#include "uplink/socketio/session_id.hpp"

namespace roomd {

namespace {

using engineio::Error;

struct Query {
  std::optional<std::string> eio;
  std::optional<std::string> transport;
  std::optional<std::string> sid;
};

Query query_of(const HttpRequest& request) {
  const auto query = url::split_target(request.target()).query;
  return {url::query_param(query, "EIO"), url::query_param(query, "transport"),
          url::query_param(query, "sid")};
}

// "10.0.0.7" of "10.0.0.7:51234" (or of "::1:51234 key panel"): sessions are bounded per
// address.
std::string address_of(const std::string& peer) {
  const auto endpoint = peer.substr(0, peer.find(' '));
  const auto colon = endpoint.rfind(':');
  return colon == std::string::npos ? endpoint : endpoint.substr(0, colon);
}

// The browser's preflight before a cross-origin request with headers of its own (a client's
// extraHeaders).
HttpResponse preflight_answer(const HttpRequest& request) {
  HttpResponse response(http::status::no_content, request.version());
  response.keep_alive(request.keep_alive());
  response.set(http::field::access_control_allow_origin, "*");
  response.set(http::field::access_control_allow_methods, "GET, POST");
  if (auto headers = request[http::field::access_control_request_headers]; !headers.empty())
    response.set(http::field::access_control_allow_headers, headers);
  response.set(http::field::access_control_max_age, "86400");
  response.prepare_payload();
  return response;
}

// The protocol's refusal of a request whose version or transport it does not speak.
std::optional<Error> check_query(const Query& query) {
  if (query.eio != "4") return Error::unsupported_protocol_version;
  if (query.transport != "polling" && query.transport != "websocket")
    return Error::transport_unknown;
  return std::nullopt;
}

}  // namespace

EngineIoServer::EngineIoServer(EngineIoOptions options, HandlerFactory make_handler)
    : options_(options), make_handler_(std::move(make_handler)) {}

EngineIoServer::~EngineIoServer() {
  alive_.reset();
}

void EngineIoServer::handle(ApiContext& api, const HttpRequest& request, std::string peer,
                            Executor executor, std::function<void(HttpResponse)> answer) {
  if (request.method() == http::verb::options) return answer(preflight_answer(request));
  // Any page may talk to the endpoint: DAS clients authorize in their first message, never with
  // cookies or other credentials a browser would add on its own. (The request is gone by the
  // time a held GET is answered.)
  auto done = [cross_origin = request.count(http::field::origin) > 0,
               answer = std::move(answer)](HttpResponse response) {
    if (cross_origin) response.set(http::field::access_control_allow_origin, "*");
    answer(std::move(response));
  };
  const auto query = query_of(request);
  if (auto error = check_query(query)) return done(engineio::error_answer(request, *error));
  if (!query.sid) {
    if (request.method() != http::verb::get)
      return done(engineio::error_answer(request, Error::bad_handshake_method));
    // A WebSocket handshake comes as an upgrade, never as a plain GET.
    if (query.transport != "polling")
      return done(engineio::error_answer(request, Error::bad_request));
    if (!admits(api, peer))
      return done(
          engineio::error_answer(request, Error::forbidden, http::status::service_unavailable));
    auto session = open_session(api.shared(), std::move(peer), std::move(executor));
    if (!session)
      return done(
          engineio::error_answer(request, Error::forbidden, http::status::service_unavailable));
    return done(engineio::payload_answer(request, session->open_packet(true)));
  }
  auto found = sessions_.find(*query.sid);
  if (found == sessions_.end())
    return done(engineio::error_answer(request, Error::session_unknown));
  if (query.transport != "polling")
    return done(engineio::error_answer(request, Error::bad_request));
  auto session = found->second;  // the request may end it
  if (request.method() == http::verb::get) return session->poll(request, std::move(done));
  if (request.method() == http::verb::post) return session->post(request, std::move(done));
  done(engineio::error_answer(request, Error::bad_request));
}

std::optional<HttpResponse> EngineIoServer::refuse_upgrade(const HttpRequest& request) const {
  const auto query = query_of(request);
  auto error = check_query(query);
  if (!error && query.transport != "websocket") error = Error::bad_request;
  if (!error && query.sid && !sessions_.count(*query.sid)) error = Error::session_unknown;
  if (!error) return std::nullopt;
  auto answer = engineio::error_answer(request, *error);
  answer.keep_alive(false);
  return answer;
}

bool EngineIoServer::admits(ApiContext& api, const std::string& peer) {
  if (api.stopped) return false;
  const auto here = per_address_.find(address_of(peer));
  const auto from_here = here == per_address_.end() ? 0 : here->second;
  const bool full = sessions_.size() >= api.config.max_connections;
  if (!full && from_here < api.config.max_connections_per_address) return true;
  ++api.metrics.connections_rejected;
  if (auto more = api.warnings.refused.pass())
    api.log.warn("Socket.IO handshake from ", peer, " refused: ",
                 full ? std::to_string(sessions_.size()) + " sessions open (api.max_connections)"
                      : std::to_string(from_here) +
                            " sessions open from that address (api.max_connections_per_address)",
                 *more);
  return false;
}

std::unique_ptr<WsDialect> EngineIoServer::open_websocket(const WsOpening& opening) {
  const auto query = query_of(opening.request);
  if (!query.sid) {
    if (!admits(*opening.api, opening.peer)) {
      opening.out.close_after(kWsCloseTryAgainLater);
      return std::make_unique<EngineIoWebSocket>(nullptr, opening.out);
    }
    auto session = open_session(opening.api, opening.peer, opening.executor);
    if (!session) {
      opening.out.close_after(kWsCloseTryAgainLater);
      return std::make_unique<EngineIoWebSocket>(nullptr, opening.out);
    }
    opening.out.send(session->open_packet(false));
    session->use_websocket(opening.out);
    return std::make_unique<EngineIoWebSocket>(std::move(session), opening.out);
  }
  auto found = sessions_.find(*query.sid);
  if (found == sessions_.end() || !found->second->accept_probe(opening.out)) {
    opening.out.close_after(kWsClosePolicy);  // ended meanwhile, or not upgradable
    return std::make_unique<EngineIoWebSocket>(nullptr, opening.out);
  }
  return std::make_unique<EngineIoWebSocket>(found->second, opening.out);
}

std::shared_ptr<EngineIoSession> EngineIoServer::open_session(
    const std::shared_ptr<ApiContext>& api, std::string peer, Executor executor) {
  std::string sid;
  try {
    sid = random_session_id();
  } catch (const std::exception& e) {
    api->log.error("Socket.IO handshake from ", peer, " refused: no session id (", e.what(),
                   "); check the kernel's random source");
    return nullptr;
  }
  auto session = std::make_shared<EngineIoSession>(
      api, options_, std::move(sid), std::move(peer), std::move(executor),
      [this, alive = std::weak_ptr<bool>(alive_), context = api.get()](const std::string& sid) {
        if (alive.lock()) ended(*context, sid);
      });
  sessions_.emplace(session->sid(), session);
  ++per_address_[address_of(session->peer())];
  api->session_opened(session);
  api->metrics.socketio_sessions = sessions_.size();
  session->start(make_handler_(api, *session));
  return session;
}

void EngineIoServer::ended(ApiContext& api, const std::string& sid) {
  auto found = sessions_.find(sid);
  if (found == sessions_.end()) return;
  auto address = per_address_.find(address_of(found->second->peer()));
  if (address != per_address_.end() && --address->second == 0) per_address_.erase(address);
  sessions_.erase(found);
  api.metrics.socketio_sessions = sessions_.size();
}

}  // namespace roomd
