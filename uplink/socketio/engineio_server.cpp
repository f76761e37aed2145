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
                            Executor executor, std::function<void(HttpResponse)> done) {
  const auto query = query_of(request);
  if (auto error = check_query(query)) return done(engineio::error_answer(request, *error));
  if (!query.sid) {
    if (request.method() != http::verb::get)
      return done(engineio::error_answer(request, Error::bad_handshake_method));
    // A WebSocket handshake comes as an upgrade, never as a plain GET.
    if (query.transport != "polling")
      return done(engineio::error_answer(request, Error::bad_request));
    if (api.stopped || sessions_.size() >= api.config.max_connections) {
      if (!api.stopped)
        if (auto more = api.warnings.slow.pass())
          api.log.warn("Socket.IO handshake from ", peer, " refused: ", sessions_.size(),
                       " sessions open, api.max_connections", *more);
      return done(
          engineio::error_answer(request, Error::forbidden, http::status::service_unavailable));
    }
    auto session = open_session(api.shared(), std::move(peer), std::move(executor));
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

std::unique_ptr<WsDialect> EngineIoServer::open_websocket(const WsOpening& opening) {
  constexpr std::uint16_t kPolicy = 1008;
  constexpr std::uint16_t kTryAgainLater = 1013;
  const auto query = query_of(opening.request);
  if (!query.sid) {
    if (opening.api->stopped || sessions_.size() >= opening.api->config.max_connections) {
      opening.out.close_after(kTryAgainLater);
      return std::make_unique<EngineIoWebSocket>(nullptr, opening.out);
    }
    auto session = open_session(opening.api, opening.peer, opening.executor);
    opening.out.send(session->open_packet(false));
    session->use_websocket(opening.out);
    return std::make_unique<EngineIoWebSocket>(std::move(session), opening.out);
  }
  auto found = sessions_.find(*query.sid);
  if (found == sessions_.end() || !found->second->accept_probe(opening.out)) {
    opening.out.close_after(kPolicy);  // ended meanwhile, or not upgradable
    return std::make_unique<EngineIoWebSocket>(nullptr, opening.out);
  }
  return std::make_unique<EngineIoWebSocket>(found->second, opening.out);
}

std::shared_ptr<EngineIoSession> EngineIoServer::open_session(
    const std::shared_ptr<ApiContext>& api, std::string peer, Executor executor) {
  auto session = std::make_shared<EngineIoSession>(
      api, options_, random_session_id(), std::move(peer), std::move(executor),
      [this, alive = std::weak_ptr<bool>(alive_), context = api.get()](const std::string& sid) {
        if (alive.lock()) ended(*context, sid);
      });
  sessions_.emplace(session->sid(), session);
  api->session_opened(session);
  api->metrics.socketio_sessions = sessions_.size();
  session->start(make_handler_(api, *session));
  return session;
}

void EngineIoServer::ended(ApiContext& api, const std::string& sid) {
  sessions_.erase(sid);
  api.metrics.socketio_sessions = sessions_.size();
}

}  // namespace roomd
