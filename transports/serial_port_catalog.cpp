#include "transports/serial_port_catalog.hpp"

#include <libserialport.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

namespace roomd {
namespace {

namespace fs = std::filesystem;

std::string hex4(int value) {
  std::array<char, 8> text{};
  std::snprintf(text.data(), text.size(), "%04x", static_cast<unsigned>(value) & 0xffffu);
  return text.data();
}

std::string text_or_empty(const char* text) {
  return text != nullptr ? text : "";
}

// Where a path leads, for comparing a by-id link with a listed port; the path itself when it
// leads nowhere (a dangling link is still worth showing).
std::string canonical_or_self(const std::string& path) {
  const std::unique_ptr<char, decltype(&std::free)> real(::realpath(path.c_str(), nullptr),
                                                         &std::free);
  return real ? std::string(real.get()) : path;
}

struct PortListDeleter {
  void operator()(sp_port** list) const { sp_free_port_list(list); }
};

}  // namespace

std::vector<SerialPortInfo> list_libserialport_ports() {
  sp_port** raw = nullptr;
  if (sp_list_ports(&raw) != SP_OK || raw == nullptr) return {};
  const std::unique_ptr<sp_port*, PortListDeleter> list(raw);
  std::vector<SerialPortInfo> ports;
  for (sp_port** port = list.get(); *port != nullptr; ++port) {
    SerialPortInfo info;
    info.path = text_or_empty(sp_get_port_name(*port));
    info.description = text_or_empty(sp_get_port_description(*port));
    int vid = 0;
    int pid = 0;
    if (sp_get_port_transport(*port) == SP_TRANSPORT_USB &&
        sp_get_port_usb_vid_pid(*port, &vid, &pid) == SP_OK) {
      info.vid = hex4(vid);
      info.pid = hex4(pid);
      info.serial = text_or_empty(sp_get_port_usb_serial(*port));
    }
    ports.push_back(std::move(info));
  }
  return ports;
}

std::vector<SerialPortInfo> SystemPortCatalog::ports() const {
  std::vector<SerialPortInfo> ports = lister_ ? lister_() : std::vector<SerialPortInfo>{};
  std::vector<std::string> canonical;
  for (const SerialPortInfo& port : ports) canonical.push_back(canonical_or_self(port.path));

  // Sorted, so that of several links to one port the same one is shown every time.
  std::vector<std::string> links;
  std::error_code ec;
  for (fs::directory_iterator it(by_id_dir_, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_symlink(ec)) links.push_back(it->path().string());
  }
  std::sort(links.begin(), links.end());

  for (const std::string& link : links) {
    const std::string target = canonical_or_self(link);
    const auto found = std::find(canonical.begin(), canonical.end(), target);
    if (found == canonical.end()) {
      ports.push_back({.path = target, .by_id = link});
      canonical.push_back(target);
      continue;
    }
    SerialPortInfo& port = ports[static_cast<std::size_t>(found - canonical.begin())];
    if (port.by_id.empty()) port.by_id = link;
  }
  std::sort(ports.begin(), ports.end(),
            [](const SerialPortInfo& a, const SerialPortInfo& b) { return a.path < b.path; });
  return ports;
}

std::string format_port_table(const std::vector<SerialPortInfo>& ports) {
  if (ports.empty()) return "no serial ports found\n";
  using Row = std::array<std::string, 5>;
  std::vector<Row> rows{{"PATH", "BY-ID", "DESCRIPTION", "VID:PID", "SERIAL"}};
  const auto or_dash = [](const std::string& text) { return text.empty() ? "-" : text; };
  for (const SerialPortInfo& port : ports) {
    rows.push_back({port.path, or_dash(port.by_id), or_dash(port.description),
                    port.is_usb() ? port.vid + ":" + port.pid : "-", or_dash(port.serial)});
  }
  std::array<std::size_t, 5> widths{};
  for (const Row& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const Row& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

void print_port_table(std::FILE* out, const std::vector<SerialPortInfo>& ports) {
  const std::string table = format_port_table(ports);
  std::fwrite(table.data(), 1, table.size(), out);
}

}  // namespace roomd
