#include "uplink/socketio/das_session.hpp"

#include "base/text.hpp"
#include "uplink/core/history_json.hpp"
#include "uplink/http/api_context.hpp"

#include <algorithm>
#include <cctype>

namespace roomd {

namespace {

// How much recent history of each changed variable a subject_update carries.
constexpr std::size_t kTrackPoints = 10;

const Json* field(const Json& message, std::string_view key) {
  auto found = message.find(key);
  return found == message.end() ? nullptr : &*found;
}

// The key in "Bearer <key>" (the scheme in any case); empty when it is not that.
std::string bearer_key(const Json* authorization) {
  if (authorization == nullptr || !authorization->is_string()) return {};
  const auto& text = authorization->get_ref<const std::string&>();
  constexpr std::string_view kScheme = "bearer ";
  if (text.size() <= kScheme.size()) return {};
  for (std::size_t i = 0; i < kScheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[i])) != kScheme[i]) return {};
  auto key = text.substr(kScheme.size());
  key.erase(0, key.find_first_not_of(' '));
  return key;
}

// False when `systems` is absent or null: the request is about every system.
bool names_systems(const Json& message) {
  const Json* systems = field(message, "systems");
  return systems != nullptr && !systems->is_null();
}

// The `systems` of a request: its list, or nullopt (with `error`) when it is not one.
std::optional<std::vector<std::string>> systems_of(const Json& message, std::string& error) {
  const Json* systems = field(message, "systems");
  std::vector<std::string> ids;
  if (systems == nullptr || systems->is_null()) return ids;
  if (!systems->is_array()) {
    error = "systems: expected a list of system ids, got " + json_excerpt(*systems);
    return std::nullopt;
  }
  for (const auto& id : *systems) {
    if (!id.is_string()) {
      error = "systems: expected system ids (strings), got " + json_excerpt(id);
      return std::nullopt;
    }
    ids.push_back(id.get<std::string>());
  }
  return ids;
}

}  // namespace

DasSession::DasSession(std::shared_ptr<ApiContext> api, std::shared_ptr<DasFeed> feed,
                       SocketIoOutput& out, Executor executor, Duration auth_window)
    : api_(std::move(api)),
      feed_(std::move(feed)),
      out_(out),
      executor_(std::move(executor)),
      auth_timer_(executor_) {
  auth_timer_.expires_after(auth_window);
  auth_timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_),
                          window = auth_window](const boost::system::error_code& ec) {
    if (ec || !alive.lock() || closed_ || client_) return;
    if (auto more = api_->warnings.unauthorized.pass())
      api_->log.info("DAS client ", out_.peer(), " sent no authorization within ",
                     "dialects.das.auth_window (", window.count(), " ms); disconnected", *more);
    out_.disconnect("no authorization in time");
    close();
  });
}

DasSession::~DasSession() {
  close();
}

void DasSession::on_message(const Json& message) {
  if (closed_) return;
  if (!message.is_object())
    return answer("error", nullptr, 400,
                  "a DAS message is a JSON object with a \"type\", got " + json_excerpt(message));
  const Json* id_field = field(message, "id");
  const Json id = id_field ? *id_field : Json(nullptr);
  const Json* type_field = field(message, "type");
  if (type_field == nullptr || !type_field->is_string())
    return answer("error", id, 400, "a DAS message needs a \"type\" (a string)");
  const auto& type = type_field->get_ref<const std::string&>();
  if (type == "authorization") {
    if (client_) return answer("authorization", id, 400, "already authorized");
    return authorize(id, message);
  }
  if (!client_)
    return refuse_authorization(id, "error",
                                "the first message must be the authorization: {\"type\": "
                                "\"authorization\", \"Authorization\": \"Bearer <API key>\"}");
  if (type == "subscribe") return subscribe(id, message);
  if (type == "unsubscribe") return unsubscribe(id, message);
  if (type == "exec") return exec(id, message);
  answer("error", id, 400,
         "unknown type " + excerpt(type) +
             "; DAS knows authorization, subscribe, unsubscribe "
             "and exec");
}

void DasSession::on_refused(const std::string& why) {
  if (closed_) return;
  answer("error", nullptr, 400, why);
}

void DasSession::authorize(const Json& id, const Json& message) {
  const auto key = bearer_key(field(message, "Authorization"));
  if (key.empty())
    return refuse_authorization(id, "authorization", "Authorization must be \"Bearer <API key>\"");
  const Grant* grant = api_->keys.authenticate(key);
  if (grant == nullptr)
    return refuse_authorization(id, "authorization",
                                "unknown API key (fingerprint " + key_fingerprint(key) + ")");
  auth_timer_.cancel();
  client_ = std::make_shared<Client>(api_, Caller{*grant, out_.peer(), "DAS", executor_},
                                     static_cast<NotifySink&>(*this));
  track_ = grant->at_least(Role::op);
  out_.set_key_id(grant->key_id);
  answer("authorization", id, 200, "OK");
}

void DasSession::refuse_authorization(const Json& id, std::string_view type,
                                      const std::string& why) {
  if (auto more = api_->warnings.unauthorized.pass())
    api_->log.warn("DAS client ", out_.peer(), " refused: ", why, *more);
  answer(type, id, 401, why);
  out_.disconnect("not authorized");
  close();
}

void DasSession::subscribe(const Json& id, const Json& message) {
  std::string error;
  auto wanted = systems_of(message, error);
  if (!wanted) return answer("subscribe", id, 400, error);
  const auto& caller = client_->caller();
  if (!names_systems(message))  // none named: every system in the key's scope
    for (const auto& sys : api_->visible_systems(caller)) wanted->push_back(sys.id);
  std::vector<SystemView> views;
  for (const auto& sys_id : *wanted) {
    auto view = api_->system(caller, sys_id);
    if (auto* failure = std::get_if<Failure>(&view))
      return answer("subscribe", id, http_status_of(*failure), failure->message);
    views.push_back(std::move(std::get<SystemView>(view)));
  }
  std::vector<const Subject*> fresh;
  for (const auto& view : views) {
    if (!systems_.insert(view.id).second) continue;
    for (const auto& member : view.modules) {
      auto it = subjects_.emplace(
          member.module_id,
          Subject{view.id, member.module_id, member.name + "_" + std::to_string(member.index),
                  member.driver});
      fresh.push_back(&it->second);
    }
  }
  if (!watching_ && !systems_.empty()) {
    feed_->add(*api_, *this);
    watching_ = true;
  }
  answer("subscribe", id, 200, "OK", {{"systems", systems_}});
  // What each module is now, so a panel starts from the truth; changes follow.
  for (const auto* subject : fresh) out_.emit_message(subject_update(*subject, nullptr));
}

void DasSession::unsubscribe(const Json& id, const Json& message) {
  std::string error;
  auto named = systems_of(message, error);
  if (!named) return answer("unsubscribe", id, 400, error);
  std::vector<std::string> gone;
  const bool all = !names_systems(message);
  for (auto it = systems_.begin(); it != systems_.end();) {
    if (all || std::find(named->begin(), named->end(), *it) != named->end()) {
      gone.push_back(*it);
      it = systems_.erase(it);
    } else {
      ++it;
    }
  }
  std::erase_if(subjects_, [&](const auto& entry) {
    return std::find(gone.begin(), gone.end(), entry.second.sys) != gone.end();
  });
  if (watching_ && systems_.empty()) {
    feed_->remove(*this);
    watching_ = false;
  }
  answer("unsubscribe", id, 200, "OK", {{"systems", gone}});
}

void DasSession::exec(const Json& id, const Json& message) {
  const Json* sys = field(message, "sys");
  const Json* mod = field(message, "mod");
  const Json* index = field(message, "index");
  const Json* name = field(message, "name");
  const Json* args = field(message, "args");
  if (!sys || !sys->is_string() || !mod || !mod->is_string() || !name || !name->is_string())
    return answer("exec", id, 400,
                  "exec needs \"sys\", \"mod\" and \"name\" (strings), \"index\" (a number, 1 "
                  "when absent) and \"args\" (a list)");
  if (index && !(index->is_number_integer() && index->get<long long>() >= 1 &&
                 index->get<long long>() <= 1000000))
    return answer("exec", id, 400,
                  "index: expected a positive integer, got " + json_excerpt(*index));
  if (args && !args->is_array())
    return answer("exec", id, 400, "args: expected a list, got " + json_excerpt(*args));
  Target target{sys->get<std::string>(), mod->get<std::string>(), index ? index->get<int>() : 1};
  client_->exec(target, name->get<std::string>(), args ? *args : Json::array(),
                [this, alive = std::weak_ptr<bool>(alive_), id](Result<Json> outcome) {
                  if (!alive.lock() || closed_) return;
                  if (auto* failure = std::get_if<Failure>(&outcome))
                    return answer("exec", id, http_status_of(*failure),
                                  std::string(meaning_of(failure->code)) + ": " + failure->message);
                  answer("exec", id, 200, "OK", {{"value", std::get<Json>(std::move(outcome))}});
                });
}

void DasSession::answer(std::string_view type, const Json& id, int code, const std::string& message,
                        Json extra) {
  Json reply{{"type", "resp_" + std::string(type)},
             {"resp_id", id},
             {"status", {{"code", code}, {"message", message}}}};
  for (auto& [key, value] : extra.items()) reply[key] = std::move(value);
  out_.emit_message(to_text(reply));
}

void DasSession::on_change(const DasChange& change, DasSubjectTexts& texts) {
  if (closed_) return;
  auto [first, last] = subjects_.equal_range(change.module_id);
  for (auto it = first; it != last; ++it) {
    const auto& subject = it->second;
    out_.emit_message(texts.get(subject.sys, subject.name, track_,
                                [&] { return subject_update(subject, &change); }));
  }
}

std::string DasSession::subject_update(const Subject& subject, const DasChange* change) {
  Json status = Json::object();
  auto module = api_->module_by_id(client_->caller(), subject.module_id, Role::viewer, "subscribe");
  if (auto** found = std::get_if<Module*>(&module)) status = api_->module_state(**found);
  // This change's value, whatever came after it: each update tells its own change.
  if (change) status[change->name] = change->point.value;
  const auto connected = status.find("connected");
  Json data{
      {"id", subject.module_id},
      {"system", subject.sys},
      {"name", subject.name},
      {"driver", subject.driver},
      {"connected", connected != status.end() && connected->is_boolean() && connected->get<bool>()},
      {"status", std::move(status)},
      {"changed", change ? Json::array({change->name}) : Json::array()}};
  if (track_) {
    Json track = Json::object();
    if (change) {
      HistoryQuery query;
      query.until = change->point.t;
      query.limit = kTrackPoints;
      auto points = api_->history(change->module_id, change->name, query);
      if (auto* found = std::get_if<std::vector<HistoryPoint>>(&points)) {
        std::reverse(found->begin(), found->end());  // oldest first
        track[change->name] = history_points_json(*found);
      }
    }
    data["track"] = std::move(track);
  }
  return to_text(Json{{"type", "subject_update"}, {"data", std::move(data)}});
}

void DasSession::close() {
  if (closed_) return;
  closed_ = true;
  alive_.reset();
  auth_timer_.cancel();
  if (watching_) feed_->remove(*this);
  watching_ = false;
  if (client_) client_->close();
}

}  // namespace roomd
