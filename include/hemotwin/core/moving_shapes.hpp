#pragma once
// Walls that move along their normal (DESIGN.md, "Walls that move"): the fluid region at any time
// of a periodic cycle, and the velocity of its wall, exactly, for the analytic motions the moving
// wall is checked against and the beating-chamber phantoms are made from. A snapshot at time t is
// an ordinary Shape (exact wall crossings for Bouzidi's q); the envelope bounds every snapshot, so
// a lattice laid once over it holds the fluid at every phase. Host-only, as shapes.hpp.
#include <array>
#include <functional>
#include <limits>
#include <memory>

#include "hemotwin/core/shapes.hpp"

namespace hemotwin {

class MovingShape {
 public:
  virtual ~MovingShape() = default;
  /// The fluid region at time t (in the unit the velocities are per).
  virtual std::shared_ptr<const Shape> at(double t) const = 0;
  /// The velocity of the wall point `p` (on the wall at time t).
  virtual Vec3 wall_velocity(const Vec3& p, double t) const = 0;
  /// wall_velocity at time t for many points (a relink asks it for every link): shapes whose
  /// velocity at a time shares work between points override it.
  virtual std::function<Vec3(const Vec3&)> velocity_field(double t) const {
    return [this, t](const Vec3& p) { return wall_velocity(p, t); };
  }
  /// velocity_field at time t for wall points p that at(t)->intersect_at() found, with where it
  /// found them (`at`): a surface reads the velocity off the element's vertices; the others
  /// ignore `at`.
  virtual std::function<Vec3(const Vec3&, const WallPoint&)> velocity_field_on(double t) const {
    return [field = velocity_field(t)](const Vec3& p, const WallPoint&) { return field(p); };
  }
  /// Bounds of the fluid over the whole cycle.
  virtual Eigen::AlignedBox3d envelope() const = 0;
  /// The cycle's length; the motion repeats with it.
  virtual double period() const = 0;
  /// The fluid's volume at time t where the shape knows it (a chamber's cavity); NaN otherwise.
  virtual double volume(double /*t*/) const { return std::numeric_limits<double>::quiet_NaN(); }
};

/// A wall that moves along its normal, laid onto a lattice (DomainSpec::moving_wall): the fluid
/// region is `shape`'s at every step, t = start + step * time_step in the shape's time unit, and
/// its length unit is the domain's. The lattice's bricks cover the fluid of `phase_samples`
/// phases over the cycle, and the cells whose links change between them (with their neighbours)
/// form the band relinked every step; a wall that leaves the band is refused, saying to sample
/// more phases.
struct MovingWallSpec {
  std::shared_ptr<const MovingShape> shape;
  double time_step = 0;  // the shape's time per lattice step (> 0)
  double start = 0;      // the shape's time at step 0
  int phase_samples = 64;
  /// Steps between relinks (1: every step). Between them the wall stays where the last relink
  /// put it, with its velocity then: k times the wall's speed behind (a few hundredths of a
  /// cell for slow chambers, test_normal_walls compares).
  int relink_every = 1;
};

/// A chamber volume over one cardiac cycle of length `period`, from end-diastole (t = 0): ejection
/// to the end-systolic volume, isovolumic relaxation, rapid filling (the E wave) to a share
/// `e_share` of the stroke volume, diastasis (slow filling, `diastasis_share`), the atrial kick
/// (the A wave) back to the end-diastolic volume. Each phase is a half-cosine ramp between its
/// end volumes, so the volume and its rate are continuous. Phase ends as fractions of the period.
struct VolumeCurve {
  double end_diastolic = 120;  // any volume unit
  double end_systolic = 48;    // ejection fraction 60 %
  double period = 1;
  double ejection_end = 0.32;
  double filling_start = 0.42;  // after isovolumic relaxation
  double e_wave_end = 0.62;
  double a_wave_start = 0.80;
  double a_wave_end = 0.95;                       // then isovolumic contraction to the cycle's end
  double e_share = 0.70, diastasis_share = 0.08;  // the A wave fills the rest
  /// The volume and its rate of change at time t (any t: periodic).
  double volume(double t) const;
  double rate(double t) const;
  double ejection_fraction() const { return 1 - end_systolic / end_diastolic; }
  /// Throws hemotwin::Error when the volumes or phases are not a cycle (volumes not positive,
  /// end-systolic above end-diastolic, phase ends not increasing within (0, 1), shares outside
  /// [0, 1] or adding up to more than 1).
  void validate() const;
};

/// Fluid outside a sphere whose radius pulsates, R(t) = R0 + A sin(2 pi t / T), inside an
/// axis-aligned box (walls at its faces unless the domain is periodic there). Its wall moves along
/// its normal at dR/dt; in unbounded incompressible fluid u_r = R^2 R' / r^2 exactly.
class PulsatingSphere final : public MovingShape {
 public:
  PulsatingSphere(const Vec3& centre, double mean_radius, double amplitude, double period,
                  const Eigen::AlignedBox3d& box);
  double radius(double t) const;
  double radius_rate(double t) const;
  std::shared_ptr<const Shape> at(double t) const override;
  Vec3 wall_velocity(const Vec3& p, double t) const override;
  Eigen::AlignedBox3d envelope() const override { return box_; }
  double period() const override { return period_; }
  const Vec3& centre() const { return centre_; }

 private:
  Vec3 centre_;
  double mean_radius_, amplitude_, period_;
  Eigen::AlignedBox3d box_;
};

/// A left-ventricle phantom: the inside of a prolate ellipsoid (long semi-axis a along `axis`,
/// short semi-axis b) truncated by the base plane, which lies at `base_fraction` a above the
/// ellipsoid's centre towards +axis and holds the valve openings. The base plane stays where it
/// is; the cavity shortens along the axis by `long_shortening` of its length at end-systole and
/// narrows radially as the volume curve then requires: an affine motion about the base centre,
/// so the wall velocity is exact, (L'/L) z axis + (W'/W) r, with z and r the axial and radial
/// parts of p - base centre.
class ProlateChamber final : public MovingShape {
 public:
  /// The cavity at end-diastole: base centre, axis (from apex to base), long and short semi-axes
  /// and the base plane's height above the centre as a fraction of the long semi-axis (0 to
  /// 0.9); the volume curve scales it over the cycle (its end-diastolic volume is the cavity's).
  ProlateChamber(const Vec3& base_centre, const Vec3& axis, double long_semi_axis,
                 double short_semi_axis, double base_fraction, VolumeCurve curve,
                 double long_shortening = 0.15);
  /// The cavity's volume at end-diastole from its shape (the curve's end_diastolic is set to it).
  double end_diastolic_volume() const;
  /// The axial and radial scale factors at time t (1 at end-diastole) and their rates.
  std::array<double, 2> scales(double t) const;
  std::array<double, 2> scale_rates(double t) const;
  double volume(double t) const override { return curve_.volume(t); }
  std::shared_ptr<const Shape> at(double t) const override;
  Vec3 wall_velocity(const Vec3& p, double t) const override;
  std::function<Vec3(const Vec3&)> velocity_field(double t) const override;
  Eigen::AlignedBox3d envelope() const override;
  double period() const override { return curve_.period; }
  const VolumeCurve& curve() const { return curve_; }

 private:
  Vec3 base_, axis_;
  double a_, b_, beta_, shortening_;
  VolumeCurve curve_;
};

}  // namespace hemotwin
