#include "uplink/mqtt/mqtt_client.hpp"

#include "base/backoff.hpp"
#include "base/text.hpp"
#include "uplink/mqtt/mqtt_connection_log.hpp"
#include "uplink/mqtt/mqtt_failure_text.hpp"

#include <mosquitto.h>
#include <pthread.h>
#include <signal.h>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace roomd {

namespace {

// How long one turn of the loop may sleep: the bound on noticing a connect deadline.
constexpr int kLoopTimeoutMs = 100;
// Turns of the loop given to sending the DISCONNECT when stopping.
constexpr int kFlushTurns = 10;
constexpr int kFlushTimeoutMs = 50;
constexpr std::chrono::seconds kMinConnectTimeout{5};
constexpr int kMinKeepalive = 5;   // libmosquitto refuses less
constexpr int kRefusedAck = 0x80;  // SUBACK failure (3.1.1) and the first MQTT 5 error code

void init_library() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

// OpenSSL would ask on the terminal for an encrypted key's passphrase; a daemon must fail.
int no_key_passphrase(char*, int, int, void*) {
  return 0;
}

std::string trimmed_error(int rc, int saved_errno) {
  std::string text = rc == MOSQ_ERR_ERRNO ? std::strerror(saved_errno) : mosquitto_strerror(rc);
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

std::string unreadable_file(std::string_view key, const std::string& path) {
  if (path.empty() || std::ifstream(path).good()) return {};
  return "cannot read upstream.mqtt." + std::string(key) + " \"" + path +
         "\": " + std::strerror(errno);
}

}  // namespace

class MqttClient::Core : public std::enable_shared_from_this<Core> {
 public:
  Core(Executor executor, MqttOptions options, LogSink sink)
      : strand_(asio::make_strand(executor)),
        options_(std::move(options)),
        endpoint_(mqtt_endpoint(options_)),
        sink_(std::move(sink)),
        connection_log_(endpoint_,
                        [this](LogLevel level, std::string line) { log(level, std::move(line)); }) {
    init_library();
  }

  std::function<void()> on_connected;
  std::function<void(std::string)> on_disconnected;
  std::function<void(MqttMessage)> on_message;

  void start() {
    std::lock_guard lock(mutex_);
    if (thread_.joinable() || stopping_) return;
    thread_ = std::thread([this] { run(); });
  }

  void stop() {
    stopped_ = true;
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      // Wakes the thread's select() at once, and starts the clean disconnect.
      if (mosq_) mosquitto_disconnect(mosq_);
    }
    wake_.notify_all();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
  }

  bool connected() const { return connected_; }

  void publish(std::string topic, std::string payload, int qos, bool retain, Done done) {
    std::string refused;
    {
      std::lock_guard lock(mutex_);
      if (session_up_) {
        int mid = 0;
        // Under the lock: the acknowledgement is matched to `done` under it too.
        const int rc =
            mosquitto_publish(mosq_, &mid, topic.c_str(), static_cast<int>(payload.size()),
                              payload.data(), qos, retain);
        if (rc == MOSQ_ERR_SUCCESS) {
          if (done) pending_.emplace(mid, std::move(done));
          return;
        }
        if (rc != MOSQ_ERR_NO_CONN) refused = trimmed_error(rc, errno);
      }
    }
    if (!refused.empty())
      log(LogLevel::warn, "MQTT publish to \"" + excerpt(topic) + "\" refused: " + refused);
    if (done) deliver([done = std::move(done)] { done(false); });
  }

  void subscribe(std::string topic, int qos, Done done) {
    if (mosquitto_sub_topic_check(topic.c_str()) != MOSQ_ERR_SUCCESS) {
      log(LogLevel::warn, "MQTT subscription to \"" + excerpt(topic) +
                              "\" refused: not a valid "
                              "topic filter");
      if (done) deliver([done = std::move(done)] { done(false); });
      return;
    }
    std::lock_guard lock(mutex_);
    subscriptions_.push_back({std::move(topic), qos, std::move(done), -1});
    if (session_up_) send_subscribe(subscriptions_.back());
  }

 private:
  struct Subscription {
    std::string topic;
    int qos;
    Done done;  // until the first SUBACK
    int mid;    // of the SUBSCRIBE in flight on this connection, -1 if none
  };

  // What libmosquitto's callbacks report, handled by the thread after each turn of the loop
  // and outside the library's locks, so they never wait on mutex_ while publish() holds it.
  struct Event {
    enum class Kind { connack, disconnect, acked, subscribed, message, log } kind;
    int code = 0;  // CONNACK code, or the mid of an acknowledgement
    bool ok = true;
    MqttMessage message;
    std::string text;
  };

  template <class F>
  void deliver(F&& f) {
    asio::post(strand_, [self = shared_from_this(), f = std::forward<F>(f)]() mutable {
      if (!self->stopped_) f();
    });
  }

  void log(LogLevel level, std::string line) {
    if (sink_)
      deliver([this, level, line = std::move(line)]() mutable { sink_(level, std::move(line)); });
  }

  bool stopping() {
    std::lock_guard lock(mutex_);
    return stopping_;
  }

  void run() {
    // Signals belong to the event loop's thread; SIGPIPE from a TLS write to a dead socket
    // must become EPIPE here, never a dead process.
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
    Backoff backoff(options_.backoff_min, options_.backoff_max);
    while (!stopping()) {
      if (session()) {
        // The first retry after a loss waits between backoff_min and twice it, so boxes that
        // lost the same broker do not all come back in the same instant.
        backoff.reset();
        backoff.next_delay();
      }
      if (stopping()) break;
      const auto delay = backoff.next_delay();
      connection_log_.waiting(delay);
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, delay, [this] { return stopping_; });
    }
  }

  // One connection, from mosquitto_new to mosquitto_destroy; true if the broker accepted it.
  bool session() {
    refusal_ = -1;
    tls_error_.clear();
    std::string failure;
    mosquitto* m = create(failure);
    if (!m) {
      connection_log_.failed(failure, Clock::now());
      return false;
    }
    bool up = false;
    // DNS, and the TCP connect started; the thread's own until published in mosq_.
    int rc = mosquitto_connect_bind_async(
        m, options_.host.c_str(), options_.port,
        std::max(kMinKeepalive, static_cast<int>(options_.keepalive.count())), nullptr);
    int saved_errno = errno;
    handle_events(up);  // an OpenSSL error logged while loading the certificates
    std::string reason;
    if (rc != MOSQ_ERR_SUCCESS) reason = failure_text(rc, saved_errno, false);
    {
      std::lock_guard lock(mutex_);
      if (!stopping_) mosq_ = m;
    }
    const auto deadline =
        Clock::now() + std::max<Clock::duration>(options_.keepalive, kMinConnectTimeout);
    while (reason.empty()) {
      if (stopping()) {
        if (up) send_disconnect(m);
        break;
      }
      rc = mosquitto_loop(m, kLoopTimeoutMs, 1);
      saved_errno = errno;
      bool ended = handle_events(up);
      if (rc != MOSQ_ERR_SUCCESS || ended || refusal_ >= 0) {
        reason = failure_text(rc, saved_errno, up);
      } else if (!up && Clock::now() > deadline) {
        reason = "no answer to CONNECT from MQTT broker " + endpoint_ +
                 " in time; check that "
                 "upstream.mqtt.url names an MQTT port (mqtts:// for a TLS port)";
      }
    }
    teardown(m, up, reason);
    return up;
  }

  // stop() queued the DISCONNECT; a few turns of the loop write it, so the broker ends the
  // session cleanly instead of publishing the last will.
  static void send_disconnect(mosquitto* m) {
    for (int turn = 0; turn < kFlushTurns; ++turn)
      if (mosquitto_loop(m, kFlushTimeoutMs, 1) != MOSQ_ERR_SUCCESS) return;
  }

  mosquitto* create(std::string& failure) {
    for (const auto& [key, path] :
         {std::pair{"ca_file", &options_.ca_file}, std::pair{"cert_file", &options_.cert_file},
          std::pair{"key_file", &options_.key_file}}) {
      failure = unreadable_file(key, *path);
      if (!failure.empty()) return nullptr;
    }
    const char* id = options_.client_id.empty() ? nullptr : options_.client_id.c_str();
    mosquitto* m = mosquitto_new(id, options_.clean_session || !id, this);
    if (!m) {
      failure = "cannot create the MQTT client: " + std::string(std::strerror(errno));
      return nullptr;
    }
    mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION,
                         options_.protocol == 5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
    mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_threaded_set(m, true);
    install_callbacks(m);
    int rc = MOSQ_ERR_SUCCESS;
    if (!options_.username.empty())
      rc = mosquitto_username_pw_set(
          m, options_.username.c_str(),
          options_.password.empty() ? nullptr : options_.password.c_str());
    if (rc == MOSQ_ERR_SUCCESS && options_.will)
      rc = mosquitto_will_set(
          m, options_.will->topic.c_str(), static_cast<int>(options_.will->payload.size()),
          options_.will->payload.data(), options_.will->qos, options_.will->retain);
    if (rc != MOSQ_ERR_SUCCESS) {
      failure = "invalid MQTT settings for " + endpoint_ + ": " + trimmed_error(rc, errno) +
                " (username, or the last will's topic and payload)";
    } else if (options_.tls) {
      failure = set_tls(m);
    }
    if (!failure.empty()) {
      mosquitto_destroy(m);
      return nullptr;
    }
    return m;
  }

  std::string set_tls(mosquitto* m) {
    const auto path = [](const std::string& s) { return s.empty() ? nullptr : s.c_str(); };
    if (options_.cert_file.empty() != options_.key_file.empty())
      return "upstream.mqtt.cert_file and upstream.mqtt.key_file go together; set both or neither";
    int rc = MOSQ_ERR_SUCCESS;
    if (options_.ca_file.empty()) rc = mosquitto_int_option(m, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
    if (rc == MOSQ_ERR_SUCCESS && (!options_.ca_file.empty() || !options_.cert_file.empty()))
      rc = mosquitto_tls_set(m, path(options_.ca_file),
                             options_.ca_file.empty() ? "/etc/ssl/certs" : nullptr,
                             path(options_.cert_file), path(options_.key_file), no_key_passphrase);
    if (rc == MOSQ_ERR_SUCCESS) return {};
    return "cannot set up TLS for MQTT broker " + endpoint_ + ": " + trimmed_error(rc, errno) +
           "; check upstream.mqtt.ca_file, cert_file and key_file";
  }

  static Core& self(void* obj) { return *static_cast<Core*>(obj); }

  void install_callbacks(mosquitto* m) {
    mosquitto_connect_v5_callback_set(
        m, [](mosquitto*, void* obj, int rc, int, const mosquitto_property*) {
          self(obj).push({.kind = Event::Kind::connack, .code = rc});
        });
    mosquitto_disconnect_v5_callback_set(
        m, [](mosquitto*, void* obj, int rc, const mosquitto_property*) {
          self(obj).push({.kind = Event::Kind::disconnect, .code = rc});
        });
    mosquitto_publish_v5_callback_set(
        m, [](mosquitto*, void* obj, int mid, int reason, const mosquitto_property*) {
          self(obj).push({.kind = Event::Kind::acked, .code = mid, .ok = reason < kRefusedAck});
        });
    mosquitto_subscribe_v5_callback_set(m, [](mosquitto*, void* obj, int mid, int count,
                                              const int* granted, const mosquitto_property*) {
      const bool ok = count > 0 && granted[0] < kRefusedAck;
      self(obj).push({.kind = Event::Kind::subscribed, .code = mid, .ok = ok});
    });
    mosquitto_message_v5_callback_set(m, [](mosquitto*, void* obj, const mosquitto_message* message,
                                            const mosquitto_property*) {
      const auto* bytes = static_cast<const char*>(message->payload);
      self(obj).push({.kind = Event::Kind::message,
                      .message = {message->topic, std::string(bytes, bytes + message->payloadlen),
                                  message->qos, message->retain}});
    });
    mosquitto_log_callback_set(m, [](mosquitto*, void* obj, int, const char* line) {
      self(obj).push({.kind = Event::Kind::log, .text = line});
    });
  }

  void push(Event event) {
    std::lock_guard lock(events_mutex_);
    events_.push_back(std::move(event));
  }

  // Handles what the last turn of the loop reported; true if the connection ended.
  bool handle_events(bool& up) {
    std::vector<Event> events;
    {
      std::lock_guard lock(events_mutex_);
      events.swap(events_);
    }
    bool ended = false;
    for (auto& event : events) {
      switch (event.kind) {
        case Event::Kind::connack:
          if (event.code != 0) {
            refusal_ = event.code;
          } else {
            up = true;
            session_started();
          }
          break;
        case Event::Kind::disconnect:
          ended = true;
          break;
        case Event::Kind::acked:
          complete(event.code, event.ok);
          break;
        case Event::Kind::subscribed:
          subscribed(event.code, event.ok);
          break;
        case Event::Kind::message:
          deliver([this, message = std::move(event.message)]() mutable {
            if (on_message) on_message(std::move(message));
          });
          break;
        case Event::Kind::log:
          library_log(event.text);
          break;
      }
    }
    return ended;
  }

  void session_started() {
    {
      std::lock_guard lock(mutex_);
      session_up_ = true;
      connected_ = true;
      warned_refused_publish_ = false;
      for (auto& subscription : subscriptions_) send_subscribe(subscription);
    }
    const std::string how = std::string(options_.protocol == 5 ? "MQTT 5" : "MQTT 3.1.1") +
                            (options_.tls ? ", TLS" : "");
    connection_log_.connected(how, Clock::now());
    deliver([this] {
      if (on_connected) on_connected();
    });
  }

  // Under mutex_.
  void send_subscribe(Subscription& subscription) {
    int mid = -1;
    if (mosquitto_subscribe(mosq_, &mid, subscription.topic.c_str(), subscription.qos) !=
        MOSQ_ERR_SUCCESS)
      mid = -1;  // the connection is ending; the next one subscribes again
    subscription.mid = mid;
  }

  void complete(int mid, bool ok) {
    Done done;
    {
      std::lock_guard lock(mutex_);
      auto it = pending_.find(mid);
      if (it == pending_.end()) return;
      done = std::move(it->second);
      pending_.erase(it);
    }
    if (!ok && !warned_refused_publish_) {
      warned_refused_publish_ = true;  // once per connection: a denied topic is denied for all
      log(LogLevel::warn, "MQTT broker " + endpoint_ +
                              " refused a publish (not authorised for the "
                              "topic, or over its quota); check the broker's access rules");
    }
    deliver([done = std::move(done), ok] { done(ok); });
  }

  void subscribed(int mid, bool ok) {
    Done done;
    std::string topic;
    {
      std::lock_guard lock(mutex_);
      auto it = std::find_if(subscriptions_.begin(), subscriptions_.end(),
                             [mid](const Subscription& s) { return s.mid == mid; });
      if (it == subscriptions_.end()) return;
      it->mid = -1;
      topic = it->topic;
      done = std::move(it->done);
      it->done = nullptr;
    }
    if (!ok)
      log(LogLevel::warn, "MQTT broker " + endpoint_ + " refused the subscription to \"" +
                              excerpt(topic) + "\"; check the broker's access rules");
    if (done) deliver([done = std::move(done), ok] { done(ok); });
  }

  void library_log(const std::string& line) {
    if (auto reason = openssl_reason(line); !reason.empty()) tls_error_ = reason;
    if (!options_.library_log) return;
    std::string masked = line;
    if (!options_.password.empty())
      for (auto at = masked.find(options_.password); at != std::string::npos;
           at = masked.find(options_.password, at + 3))
        masked.replace(at, options_.password.size(), "***");
    log(LogLevel::debug, "libmosquitto: " + masked);
  }

  std::string failure_text(int rc, int saved_errno, bool up) const {
    if (refusal_ >= 0)
      return "MQTT broker " + endpoint_ +
             " refused the connection: " + connack_refusal_text(options_.protocol, refusal_);
    if (!tls_error_.empty())
      return "TLS handshake with " + endpoint_ + " failed: " + tls_error_ + "; " +
             tls_failure_hint(tls_error_);
    if (rc == MOSQ_ERR_SUCCESS || rc == MOSQ_ERR_NO_CONN) rc = MOSQ_ERR_CONN_LOST;
    const std::string what = trimmed_error(rc, saved_errno);
    if (up) return what;
    // In TLS 1.3 the broker checks the client's certificate after the client thinks the
    // handshake is done: a missing or refused one ends the session before CONNACK, with or
    // without OpenSSL's alert reaching us first.
    if (options_.tls && (rc == MOSQ_ERR_PROTOCOL || rc == MOSQ_ERR_CONN_LOST ||
                         rc == MOSQ_ERR_TLS || (rc == MOSQ_ERR_ERRNO && saved_errno == ECONNRESET)))
      return "TLS handshake with " + endpoint_ +
             " failed: the broker ended the session before answering CONNECT (" + what +
             "); check upstream.mqtt.cert_file and upstream.mqtt.key_file (a broker that "
             "requires client certificates does this to a client without an accepted one) and "
             "upstream.mqtt.ca_file";
    if (rc == MOSQ_ERR_EAI)
      return "cannot resolve the MQTT broker's host " + options_.host +
             "; check upstream.mqtt.url and the box's DNS";
    return "cannot connect to MQTT broker " + endpoint_ + ": " + what +
           "; check that the broker runs and listens there (upstream.mqtt.url) and the network "
           "path to it";
  }

  void teardown(mosquitto* m, bool up, const std::string& reason) {
    std::map<int, Done> unacknowledged;
    {
      std::lock_guard lock(mutex_);
      mosq_ = nullptr;
      session_up_ = false;
      connected_ = false;
      unacknowledged.swap(pending_);
      for (auto& subscription : subscriptions_) subscription.mid = -1;
    }
    mosquitto_destroy(m);
    {
      std::lock_guard lock(events_mutex_);
      events_.clear();
    }
    if (stopping()) return;
    for (auto& [mid, done] : unacknowledged) deliver([done = std::move(done)] { done(false); });
    if (up) {
      connection_log_.lost(reason, Clock::now());
      deliver([this, reason] {
        if (on_disconnected) on_disconnected(reason);
      });
    } else {
      connection_log_.failed(reason, Clock::now());
    }
  }

  asio::strand<Executor> strand_;
  const MqttOptions options_;
  const std::string endpoint_;
  LogSink sink_;
  std::atomic<bool> stopped_{false};  // no callback runs once set
  std::atomic<bool> connected_{false};

  std::mutex mutex_;  // what publish(), subscribe() and stop() share with the thread
  std::condition_variable wake_;
  bool stopping_ = false;
  bool session_up_ = false;
  mosquitto* mosq_ = nullptr;
  std::map<int, Done> pending_;  // by mid
  std::vector<Subscription> subscriptions_;
  std::thread thread_;

  std::mutex events_mutex_;
  std::vector<Event> events_;

  // The thread's own.
  MqttConnectionLog connection_log_;
  int refusal_ = -1;
  std::string tls_error_;
  bool warned_refused_publish_ = false;
};

MqttClient::MqttClient(Executor executor, MqttOptions options, LogSink log)
    : core_(std::make_shared<Core>(std::move(executor), std::move(options), std::move(log))) {}

MqttClient::~MqttClient() {
  stop();
}

void MqttClient::on_connected(std::function<void()> handler) {
  core_->on_connected = std::move(handler);
}

void MqttClient::on_disconnected(std::function<void(std::string)> handler) {
  core_->on_disconnected = std::move(handler);
}

void MqttClient::on_message(std::function<void(MqttMessage)> handler) {
  core_->on_message = std::move(handler);
}

void MqttClient::start() {
  core_->start();
}
void MqttClient::stop() {
  core_->stop();
}
bool MqttClient::connected() const {
  return core_->connected();
}

void MqttClient::publish(std::string topic, std::string payload, int qos, bool retain, Done done) {
  core_->publish(std::move(topic), std::move(payload), qos, retain, std::move(done));
}

void MqttClient::subscribe(std::string topic, int qos, Done done) {
  core_->subscribe(std::move(topic), qos, std::move(done));
}

}  // namespace roomd
