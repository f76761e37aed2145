// Serves the web panel's static files: `/` is index.html, the rest under /panel/. Each answer
// carries a strict Content-Security-Policy (the box's own scripts, styles and WebSocket only),
// nosniff and an ETag with no-cache, so a browser revalidates and sees a new build at once.
#pragma once

#include "uplink/http/front_end.hpp"
#include "uplink/http/panel_assets.hpp"

#include <span>

namespace roomd {

class PanelFrontEnd final : public FrontEnd {
 public:
  explicit PanelFrontEnd(std::span<const PanelAsset> assets = panel_assets()) : assets_(assets) {}

  bool serves(std::string_view path) const override;
  void handle(ApiContext& api, const HttpRequest& request, const Grant* grant, std::string peer,
              Executor executor, std::function<void(HttpResponse)> done) override;
  std::vector<std::string> websocket_paths() const override { return {}; }
  std::shared_ptr<LiveSession> upgrade(std::shared_ptr<ApiContext>, ApiStream, ConnectionSlot,
                                       const Grant*, std::string) override {
    return nullptr;
  }

  // "text/html; charset=utf-8" for "index.html", by extension; octet-stream when unknown.
  static std::string_view content_type(std::string_view path);

 private:
  const PanelAsset* find(std::string_view path) const;

  std::span<const PanelAsset> assets_;
};

}  // namespace roomd
