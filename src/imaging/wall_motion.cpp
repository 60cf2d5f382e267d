// Deformable registration of a cine series' frames and the wall carried through them
// (wall_motion.hpp); the ITK work is itk_deformable.cpp's.
#include "hemotwin/imaging/wall_motion.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <sstream>

#include "hemotwin/core/error.hpp"
#include "itk_ops.hpp"
#include "raw.hpp"

namespace hemotwin::imaging {
namespace {

std::string number(double x, int digits = 3) {
  std::ostringstream s;
  s.precision(digits);
  s << x;
  return s.str();
}

}  // namespace

Vec3 DisplacementField::at(const Vec3& p) const {
  const Vec3 c = grid.index(p);
  int i0[3];
  double t[3];
  for (int a = 0; a < 3; ++a) {
    if (!(c[a] >= -0.5 && c[a] <= grid.size[a] - 0.5))
      throw Error("the point (" + number(p[0], 4) + ", " + number(p[1], 4) + ", " +
                  number(p[2], 4) + ") mm lies outside the registered frames");
    const double ca = std::clamp(c[a], 0.0, double(grid.size[a] - 1));
    i0[a] = std::min(int(std::floor(ca)), std::max(grid.size[a] - 2, 0));
    t[a] = grid.size[a] > 1 ? ca - i0[a] : 0.0;
  }
  Vec3 u = Vec3::Zero();
  for (int k = 0; k < 8; ++k) {
    const int di = k & 1, dj = (k >> 1) & 1, dk = (k >> 2) & 1;
    const double w = (di ? t[0] : 1 - t[0]) * (dj ? t[1] : 1 - t[1]) * (dk ? t[2] : 1 - t[2]);
    if (w == 0) continue;
    const int i = std::min(i0[0] + di, grid.size[0] - 1),
              j = std::min(i0[1] + dj, grid.size[1] - 1),
              l = std::min(i0[2] + dk, grid.size[2] - 1);
    u += w * values[std::size_t(grid.linear(i, j, l))].cast<double>();
  }
  return u;
}

double DisplacementField::min_jacobian() const {
  // d(p + u)/dp = I + (du/dindex) (direction diag(spacing))^-1.
  const Eigen::Matrix3d to_index = (grid.direction * grid.spacing.asDiagonal()).inverse();
  double worst = 1;
  for (int k = 1; k + 1 < grid.size[2]; ++k)
    for (int j = 1; j + 1 < grid.size[1]; ++j)
      for (int i = 1; i + 1 < grid.size[0]; ++i) {
        auto u = [&](int a, int b, int c) {
          return values[std::size_t(grid.linear(a, b, c))].cast<double>();
        };
        Eigen::Matrix3d d;
        d.col(0) = 0.5 * (u(i + 1, j, k) - u(i - 1, j, k));
        d.col(1) = 0.5 * (u(i, j + 1, k) - u(i, j - 1, k));
        d.col(2) = 0.5 * (u(i, j, k + 1) - u(i, j, k - 1));
        worst = std::min(worst, (Eigen::Matrix3d::Identity() + d * to_index).determinant());
      }
  return worst;
}

double DisplacementField::max_length() const {
  double m = 0;
  for (const auto& v : values) m = std::max(m, double(v.norm()));
  return m;
}

DeformableRegistration register_deformable(const Image& fixed, const Image& moving,
                                           const DeformableOptions& o) {
  if (fixed.grid.voxels() == 0) throw Error("deformable registration: the fixed frame is empty");
  if (!fixed.grid.same_as(moving.grid))
    throw Error(
        "deformable registration: the frames lie on different grids (size, origin, spacing or "
        "direction); frames of one cine series share one — resample one onto the other first");
  if (o.levels < 1 || o.levels > 6) throw Error("deformable registration: levels must be 1 to 6");
  const int finest = 1 << (o.levels - 1);
  for (int a = 0; a < 3; ++a)
    if (fixed.grid.size[a] < 4 * finest)
      throw Error("deformable registration: " + std::to_string(o.levels) +
                  " levels need at least " + std::to_string(4 * finest) +
                  " voxels along each axis; use fewer levels");
  itk_ops::DemonsParams p;
  p.levels = o.levels;
  p.iterations = o.iterations;
  p.smoothing_voxels = o.smoothing_voxels;
  p.max_step_voxels = o.max_step_voxels;
  p.plateau = o.plateau;
  p.fluid_voxels = o.fluid_voxels;
  auto f = detail::to_raw(fixed), m = detail::to_raw(moving);
  if (o.presmooth_voxels > 0) {
    const double sigma = o.presmooth_voxels * fixed.grid.spacing.minCoeff();
    itk_ops::gaussian_blur(f, sigma);
    itk_ops::gaussian_blur(m, sigma);
  }
  const itk_ops::DemonsResult r = itk_ops::register_demons(f, m, p);

  DeformableRegistration out;
  out.field.grid = fixed.grid;
  out.field.values.resize(std::size_t(fixed.grid.voxels()));
  for (std::size_t i = 0; i < out.field.values.size(); ++i)
    out.field.values[i] = Eigen::Vector3f(r.field[3 * i], r.field[3 * i + 1], r.field[3 * i + 2]);
  out.mismatch_before = r.mismatch_before;
  out.mismatch_after = r.mismatch_after;
  out.rms_change = r.rms_change;
  out.iterations = r.iterations;
  out.converged = r.converged;
  out.min_jacobian = out.field.min_jacobian();

  if (!out.converged)
    throw Error("deformable registration did not converge: after " + std::to_string(o.iterations) +
                " iterations at full resolution the frames' mean "
                "squared difference still fell by more than " +
                number(100 * o.plateau) + " % in 10 iterations (now " +
                number(r.mismatch_after, 4) + ", before " + number(r.mismatch_before, 4) +
                "); allow more iterations, or more "
                "levels for motion of many voxels");
  if (r.mismatch_after >= r.mismatch_before && r.mismatch_before > 0)
    throw Error("deformable registration made the frames no closer: mean squared difference " +
                number(r.mismatch_before, 4) + " before, " + number(r.mismatch_after, 4) +
                " after; are they frames of one series (one contrast, one scanner)?");
  if (!(out.min_jacobian > 0))
    throw Error("deformable registration folded the frame (smallest Jacobian determinant " +
                number(out.min_jacobian) + "); use a larger smoothing or a smaller step");
  return out;
}

WallMotion track_wall(const TriangleMesh& wall, const std::vector<Image>& frames, int reference,
                      const DeformableOptions& o,
                      const std::function<void(int, const DeformableRegistration&)>& progress) {
  const int n = int(frames.size());
  if (n < 3) throw Error("a cine series needs at least 3 frames, got " + std::to_string(n));
  if (reference < 0 || reference >= n)
    throw Error("the reference frame must be 1 to " + std::to_string(n) + ", got " +
                std::to_string(reference + 1));
  if (wall.points.empty()) throw Error("the wall to carry has no vertices");
  // Every vertex within the frames, before minutes of registration.
  const Grid& g = frames[std::size_t(reference)].grid;
  for (const Vec3& p : wall.points) {
    const Vec3 c = g.index(p);
    for (int a = 0; a < 3; ++a)
      if (!(c[a] >= -0.5 && c[a] <= g.size[a] - 0.5))
        throw Error("a vertex of the wall, (" + number(p[0], 4) + ", " + number(p[1], 4) + ", " +
                    number(p[2], 4) +
                    ") mm, lies outside the frames' grid; segment the wall "
                    "within the scan's field of view");
  }
  WallMotion out;
  out.phases.resize(std::size_t(n));
  out.registrations.resize(std::size_t(n));
  for (int k = 0; k < n; ++k) {
    const std::string which = "frame " + std::to_string(k + 1) + " of " + std::to_string(n);
    if (k == reference) {
      out.phases[std::size_t(k)] = wall.points;
      continue;
    }
    DeformableRegistration r;
    try {
      r = register_deformable(frames[std::size_t(reference)], frames[std::size_t(k)], o);
    } catch (const Error& e) {
      throw Error(which + ": " + e.message());
    }
    auto& moved = out.phases[std::size_t(k)];
    moved.reserve(wall.points.size());
    try {
      for (const Vec3& p : wall.points) moved.push_back(p + r.field.at(p));
    } catch (const Error& e) {
      throw Error(which + ": a vertex of the wall: " + e.message() +
                  "; segment the wall within the scan's field of view");
    }
    if (progress) progress(k, r);
    r.field = {};  // the vertices keep what is needed; a field per frame would hold ~12 B/voxel
    out.registrations[std::size_t(k)] = std::move(r);
  }
  return out;
}

}  // namespace hemotwin::imaging
