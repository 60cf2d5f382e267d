#include "vessel_lines.hpp"

#include "failure.hpp"

namespace hemotwin::cli {

VesselLines vessel_lines(const imaging::PreparedGeometry& g, const char* command) {
  const double h = g.lumen.grid.spacing.minCoeff();
  VesselLines v;
  bool have_inlet = false;
  for (const auto& op : g.openings) {
    const Vec3 inside = op.centre - h * op.normal;  // a voxel in from the cut
    if (op.kind == IoletKind::VelocityInlet && !have_inlet) {
      v.source = inside;
      have_inlet = true;
    } else if (is_outlet(op.kind)) {
      v.targets.push_back(inside);
      v.outlets.push_back(op.name);
    }
  }
  if (!have_inlet || v.targets.empty())
    throw Failure(exit_usage, std::string(command) +
                                  " needs an inlet and at least one outlet among the openings");
  v.lines = imaging::centerlines(g.lumen, v.source, v.targets);
  return v;
}

std::size_t line_nearest(const std::vector<imaging::Centerline>& lines, const Vec3& p) {
  std::size_t best = 0;
  double d = 1e300;
  for (std::size_t k = 0; k < lines.size(); ++k) {
    const double dk = (lines[k].point_at(lines[k].project(p)) - p).norm();
    if (dk < d) {
      d = dk;
      best = k;
    }
  }
  return best;
}

}  // namespace hemotwin::cli
