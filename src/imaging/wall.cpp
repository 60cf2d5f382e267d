#include "hemotwin/imaging/wall.hpp"

#include <algorithm>
#include <cmath>

#include "hemotwin/core/error.hpp"
#include "itk_ops.hpp"
#include "raw.hpp"

namespace hemotwin::imaging {

namespace {

/// The lumen's voxel box, padded by `pad` voxels along each axis (clamped to the grid: where the
/// lumen meets the grid's edge the wall stays open there).
void lumen_box(const LabelMap& m, const int (&pad)[3], int (&lo)[3], int (&hi)[3]) {
  const Grid& g = m.grid;
  for (int a = 0; a < 3; ++a) {
    lo[a] = g.size[a];
    hi[a] = -1;
  }
  for (int k = 0; k < g.size[2]; ++k)
    for (int j = 0; j < g.size[1]; ++j)
      for (int i = 0; i < g.size[0]; ++i)
        if (m.at(i, j, k)) {
          const int ijk[3] = {i, j, k};
          for (int a = 0; a < 3; ++a) {
            lo[a] = std::min(lo[a], ijk[a]);
            hi[a] = std::max(hi[a], ijk[a]);
          }
        }
  if (hi[0] < 0) throw Error("the lumen is empty: there is no wall to take");
  for (int a = 0; a < 3; ++a) {
    lo[a] = std::max(0, lo[a] - pad[a]);
    hi[a] = std::min(g.size[a] - 1, hi[a] + pad[a]);
  }
}

template <class T>
Volume<T> crop(const Volume<T>& v, const int (&lo)[3], const int (&hi)[3]) {
  Grid g = v.grid;
  for (int a = 0; a < 3; ++a) g.size[a] = hi[a] - lo[a] + 1;
  g.origin = v.grid.point(lo[0], lo[1], lo[2]);
  Volume<T> out(g);
  for (int k = 0; k < g.size[2]; ++k)
    for (int j = 0; j < g.size[1]; ++j)
      for (int i = 0; i < g.size[0]; ++i) out.at(i, j, k) = v.at(i + lo[0], j + lo[1], k + lo[2]);
  return out;
}

/// Padding: three voxels within the slices, two slices across them.
void padding(int axis, int (&pad)[3]) {
  for (int a = 0; a < 3; ++a) pad[a] = a == axis ? 2 : 3;
}

}  // namespace

int thick_axis(const Grid& g, double anisotropy, int& factor) {
  int a = 0;
  for (int b = 1; b < 3; ++b)
    if (g.spacing[b] > g.spacing[a]) a = b;
  const double finest = g.spacing.minCoeff();
  if (g.spacing[a] > anisotropy * finest && g.size[a] > 1) {
    factor = std::max(2, int(std::lround(g.spacing[a] / finest)));
    return a;
  }
  factor = 1;
  return -1;
}

Image refine_across(const Image& f, int axis, int factor) {
  if (axis < 0 || axis > 2 || factor < 1) throw Error("refine_across: axis 0..2 and factor >= 1");
  const Grid& in = f.grid;
  const int n = in.size[axis];
  if (n < 2 || factor == 1) return f;
  Grid g = in;
  g.size[axis] = (n - 1) * factor + 1;
  g.spacing[axis] = in.spacing[axis] / factor;
  Image out(g);
  for (int m = 0; m < g.size[axis]; ++m) {
    const int k = std::min(m / factor, n - 2);
    const double t = double(m - k * factor) / factor;
    // Catmull-Rom weights of samples k-1, k, k+1, k+2 (clamped at the ends).
    const double w[4] = {0.5 * (-t * t * t + 2 * t * t - t), 0.5 * (3 * t * t * t - 5 * t * t + 2),
                         0.5 * (-3 * t * t * t + 4 * t * t + t), 0.5 * (t * t * t - t * t)};
    int src[4];
    for (int q = 0; q < 4; ++q) src[q] = std::clamp(k - 1 + q, 0, n - 1);
    int ijk[3];
    for (ijk[2] = 0; ijk[2] < (axis == 2 ? 1 : g.size[2]); ++ijk[2])
      for (ijk[1] = 0; ijk[1] < (axis == 1 ? 1 : g.size[1]); ++ijk[1])
        for (ijk[0] = 0; ijk[0] < (axis == 0 ? 1 : g.size[0]); ++ijk[0]) {
          int at[3] = {ijk[0], ijk[1], ijk[2]};
          double v = 0;
          for (int q = 0; q < 4; ++q) {
            at[axis] = src[q];
            v += w[q] * f.at(at[0], at[1], at[2]);
          }
          at[axis] = m;
          out.at(at[0], at[1], at[2]) = float(v);
        }
  }
  return out;
}

TriangleMesh wall_from_mask(const LabelMap& lumen_in, const WallOptions& o) {
  int factor = 1;
  const int axis = thick_axis(lumen_in.grid, o.anisotropy, factor);
  int pad[3], lo[3], hi[3];
  padding(axis, pad);
  lumen_box(lumen_in, pad, lo, hi);
  LabelMap lumen = crop(lumen_in, lo, hi);
  for (auto& v : lumen.data) v = v ? 1 : 0;
  // The signed distance to the lumen's boundary (negative inside), within each slice when the
  // slices are thick, so that no distance runs across them.
  // ITK's distances are zero on the object's own boundary voxels; the wall lies half way
  // between the last lumen voxel centres and the first outside ones, so the distance of the
  // lumen and that of its complement are averaged: -h/2 and +h/2 on either side of it.
  auto raw = detail::to_raw(lumen), rest = raw;
  for (auto& v : rest.data) v = v ? 0 : 1;
  const auto distance = [&](const itk_ops::Raw<std::uint8_t>& m) {
    return axis >= 0 ? itk_ops::signed_distance_in_slices(m, axis) : itk_ops::signed_distance(m);
  };
  std::vector<float> phi = distance(raw);
  const std::vector<float> phi_rest = distance(rest);
  for (std::size_t n = 0; n < phi.size(); ++n) phi[n] = 0.5f * (phi[n] - phi_rest[n]);
  // Clamped to a few voxels: what matters is the zero level, and far values (a slice the vessel
  // has left is far from every lumen voxel) must not swing the cubic weights across it.
  const float cap = float(2 * lumen.grid.spacing.maxCoeff());
  Image field(lumen.grid);
  for (std::size_t n = 0; n < phi.size(); ++n) field.data[n] = -std::clamp(phi[n], -cap, cap);
  if (axis >= 0) field = refine_across(field, axis, factor);
  // The mask's pixels leave steps of half a pixel in the distance's zero level; a Gaussian of one
  // pixel takes them out where the slices were interpolated. A distance field is linear across
  // the wall, so the blur moves its zero level by only about sigma^2 / 2R on a curved wall
  // (0.02 mm for 0.3 mm pixels and R = 2 mm), where blurring the mask itself moves it by the full
  // half pixel and keeps the slices' steps. On an isotropic grid half a pixel does, and no
  // windowed-sinc smoothing after it: both would round a cut chamber's cap and move the openings
  // at the grid's faces (VTK's smoothing moves boundary vertices too).
  auto raw_field = detail::to_raw(field);
  itk_ops::gaussian_blur(raw_field, (axis >= 0 ? 1.0 : 0.5) * field.grid.spacing.minCoeff());
  field.data = std::move(raw_field.data);
  return isosurface(field, 0.0,
                    {.smoothing = axis >= 0 ? o.smoothing : 0,
                     .passband = std::isnan(o.passband) ? 0.02 : o.passband});
}

TriangleMesh wall_from_scan(const Image& scan_in, const LabelMap& lumen_in, bool bright,
                            int smoothing_iterations, const WallOptions& o, double* level_used) {
  if (!scan_in.grid.same_as(lumen_in.grid))
    throw Error("wall_from_scan: the lumen must lie on the scan's grid");
  int factor = 1;
  const int axis = thick_axis(scan_in.grid, o.anisotropy, factor);
  int pad[3], lo[3], hi[3];
  padding(axis, pad);
  lumen_box(lumen_in, pad, lo, hi);
  Image scan = crop(scan_in, lo, hi);
  LabelMap lumen = crop(lumen_in, lo, hi);
  // The intensities as the segmentation saw them (segment.cpp: curvature flow, time step
  // 0.0625 h^2).
  if (smoothing_iterations > 0) {
    auto raw = detail::to_raw(scan);
    const double h = scan.grid.spacing.minCoeff();
    itk_ops::curvature_flow(raw, smoothing_iterations, 0.0625 * h * h);
    scan.data = std::move(raw.data);
  }
  auto inside = detail::to_raw(lumen), outside = inside;
  for (std::size_t n = 0; n < inside.data.size(); ++n) {
    inside.data[n] = lumen.data[n] ? 1 : 0;
    outside.data[n] = lumen.data[n] ? 0 : 1;
  }
  const std::vector<float> from_lumen = itk_ops::distance_to_mask(inside);
  const std::vector<float> from_tissue = itk_ops::distance_to_mask(outside);
  const double thick = scan.grid.spacing.maxCoeff();
  // The level: half way between the lumen's intensity (the median of its core, a voxel or more
  // from the wall) and the surrounding tissue's (the median of a shell 1.5 to 3 voxels out), the
  // half-maximum edge of a blurred boundary, which a threshold picked from seeds need not be.
  double level = o.level;
  if (!std::isfinite(level)) {
    std::vector<float> core, shell;
    for (std::size_t n = 0; n < scan.data.size(); ++n) {
      if (from_tissue[n] >= thick) core.push_back(scan.data[n]);
      if (from_lumen[n] >= 1.5 * thick && from_lumen[n] <= 3 * thick) shell.push_back(scan.data[n]);
    }
    if (core.size() < 10)  // a thin vessel: every lumen voxel
      for (std::size_t n = 0; n < scan.data.size(); ++n)
        if (lumen.data[n]) core.push_back(scan.data[n]);
    if (core.empty() || shell.empty())
      throw Error("wall_from_scan: no lumen or no tissue about it to take the wall's level from");
    const auto median = [](std::vector<float>& v) {
      std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(v.size() / 2), v.end());
      return double(v[v.size() / 2]);
    };
    level = 0.5 * (median(core) + median(shell));
  }
  if (level_used) *level_used = level;
  // The band about the lumen the wall may lie in: within a slice and a half of it. Outside it,
  // the field is the tissue's side of the level, so no other bright structure joins.
  const double band = 1.5 * thick;
  const float sign = bright ? 1.0f : -1.0f, lvl = sign * float(level);
  float lowest = lvl, highest = lvl;
  for (std::size_t n = 0; n < scan.data.size(); ++n) {
    lowest = std::min(lowest, sign * scan.data[n]);
    highest = std::max(highest, sign * scan.data[n]);
  }
  const float far = lvl - 0.5f * std::max(highest - lowest, 1.0f);
  Image field(scan.grid);
  for (std::size_t n = 0; n < field.data.size(); ++n)
    field.data[n] = from_lumen[n] <= band ? sign * scan.data[n] : far;
  if (axis >= 0) field = refine_across(field, axis, factor);
  return isosurface(field, lvl,
                    {.smoothing = axis >= 0 ? o.smoothing : 0,  // as wall_from_mask
                     .passband = std::isnan(o.passband) ? 0.1 : o.passband,
                     .largest_piece = true});
}

}  // namespace hemotwin::imaging
