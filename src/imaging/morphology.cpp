#include "hemotwin/imaging/morphology.hpp"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <vector>

#include "hemotwin/core/error.hpp"
#include "hemotwin/imaging/intervention.hpp"
#include "itk_ops.hpp"
#include "raw.hpp"

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

/// The sac's volume from the scan's intensities (AneurysmGeometry::scan_volume).
double scan_volume(const Image& scan, const LabelMap& all_labels, const LabelMap& all_sac) {
  // Only the sac's neighbourhood matters (the deep lumen within 10 mm of it, the tissue within
  // 4 mm): the distance maps run on the sac's box and 15 mm more, not on a whole CT.
  const Grid& full = all_labels.grid;
  int lo[3] = {full.size[0], full.size[1], full.size[2]}, hi[3] = {-1, -1, -1};
  for (int k = 0; k < full.size[2]; ++k)
    for (int j = 0; j < full.size[1]; ++j)
      for (int i = 0; i < full.size[0]; ++i)
        if (all_sac.at(i, j, k)) {
          const int v[3] = {i, j, k};
          for (int a = 0; a < 3; ++a) {
            lo[a] = std::min(lo[a], v[a]);
            hi[a] = std::max(hi[a], v[a]);
          }
        }
  if (hi[0] < 0) return 0;
  Grid g = full;
  for (int a = 0; a < 3; ++a) {
    const int m = int(std::ceil(15.0 / full.spacing[a]));
    lo[a] = std::max(0, lo[a] - m);
    hi[a] = std::min(full.size[a] - 1, hi[a] + m);
    g.size[a] = hi[a] - lo[a] + 1;
  }
  g.origin = full.point(lo[0], lo[1], lo[2]);
  LabelMap labels(g, 0), sac(g, 0), lumen(g, 0), rest(g, 0), background(g, 0);
  for (int k = 0; k < g.size[2]; ++k)
    for (int j = 0; j < g.size[1]; ++j)
      for (int i = 0; i < g.size[0]; ++i) {
        labels.at(i, j, k) = all_labels.at(i + lo[0], j + lo[1], k + lo[2]);
        sac.at(i, j, k) = all_sac.at(i + lo[0], j + lo[1], k + lo[2]);
      }
  for (std::size_t i = 0; i < labels.data.size(); ++i) {
    lumen.data[i] = labels.data[i] != 0 || sac.data[i] != 0;
    rest.data[i] = labels.data[i] != 0 && sac.data[i] == 0;
    background.data[i] = !lumen.data[i];
  }
  const auto d_sac = itk_ops::distance_to_mask(detail::to_raw(sac));
  const auto d_rest = itk_ops::distance_to_mask(detail::to_raw(rest));
  const auto d_wall = itk_ops::distance_to_mask(detail::to_raw(background));  // inside the lumen
  // The scan at a voxel centre of the labels (the same grid, or one cropped from it).
  auto intensity = [&](const Vec3& p, bool& ok) {
    const Index3 v = scan.grid.nearest(p);
    ok = scan.grid.contains(v[0], v[1], v[2]);
    return ok ? double(scan.at(v[0], v[1], v[2])) : 0.0;
  };
  // The lumen's intensity deep inside, and a plane through the tissue's about the sac.
  std::vector<double> deep;
  Eigen::Matrix4d ata = Eigen::Matrix4d::Zero();
  Eigen::Vector4d atb = Eigen::Vector4d::Zero();
  Vec3 centre = Vec3::Zero();
  std::int64_t ns = 0;
  for (int k = 0; k < g.size[2]; ++k)
    for (int j = 0; j < g.size[1]; ++j)
      for (int i = 0; i < g.size[0]; ++i)
        if (sac.at(i, j, k)) {
          centre += g.point(i, j, k);
          ++ns;
        }
  centre /= double(std::max<std::int64_t>(ns, 1));
  for (int k = 0; k < g.size[2]; ++k)
    for (int j = 0; j < g.size[1]; ++j)
      for (int i = 0; i < g.size[0]; ++i) {
        const std::int64_t n = g.linear(i, j, k);
        const Vec3 p = g.point(i, j, k);
        bool ok = false;
        const double v = intensity(p, ok);
        if (!ok) continue;
        if (lumen.data[n] && d_wall[n] >= 1.5 && d_sac[n] <= 10) deep.push_back(v);
        if (!lumen.data[n] && d_sac[n] > 2.5 && d_sac[n] <= 4.0 && d_sac[n] < d_rest[n] &&
            d_rest[n] > 2.5) {
          const Eigen::Vector4d a(1, p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]);
          ata += a * a.transpose();
          atb += a * v;
        }
      }
  if (deep.size() < 10 || ata(0, 0) < 50) return 0;  // too thin or too close to the edge
  std::nth_element(deep.begin(), deep.begin() + std::ptrdiff_t(deep.size() / 2), deep.end());
  const double lumen_level = deep[deep.size() / 2];
  const Eigen::Vector4d plane = ata.ldlt().solve(atb);
  double sum = 0;
  for (int k = 0; k < g.size[2]; ++k)
    for (int j = 0; j < g.size[1]; ++j)
      for (int i = 0; i < g.size[0]; ++i) {
        const std::int64_t n = g.linear(i, j, k);
        const bool shell = !lumen.data[n] && d_sac[n] <= 1.5 && d_sac[n] < d_rest[n];
        if (!sac.data[n] && !shell) continue;
        const Vec3 p = g.point(i, j, k);
        bool ok = false;
        const double v = intensity(p, ok);
        if (!ok) continue;
        const double tissue =
            plane.dot(Eigen::Vector4d(1, p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]));
        if (lumen_level - tissue <= 0) return 0;  // no contrast
        sum += (v - tissue) / (lumen_level - tissue);
      }
  return sum * g.voxel_volume();
}

}  // namespace

AneurysmGeometry measure_aneurysm(const LabelMap& labels, const Centerline& parent,
                                  const Vec3& sac_centre, double sac_radius, const Image* scan) {
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
  if (scan) out.scan_volume = scan_volume(*scan, labels, sac);
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
