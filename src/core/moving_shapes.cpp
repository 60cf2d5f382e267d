#include "hemotwin/core/moving_shapes.hpp"

#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "hemotwin/core/error.hpp"

namespace hemotwin {
namespace {
constexpr double kNone = std::numeric_limits<double>::infinity();
constexpr double kPi = std::numbers::pi;

// The smallest root in (0, 1] of a t^2 + b t + c = 0, or kNone.
double first_root(double a, double b, double c) {
  if (std::abs(a) < 1e-300) {
    const double t = std::abs(b) < 1e-300 ? kNone : -c / b;
    return t > 0 && t <= 1 ? t : kNone;
  }
  const double disc = b * b - 4 * a * c;
  if (disc < 0) return kNone;
  const double q = -0.5 * (b + std::copysign(std::sqrt(disc), b));
  double t1 = q / a, t2 = q != 0 ? c / q : kNone;
  if (t1 > t2) std::swap(t1, t2);
  if (t1 > 0 && t1 <= 1) return t1;
  return t2 > 0 && t2 <= 1 ? t2 : kNone;
}

// Where p + t d first leaves the box, t in (0, 1], or kNone.
double box_exit(const Eigen::AlignedBox3d& box, const Vec3& p, const Vec3& d) {
  double t = kNone;
  for (int k = 0; k < 3; ++k) {
    if (d[k] > 0) t = std::min(t, (box.max()[k] - p[k]) / d[k]);
    if (d[k] < 0) t = std::min(t, (box.min()[k] - p[k]) / d[k]);
  }
  return t > 0 && t <= 1 ? t : kNone;
}

// The fluid of a PulsatingSphere at one time: the box less the ball.
class OutsideBall final : public Shape {
 public:
  OutsideBall(const Vec3& c, double r, const Eigen::AlignedBox3d& box) : c_(c), r_(r), box_(box) {}
  bool contains(const Vec3& p) const override {
    return (p.array() > box_.min().array()).all() && (p.array() < box_.max().array()).all() &&
           (p - c_).squaredNorm() > r_ * r_;
  }
  double intersect(const Vec3& p, const Vec3& d) const override {
    const Vec3 q = p - c_;
    return std::min(box_exit(box_, p, d),
                    first_root(d.squaredNorm(), 2 * q.dot(d), q.squaredNorm() - r_ * r_));
  }
  Eigen::AlignedBox3d bounds() const override { return box_; }

 private:
  Vec3 c_;
  double r_;
  Eigen::AlignedBox3d box_;
};

// The cavity of a ProlateChamber at one time: inside the ellipsoid (semi-axes a along `axis`, b
// across, centred `depth` below the base centre) and below the base plane.
class TruncatedProlate final : public Shape {
 public:
  TruncatedProlate(const Vec3& base, const Vec3& axis, double a, double b, double depth)
      : base_(base), axis_(axis), a_(a), b_(b), centre_(base - depth * axis) {}
  bool contains(const Vec3& p) const override {
    const Vec3 q = p - centre_;
    const double z = q.dot(axis_);
    return (p - base_).dot(axis_) < 0 &&
           z * z / (a_ * a_) + (q - z * axis_).squaredNorm() / (b_ * b_) < 1;
  }
  double intersect(const Vec3& p, const Vec3& d) const override {
    const Vec3 q = p - centre_;
    const double qz = q.dot(axis_), dz = d.dot(axis_);
    const Vec3 qr = q - qz * axis_, dr = d - dz * axis_;
    const double a2 = a_ * a_, b2 = b_ * b_;
    double t =
        first_root(dz * dz / a2 + dr.squaredNorm() / b2, 2 * (qz * dz / a2 + qr.dot(dr) / b2),
                   qz * qz / a2 + qr.squaredNorm() / b2 - 1);
    if (dz > 0) {  // towards the base plane
      const double to_plane = -(p - base_).dot(axis_) / dz;
      if (to_plane > 0 && to_plane <= 1) t = std::min(t, to_plane);
    }
    return t;
  }
  Eigen::AlignedBox3d bounds() const override {
    // The cylinder of radius b from the apex to the base plane holds the cavity.
    const Vec3 apex = centre_ - a_ * axis_;
    Eigen::AlignedBox3d box(apex.cwiseMin(base_), apex.cwiseMax(base_));
    for (int k = 0; k < 3; ++k) {
      const double reach = b_ * std::sqrt(std::max(0.0, 1 - axis_[k] * axis_[k]));
      box.min()[k] -= reach;
      box.max()[k] += reach;
    }
    return box;
  }

 private:
  Vec3 base_, axis_;
  double a_, b_;
  Vec3 centre_;
};

}  // namespace

// ---- volume curve
// -----------------------------------------------------------------------------------

void VolumeCurve::validate() const {
  const auto fail = [](const std::string& what) { throw Error("chamber volume curve: " + what); };
  if (!(end_systolic > 0 && end_diastolic > end_systolic))
    fail("end-systolic volume " + std::to_string(end_systolic) + " and end-diastolic " +
         std::to_string(end_diastolic) + ": 0 < end-systolic < end-diastolic expected");
  if (!(period > 0)) fail("the period must be positive");
  const double ends[] = {0, ejection_end, filling_start, e_wave_end, a_wave_start, a_wave_end};
  for (int k = 1; k < 6; ++k)
    if (!(ends[k] > ends[k - 1] && ends[k] < 1 + 1e-12 * (k == 5)))
      fail(
          "phase ends (ejection, filling start, E wave, A wave start, A wave end) must increase "
          "within (0, 1] of the period");
  if (!(e_share >= 0 && diastasis_share >= 0 && e_share + diastasis_share <= 1))
    fail(
        "the E-wave and diastasis shares of the stroke volume must lie in [0, 1] and add up to "
        "at most 1");
}

namespace {
// The volume curve's phases: from, to (fractions of the period) and the volumes at both ends.
struct Ramp {
  double from, to, v0, v1;
};
std::array<Ramp, 4> ramps(const VolumeCurve& c) {
  const double sv = c.end_diastolic - c.end_systolic;
  const double e = c.end_systolic + c.e_share * sv;
  const double d = e + c.diastasis_share * sv;
  return {Ramp{0, c.ejection_end, c.end_diastolic, c.end_systolic},
          Ramp{c.filling_start, c.e_wave_end, c.end_systolic, e},
          Ramp{c.e_wave_end, c.a_wave_start, e, d},
          Ramp{c.a_wave_start, c.a_wave_end, d, c.end_diastolic}};
}
double phase_of(const VolumeCurve& c, double t) {
  const double x = t / c.period;
  return x - std::floor(x);
}
}  // namespace

double VolumeCurve::volume(double t) const {
  const double x = phase_of(*this, t);
  double v = end_diastolic;
  for (const Ramp& r : ramps(*this)) {
    if (x < r.from) break;
    const double s = std::min(1.0, (x - r.from) / (r.to - r.from));
    v = r.v0 + (r.v1 - r.v0) * 0.5 * (1 - std::cos(kPi * s));
  }
  return v;
}

double VolumeCurve::rate(double t) const {
  const double x = phase_of(*this, t);
  for (const Ramp& r : ramps(*this))
    if (x >= r.from && x < r.to) {
      const double span = (r.to - r.from) * period;
      return (r.v1 - r.v0) * 0.5 * kPi * std::sin(kPi * (x - r.from) / (r.to - r.from)) / span;
    }
  return 0;
}

// ---- pulsating sphere
// -------------------------------------------------------------------------------

PulsatingSphere::PulsatingSphere(const Vec3& centre, double mean_radius, double amplitude,
                                 double period, const Eigen::AlignedBox3d& box)
    : centre_(centre),
      mean_radius_(mean_radius),
      amplitude_(amplitude),
      period_(period),
      box_(box) {
  if (!(amplitude >= 0 && mean_radius - amplitude > 0))
    throw Error("pulsating sphere: the radius must stay positive (mean radius above amplitude)");
  if (!(period > 0)) throw Error("pulsating sphere: the period must be positive");
  const Vec3 reach = Vec3::Constant(mean_radius + amplitude);
  if (!box.contains(Eigen::AlignedBox3d(centre - reach, centre + reach)))
    throw Error("pulsating sphere: the box must hold the sphere at its largest");
}

double PulsatingSphere::radius(double t) const {
  return mean_radius_ + amplitude_ * std::sin(2 * kPi * t / period_);
}

double PulsatingSphere::radius_rate(double t) const {
  return amplitude_ * 2 * kPi / period_ * std::cos(2 * kPi * t / period_);
}

std::shared_ptr<const Shape> PulsatingSphere::at(double t) const {
  return std::make_shared<OutsideBall>(centre_, radius(t), box_);
}

Vec3 PulsatingSphere::wall_velocity(const Vec3& p, double t) const {
  const Vec3 r = p - centre_;
  return r.norm() > 0 ? Vec3(radius_rate(t) * r.normalized()) : Vec3::Zero();
}

// ---- prolate chamber
// --------------------------------------------------------------------------------

ProlateChamber::ProlateChamber(const Vec3& base_centre, const Vec3& axis, double long_semi_axis,
                               double short_semi_axis, double base_fraction, VolumeCurve curve,
                               double long_shortening)
    : base_(base_centre),
      axis_(axis.normalized()),
      a_(long_semi_axis),
      b_(short_semi_axis),
      beta_(base_fraction),
      shortening_(long_shortening),
      curve_(curve) {
  if (!(axis.norm() > 0)) throw Error("prolate chamber: the axis must be a non-zero vector");
  if (!(a_ > 0 && b_ > 0)) throw Error("prolate chamber: the semi-axes must be positive");
  if (!(beta_ >= 0 && beta_ <= 0.9))
    throw Error(
        "prolate chamber: the base plane must lie 0 to 0.9 long semi-axes above the "
        "centre");
  const double ef = curve.ejection_fraction();
  curve_.end_systolic *= end_diastolic_volume() / curve.end_diastolic;
  curve_.end_diastolic = end_diastolic_volume();
  curve_.validate();
  // Axial shortening beyond the ejection fraction would make the cavity widen in systole.
  if (!(shortening_ >= 0 && shortening_ < ef))
    throw Error("prolate chamber: the long-axis shortening (" + std::to_string(shortening_) +
                ") must lie in [0, the ejection fraction " + std::to_string(ef) + ")");
}

double ProlateChamber::end_diastolic_volume() const {
  return kPi * a_ * b_ * b_ * ((1 + beta_) - (1 + beta_ * beta_ * beta_) / 3);
}

std::array<double, 2> ProlateChamber::scales(double t) const {
  const double ed = curve_.end_diastolic, sv = ed - curve_.end_systolic, v = curve_.volume(t);
  const double axial = 1 - shortening_ * (ed - v) / sv;
  return {axial, std::sqrt(v / (ed * axial))};
}

std::array<double, 2> ProlateChamber::scale_rates(double t) const {
  const double ed = curve_.end_diastolic, sv = ed - curve_.end_systolic;
  const double v = curve_.volume(t), dv = curve_.rate(t);
  const auto [axial, radial] = scales(t);
  const double daxial = shortening_ * dv / sv;
  // radial^2 = v / (ed axial)
  const double dradial = (dv * axial - v * daxial) / (ed * axial * axial) / (2 * radial);
  return {daxial, dradial};
}

std::shared_ptr<const Shape> ProlateChamber::at(double t) const {
  const auto [axial, radial] = scales(t);
  return std::make_shared<TruncatedProlate>(base_, axis_, axial * a_, radial * b_,
                                            axial * beta_ * a_);
}

Vec3 ProlateChamber::wall_velocity(const Vec3& p, double t) const { return velocity_field(t)(p); }

std::function<Vec3(const Vec3&)> ProlateChamber::velocity_field(double t) const {
  const auto s = scales(t);
  const auto ds = scale_rates(t);
  const double axial = ds[0] / s[0], radial = ds[1] / s[1];
  return [base = base_, axis = axis_, axial, radial](const Vec3& p) -> Vec3 {
    const Vec3 q = p - base;
    const double z = q.dot(axis);
    return axial * z * axis + radial * (q - z * axis);
  };
}

Eigen::AlignedBox3d ProlateChamber::envelope() const {
  // The cavity is largest at end-diastole: both scales are at most 1 (shortening < EF).
  return TruncatedProlate(base_, axis_, a_, b_, beta_ * a_).bounds();
}

}  // namespace hemotwin
