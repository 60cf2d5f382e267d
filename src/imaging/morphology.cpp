#include "hemotwin/imaging/morphology.hpp"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <vector>

#include "hemotwin/core/error.hpp"
#include "hemotwin/imaging/intervention.hpp"

namespace hemotwin::imaging {
namespace {

/// The largest distance between two of the points (exhaustive: a sac's surface holds thousands).
double max_distance(const std::vector<Vec3>& p) {
  double best = 0;
#pragma omp parallel for schedule(dynamic, 64) reduction(max : best)
  for (std::size_t i = 0; i < p.size(); ++i)
    for (std::size_t j = i + 1; j < p.size(); ++j)
      best = std::max(best, (p[i] - p[j]).squaredNorm());
  return std::sqrt(best);
}

}  // namespace

AneurysmGeometry measure_aneurysm(const LabelMap& labels, const Centerline& parent,
                                  const Vec3& sac_centre, double sac_radius) {
  const LabelMap sac = sac_region(labels, parent, sac_centre, sac_radius);
  const Grid& g = labels.grid;
  AneurysmGeometry out;
  std::vector<Vec3> surface, neck;
  Vec3 sum = Vec3::Zero();
  constexpr int kFace[6][3] = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
  for (int k = 0; k < g.size[2]; ++k)
    for (int j = 0; j < g.size[1]; ++j)
      for (int i = 0; i < g.size[0]; ++i) {
        if (sac.at(i, j, k) == 0) continue;
        const Vec3 p = g.point(i, j, k);
        ++out.voxels;
        sum += p;
        bool boundary = false, touches_parent = false;
        for (const auto& f : kFace) {
          const int a = i + f[0], b = j + f[1], c = k + f[2];
          if (!g.contains(a, b, c) || sac.at(a, b, c) == 0) boundary = true;
          if (g.contains(a, b, c) && sac.at(a, b, c) == 0 && labels.at(a, b, c) != 0)
            touches_parent = true;
        }
        if (boundary) surface.push_back(p);
        if (touches_parent) neck.push_back(p);
      }
  out.volume = double(out.voxels) * g.voxel_volume();
  out.centroid = sum / double(out.voxels);
  out.max_diameter = max_distance(surface);
  out.neck_voxels = std::int64_t(neck.size());
  if (neck.size() >= 3) {
    out.neck_diameter = max_distance(neck);
    Vec3 c = Vec3::Zero();
    for (const Vec3& p : neck) c += p;
    c /= double(neck.size());
    Eigen::Matrix3d cov = Eigen::Matrix3d::Zero();
    for (const Vec3& p : neck) cov += (p - c) * (p - c).transpose();
    const Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> eig(cov);
    Vec3 n = eig.eigenvectors().col(0);  // the direction the neck spreads least along
    if (n.dot(out.centroid - c) < 0) n = -n;
    out.neck_centre = c;
    out.neck_normal = n;
    for (const Vec3& p : surface) out.height = std::max(out.height, (p - c).dot(n));
    if (out.neck_diameter > 0) out.aspect_ratio = out.height / out.neck_diameter;
  }
  std::vector<double> r;
  for (std::size_t i = 0; i < parent.points.size(); ++i)
    if ((parent.points[i] - sac_centre).norm() > sac_radius) r.push_back(parent.radius[i]);
  if (!r.empty()) {
    std::nth_element(r.begin(), r.begin() + std::ptrdiff_t(r.size() / 2), r.end());
    out.parent_radius = r[r.size() / 2];
    out.size_ratio = out.max_diameter / (2 * out.parent_radius);
  }
  return out;
}

}  // namespace hemotwin::imaging
