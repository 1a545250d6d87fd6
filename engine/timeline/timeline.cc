#include "timeline/timeline.h"

#include <algorithm>

namespace tenantlog::timeline {

std::vector<SeqRange> EffectiveRanges(const std::vector<RewindMarker>& markers, uint64_t at) {
  std::vector<SeqRange> backwards;
  uint64_t x = at;
  for (;;) {
    // The last marker at or before x.
    auto after = std::upper_bound(markers.begin(), markers.end(), x,
                                  [](uint64_t seq, const RewindMarker& m) { return seq < m.at; });
    if (after == markers.begin()) {
      if (x >= 1) backwards.push_back(SeqRange{1, x});
      break;
    }
    const RewindMarker& marker = *(after - 1);
    if (marker.at + 1 <= x) backwards.push_back(SeqRange{marker.at + 1, x});
    x = marker.target;  // < marker.at, so the walk ends
  }
  std::reverse(backwards.begin(), backwards.end());
  return backwards;
}

}  // namespace tenantlog::timeline
