// Registration of serial scans (registration.hpp); the ITK work is itk_registration.cpp's.
#include "hemotwin/imaging/registration.hpp"

#include <algorithm>
#include <cmath>

#include "hemotwin/core/error.hpp"
#include "itk_ops.hpp"
#include "raw.hpp"

namespace hemotwin::imaging {
namespace {

Eigen::Affine3d to_eigen(const itk_ops::RawAffine& a) {
  Eigen::Affine3d t = Eigen::Affine3d::Identity();
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) t.matrix()(r, c) = a.matrix[3 * r + c];
    t.matrix()(r, 3) = a.translation[r];
  }
  return t;
}

itk_ops::RawAffine to_raw(const Eigen::Affine3d& t) {
  itk_ops::RawAffine a;
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) a.matrix[3 * r + c] = t.matrix()(r, c);
    a.translation[r] = t.matrix()(r, 3);
  }
  return a;
}

}  // namespace

double Registration::rotation_degrees() const {
  const double c = std::clamp(0.5 * (rigid.linear().trace() - 1), -1.0, 1.0);
  return std::acos(c) * 180 / 3.14159265358979323846;
}

double Registration::max_difference(const Eigen::Affine3d& other, const Grid& grid) const {
  double worst = 0;
  for (int c = 0; c < 8; ++c) {
    const Vec3 p = grid.point((c & 1) ? grid.size[0] - 1 : 0, (c & 2) ? grid.size[1] - 1 : 0,
                              (c & 4) ? grid.size[2] - 1 : 0);
    worst = std::max(worst, (fixed_to_moving * p - other * p).norm());
  }
  return worst;
}

Registration register_scans(const Image& fixed, const Image& moving, const RegistrationOptions& o) {
  if (fixed.grid.voxels() == 0 || moving.grid.voxels() == 0)
    throw Error("registration: both scans need voxels");
  if (o.levels < 1 || o.levels > 6) throw Error("registration: levels must be 1 to 6");
  itk_ops::MattesParams p;
  p.affine = o.kind == RegistrationKind::Affine;
  p.moments = o.moments;
  p.bins = o.bins;
  p.sampling = o.sampling;
  p.seed = o.seed;
  p.iterations = o.iterations;
  p.max_step_mm = o.max_step_mm;
  p.min_step_mm = o.min_step_mm;
  p.shrink.clear();
  for (int l = o.levels - 1; l >= 0; --l) p.shrink.push_back(1 << l);
  const auto r = itk_ops::register_mattes(detail::to_raw(fixed), detail::to_raw(moving), p);
  Registration out;
  out.rigid = to_eigen(r.rigid);
  out.fixed_to_moving = to_eigen(r.affine);
  out.metric = p.affine ? r.metric_affine : r.metric_rigid;
  out.iterations = r.iterations_rigid + r.iterations_affine;
  out.stop = r.stop;
  return out;
}

Image resample(const Image& moving, const Grid& reference, const Eigen::Affine3d& fixed_to_moving,
               float outside) {
  const auto t = to_raw(fixed_to_moving);
  return detail::from_raw<float>(
      itk_ops::resample_linear(detail::to_raw(moving), detail::to_raw(reference), outside, &t));
}

LabelMap resample(const LabelMap& moving, const Grid& reference,
                  const Eigen::Affine3d& fixed_to_moving) {
  return detail::from_raw<std::uint8_t>(itk_ops::resample_nearest(
      detail::to_raw(moving), detail::to_raw(reference), 0, to_raw(fixed_to_moving)));
}

}  // namespace hemotwin::imaging
