#include "transports/serial_transport.hpp"

#include "transports/link_core.hpp"
#include "transports/serial_line.hpp"
#include "transports/serial_port_resolver.hpp"
#include "transports/stream_policy.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>

#include <utility>

namespace roomd {

namespace {

// Resolves the port again at every open (a by-id link or a USB identity may now lead
// elsewhere), opens it non-blocking with the line settings, and hands the descriptor to Asio.
class SerialPolicy : public StreamPolicy {
 public:
  using Channel = asio::posix::stream_descriptor;
  static constexpr std::size_t kReadBufferSize = 4096;

  SerialPolicy(const Executor&, SerialTransportConfig cfg,
               std::shared_ptr<const PortCatalog> catalog)
      : cfg_(std::move(cfg)),
        catalog_(catalog ? std::move(catalog) : std::make_shared<SystemPortCatalog>()) {}

  template <class Done>
  void open(Channel& descriptor, const Done& done) {
    ResolvedPort resolved = resolve_serial_port(cfg_.port, *catalog_);
    if (!resolved.ok()) {
      path_.clear();
      last_error_ = resolved.message;
      done(resolved.error);
      return;
    }
    path_ = std::move(resolved.path);
    SerialLine line = SerialLine::open(path_, cfg_.line);
    if (!line.is_open()) {
      last_error_ = line.message();
      done(line.error());
      return;
    }
    error_code ec;
    descriptor.assign(line.fd(), ec);
    if (ec) {
      // Not taken over: `line` still closes it.
      last_error_ = "cannot watch serial port " + path_ + ": " + ec.message();
      done(ec);
      return;
    }
    line.release();
    done(ec);
  }

  void opened(Channel&) { last_error_.clear(); }

  // EIO (an unplugged adapter, a pty whose other side closed), EOF (a hang-up), ENODEV,
  // EBADF: the port is gone either way, so all end the link.
  void lost(const error_code& ec) {
    last_error_ = "serial port " + path_ + " went away: " + ec.message();
  }

  std::string describe() const {
    return "serial " + (path_.empty() ? cfg_.port.describe() : path_);
  }
  std::string last_error() const { return last_error_; }

 private:
  SerialTransportConfig cfg_;
  std::shared_ptr<const PortCatalog> catalog_;
  std::string path_;  // the device last resolved, for describe()
  std::string last_error_;
};

}  // namespace

SerialTransport::SerialTransport(Executor executor, SerialTransportConfig config,
                                 std::shared_ptr<const PortCatalog> catalog)
    : Link(make_link_core<SerialPolicy>(executor, Backoff(config.backoff_min, config.backoff_max),
                                        std::move(config), std::move(catalog))) {}

}  // namespace roomd
