// How urgent an alert is, from a driver's raise_alert() up to the dialects: low, medium, high,
// critical. Part of the driver SDK; the names and their parsing live with the AlertBook.
#pragma once

namespace roomd {

enum class AlertSeverity { low, medium, high, critical };

}  // namespace roomd
