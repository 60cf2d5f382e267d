// results.h5 through read_results: HDF5's own parsing of the file, then ours of what it holds. A
// file that is accepted must be consistent, since analyze and report index it without checks:
// each series' time, flow and pressure of one length, the wall arrays of one point count.
#include <string>

#include "harness.hpp"
#include "hemotwin/io/results_reader.hpp"

namespace {

void check(const hemotwin::io::ResultsData& r) {
  using hemotwin::fuzz::broken;
  for (const auto* planes : {&r.iolets, &r.sections})
    for (const auto& p : *planes)
      if (p.flow.size() != p.time.size() || p.pressure.size() != p.time.size())
        broken("series '" + p.name + "' has time, flow and pressure of different lengths");
  const std::size_t n = r.wall_points.size();
  if (r.wall_normals.size() != n || r.wall_wss.size() != n)
    broken("wall points, normals and WSS of different counts");
  if ((!r.tawss.empty() && r.tawss.size() != n) || (!r.osi.empty() && r.osi.size() != n) ||
      (!r.wall_area.empty() && r.wall_area.size() != n))
    broken("TAWSS, OSI or wall areas of another count than the wall points");
  if (r.wss_series.size() != r.wss_series_time.size()) broken("WSS series without its times");
  for (const auto& s : r.wss_series)
    if (s.size() != n) broken("a WSS sample of another count than the wall points");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = hemotwin::fuzz::as_file(data, size, "results.h5");
  try {
    check(hemotwin::io::read_results(path));
  } catch (const hemotwin::Error&) {
  }
  return 0;
}
