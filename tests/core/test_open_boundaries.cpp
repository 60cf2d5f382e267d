// Velocity inlet and pressure outlet on planes that are not grid planes: Poiseuille flow in a pipe
// along (1, 1, 1)/sqrt 3 fed by a parabolic inlet, against the analytic profile and
// Hagen-Poiseuille pressure drop, with mass balance between inlet and outlet. And openings of
// bounded reach, which leave a vessel passing beyond another's iolet plane alone.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "flows.hpp"
#include "hemotwin/core/error.hpp"

using namespace hemotwin;
using namespace hemotwin::test;

TEST(OpenBoundaries, ObliqueInletOutletPoiseuille) {
  // Lattice parameters keep the density change along the pipe near 1 % (weakly compressible).
  const double D = 14, R = 0.5 * D, L = 6 * D, tau = 0.6, nu = (tau - 0.5) / 3, U = 0.01;
  const Vec3 axis = Vec3(1, 1, 1).normalized();
  const Vec3 origin(8.3, 8.1, 7.9);
  auto pipe = std::make_shared<PipeShape>(origin, axis, R, L);
  pipe->unbounded_length(true);
  DomainSpec spec = DomainSpec::around(std::make_shared<PipeShape>(origin, axis, R, L), 1.0, 3);
  spec.shape = pipe;
  spec.iolets = {{"inlet0", IoletKind::VelocityInlet, origin, -axis, true, R},
                 {"outlet0", IoletKind::PressureOutlet, origin + L * axis, axis, false, R}};
  Engine<double, D3Q19> e(
      spec, {BackendKind::Cpu, CollisionModel::Trt, tau, 3.0 / 16, WallMethod::Bouzidi});
  e.set_iolet_values({U, 1.0});
  e.run(5000);
  const auto d = e.diagnostics();
  ASSERT_EQ(d.bad_cell, -1);
  const double q_exact = U * std::numbers::pi * R * R;
  std::printf("inlet flow %.5e, outlet flow %.5e, pi R^2 U = %.5e\n", d.iolet_flow[0],
              d.iolet_flow[1], q_exact);
  EXPECT_NEAR(d.iolet_flow[1] / d.iolet_flow[0], 1.0, 0.005);  // mass balance
  EXPECT_NEAR(d.iolet_flow[0] / q_exact, 1.0, 0.03);           // the inlet delivers its flow

  // Velocity profile in the middle third of the pipe against Poiseuille for the measured flow.
  std::vector<double> rho, u;
  e.moments(rho, u);
  const double umax = 2 * d.iolet_flow[1] / (std::numbers::pi * R * R);
  double num = 0, den = 0;
  for (std::size_t c = 0; c < rho.size(); ++c) {
    if (!e.lattice().is_fluid(std::int64_t(c))) continue;
    const Vec3 r = e.lattice().position(std::int64_t(c)) - origin;
    const double s = r.dot(axis);
    if (s < L / 3 || s > 2 * L / 3) continue;
    const double rr = (r - s * axis).squaredNorm();
    const Vec3 ua = umax * (1 - rr / (R * R)) * axis;
    num += (Vec3(u[3 * c], u[3 * c + 1], u[3 * c + 2]) - ua).squaredNorm();
    den += ua.squaredNorm();
  }
  const double err = std::sqrt(num / den);
  std::printf("mid-pipe profile error %.3e\n", err);
  EXPECT_LT(err, 0.02);

  // Pressure drop between the iolet slabs (2 cells in from each plane) against Hagen-Poiseuille.
  const double dp = (d.iolet_density[0] - d.iolet_density[1]) / 3.0;
  // The slabs' weighted centres lie 3 cells inside each plane.
  const double dp_exact =
      8 * nu * d.iolet_flow[1] * (L - 2 * 3.0) / (std::numbers::pi * std::pow(R, 4));
  std::printf("pressure drop %.5e, Hagen-Poiseuille %.5e\n", dp, dp_exact);
  EXPECT_NEAR(dp / dp_exact, 1.0, 0.05);
}

namespace {
// The union of shapes (two vessels side by side).
class UnionShape final : public Shape {
 public:
  explicit UnionShape(std::vector<std::shared_ptr<const Shape>> parts) : parts_(std::move(parts)) {}
  bool contains(const Vec3& p) const override {
    for (const auto& s : parts_)
      if (s->contains(p)) return true;
    return false;
  }
  double intersect(const Vec3& p, const Vec3& d) const override {
    // p is in at least one part; the segment leaves the union where it leaves the last part it
    // is in (the parts here do not touch, so that is the one containing p).
    for (const auto& s : parts_)
      if (s->contains(p)) return s->intersect(p, d);
    return 2;
  }
  Eigen::AlignedBox3d bounds() const override {
    Eigen::AlignedBox3d b;
    for (const auto& s : parts_) b.extend(s->bounds());
    return b;
  }

 private:
  std::vector<std::shared_ptr<const Shape>> parts_;
};
}  // namespace

// Two vessels side by side, the short one's outlet plane crossing the long one: with the openings'
// reach bounded, each outlet cuts, links and samples its own vessel only, and each vessel passes
// its own inflow. With unbounded planes the short vessel's outlet would cut the long one off.
TEST(OpenBoundaries, BoundedOpeningsLeaveOtherBranchesAlone) {
  const double R = 5, tau = 0.6, U = 0.01;
  const Vec3 x(1, 0, 0);
  const Vec3 a0(4, 8, 8), b0(4, 22, 8);
  auto a = std::make_shared<PipeShape>(a0, x, R, 30);
  auto b = std::make_shared<PipeShape>(b0, x, R, 50);
  a->unbounded_length(true);
  b->unbounded_length(true);
  DomainSpec spec;
  spec.dx = 1;
  spec.origin = Vec3(0, 0, 0);
  spec.cells = {62, 32, 16};
  spec.shape = std::make_shared<UnionShape>(std::vector<std::shared_ptr<const Shape>>{a, b});
  auto iolets = [&](double reach) {
    std::vector<IoletPlane> v = {{"a_in", IoletKind::VelocityInlet, a0, -x, true, R},
                                 {"b_in", IoletKind::VelocityInlet, b0, -x, true, R},
                                 {"a_out", IoletKind::PressureOutlet, a0 + 30 * x, x, false, R},
                                 {"b_out", IoletKind::PressureOutlet, b0 + 50 * x, x, false, R}};
    for (auto& io : v) io.reach = reach * R;
    return v;
  };
  spec.iolets = iolets(0);
  const EngineOptions options{BackendKind::Cpu, CollisionModel::Trt, tau, 3.0 / 16,
                              WallMethod::Bouzidi};
  EXPECT_THROW((Engine<double, D3Q19>(spec, options)), Error);

  spec.iolets = iolets(1.5);
  Engine<double, D3Q19> e(spec, options);
  // The long vessel keeps its fluid beyond the short one's outlet plane.
  std::int64_t beyond = 0;
  for (std::int64_t c = 0; c < std::int64_t(e.lattice().brick_count()) * brick_cells; ++c)
    if (e.lattice().is_fluid(c) && e.lattice().position(c)[0] > 36) ++beyond;
  EXPECT_GT(beyond, std::int64_t(0.9 * std::numbers::pi * R * R * 16));
  e.set_iolet_values({U, U, 1.0, 1.0});
  e.run(3000);
  const auto d = e.diagnostics();
  ASSERT_EQ(d.bad_cell, -1);
  std::printf("a: in %.5e out %.5e; b: in %.5e out %.5e\n", d.iolet_flow[0], d.iolet_flow[2],
              d.iolet_flow[1], d.iolet_flow[3]);
  EXPECT_NEAR(d.iolet_flow[2] / d.iolet_flow[0], 1.0, 0.01);
  EXPECT_NEAR(d.iolet_flow[3] / d.iolet_flow[1], 1.0, 0.01);
  EXPECT_NEAR(d.iolet_flow[1] / d.iolet_flow[0], 1.0, 0.01);  // equal inlets, equal flows
  EXPECT_GT(d.iolet_flow[0], 0.9 * U * std::numbers::pi * R * R);
}

TEST(OpenBoundaries, SquareDuctInletFollowsTheDistanceToItsWalls) {
  // A 16 x 16 duct: the inlet is no circle, so its profile follows the in-plane distance to the
  // walls (1 - d/d_max), vanishing on the whole rim, and is scaled to deliver U times its area.
  const double H = 16, L = 48, U = 0.02;
  auto duct = std::make_shared<BoxShape>(Vec3(-4, 0, 0), Vec3(L + 4, H, H));
  DomainSpec spec = DomainSpec::around(duct, 1.0);
  const double r_eff = H / std::sqrt(std::numbers::pi);  // the area's circle
  IoletPlane in{
      "inlet0", IoletKind::VelocityInlet, Vec3(2.3, 0.5 * H, 0.5 * H), Vec3(-1, 0, 0), true, r_eff};
  in.circular = false;
  IoletPlane out{
      "outlet0", IoletKind::PressureOutlet, Vec3(L - 2.3, 0.5 * H, 0.5 * H), Vec3(1, 0, 0), false,
      r_eff};
  out.circular = false;
  spec.iolets = {in, out};
  Engine<double, D3Q19> e(
      spec, {BackendKind::Cpu, CollisionModel::Trt, 0.6, 3.0 / 16, WallMethod::Bouzidi});
  e.set_iolet_values({U, 1.0});
  e.run(4000);
  const auto d = e.diagnostics();
  std::printf("square duct: inlet flow %.5e, outlet %.5e, U H^2 = %.5e\n", d.iolet_flow[0],
              d.iolet_flow[1], U * H * H);
  // The profile is scaled by the links' moving-wall terms; the inlet plane cuts the links at
  // q = 0.3 and their Bouzidi interpolation adds 1.0 % to what they deliver (measured: +1.005 %
  // with mass-conserving walls; +0.2 % before, when the walls near the inlet leaked 0.8 %).
  EXPECT_NEAR(d.iolet_flow[0] / (U * H * H), 1.0, 0.015);
  EXPECT_NEAR(d.iolet_flow[1] / d.iolet_flow[0], 1.0, 0.005);
  // The profile on the inlet's first layer of cells: largest in the middle, small in the corners.
  std::vector<double> rho, u;
  e.moments(rho, u);
  const auto at = [&](int j, int k) {
    const std::int64_t cell = e.lattice().cell_at({int(std::lround(3 - spec.origin.x())),
                                                   int(std::lround(j - spec.origin.y())),
                                                   int(std::lround(k - spec.origin.z()))});
    return e.lattice().is_fluid(cell) ? u[3 * cell] : -1.0;
  };
  const double centre = at(8, 8), corner = at(1, 1), edge = at(8, 1);
  std::printf("square duct inlet layer: centre %.4f, edge %.4f, corner %.4f (x U)\n", centre / U,
              edge / U, corner / U);
  EXPECT_GT(centre, 1.5 * U);
  EXPECT_LT(corner, 0.25 * centre);
  EXPECT_LT(edge, 0.5 * centre);
}

// A parabolic velocity inlet near tau = 1/2 with TRT (Lambda 3/16, so tau- = 11.4): a 24-cell
// pipe at tau 0.517 started impulsively at Mach 0.1 on the axis. Until the velocity links took
// the halfway rule, their interpolation at the plane's q (1, 0.98, 0.1, ...) fed the slowly
// relaxing odd moments back across the whole opening and the inlet's first layer diverged near
// step 600; every placement of the plane on the lattice must now run, and deliver its flow.
TEST(OpenBoundaries, TrtParabolicInletNearHalfIsStableAtAnyPlacement) {
  const double R = 12, len = 96, tau = 0.517157, U = 0.0289;  // peak 0.0577 (Mach 0.1)
  for (double offset : {0.0, 0.02, 0.5, 0.9}) {
    const Vec3 start(-offset, 0, 0);
    auto pipe = std::make_shared<PipeShape>(start, Vec3(1, 0, 0), R, len);
    pipe->unbounded_length(true);
    DomainSpec spec =
        DomainSpec::around(std::make_shared<PipeShape>(start, Vec3(1, 0, 0), R, len), 1.0);
    spec.shape = pipe;
    spec.iolets = {
        {"inlet0", IoletKind::VelocityInlet, start, Vec3(-1, 0, 0), true, R},
        {"outlet0", IoletKind::PressureOutlet, start + Vec3(len, 0, 0), Vec3(1, 0, 0), false, R}};
    Engine<float, D3Q19> e(
        spec, {BackendKind::Cpu, CollisionModel::Trt, tau, 3.0 / 16, WallMethod::Bouzidi});
    e.set_iolet_values({U, 1.0});
    double worst = 0;
    for (int s = 0; s < 1200; s += 100) {
      e.run(100);
      const auto d = e.diagnostics();
      ASSERT_EQ(d.bad_cell, -1) << "offset " << offset << ", step " << e.steps();
      worst = std::max(worst, d.max_speed);
    }
    const auto d = e.diagnostics();
    std::printf("plane offset %.2f: largest speed %.4f, inflow / (pi R^2 U) %.4f\n", offset, worst,
                d.iolet_flow[0] / (std::numbers::pi * R * R * U));
    EXPECT_LT(worst, 0.08) << "offset " << offset;
    EXPECT_NEAR(d.iolet_flow[0] / (std::numbers::pi * R * R * U), 1.0, 0.02) << offset;
  }
}
