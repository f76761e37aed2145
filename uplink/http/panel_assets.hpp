// The web panel's static files (uplink/panel/), built into the binary: the build turns each
// file into bytes in a generated source, so `roomd run` serves the panel with no path to set.
#pragma once

#include <span>
#include <string_view>

namespace roomd {

struct PanelAsset {
  std::string_view path;  // under uplink/panel/: "index.html", "js/app.js"
  std::string_view etag;  // quoted, from the file's SHA-256
  std::string_view body;
};

// Every file of the panel, sorted by path.
std::span<const PanelAsset> panel_assets();

}  // namespace roomd
