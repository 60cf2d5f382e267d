// Walls that move along their normal (DomainSpec::moving_wall): relinked every step, the cells
// they cover taken out with their mass counted, the cells they uncover refilled. Checked against
// exact solutions: a piston pushing the fluid of a duct out through a pressure outlet (u = X'
// everywhere, the outflow the swept volume, the mass back where it was after a cycle) and a
// radially pulsating sphere (u_r = R^2 R' / r^2), both incompressible limits of slow motions.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <numbers>
#include <string>
#include <utility>

#include "hemotwin/core/engine.hpp"
#include "hemotwin/core/error.hpp"

using namespace hemotwin;

namespace {
constexpr double kPi = std::numbers::pi;

// A duct along x, periodic in y and z (8 x 8 cells), closed at its left end by a piston at
// X(t) = x0 + a sin(2 pi t / period): the fluid lies between the piston and x = 38.
class Piston final : public MovingShape {
 public:
  Piston(double x0, double a, double period) : x0_(x0), a_(a), period_(period) {}
  double position(double t) const { return x0_ + a_ * std::sin(2 * kPi * t / period_); }
  double speed(double t) const { return a_ * 2 * kPi / period_ * std::cos(2 * kPi * t / period_); }
  std::shared_ptr<const Shape> at(double t) const override {
    return std::make_shared<BoxShape>(Vec3(position(t), -1, -1), Vec3(38, 9, 9));
  }
  Vec3 wall_velocity(const Vec3&, double t) const override { return {speed(t), 0, 0}; }
  Eigen::AlignedBox3d envelope() const override { return {Vec3(x0_ - a_, -1, -1), Vec3(38, 9, 9)}; }
  double period() const override { return period_; }

 private:
  double x0_, a_, period_;
};

DomainSpec piston_duct(std::shared_ptr<const Piston> piston, double start) {
  DomainSpec spec;
  spec.moving_wall = {piston, 1.0, start};
  spec.cells = {40, 8, 8};
  spec.periodic = {false, true, true};
  IoletPlane out;
  out.name = "outlet";
  out.kind = IoletKind::PressureOutlet;
  out.point = Vec3(35.5, 0, 0);
  out.normal = Vec3(1, 0, 0);
  spec.iolets = {out};
  return spec;
}

double mean_x_velocity(const Engine<double, D3Q19>& e, double from_x, double to_x) {
  std::vector<double> rho, u;
  e.moments(rho, u);
  double sum = 0;
  int n = 0;
  for (std::size_t c = 0; c < rho.size(); ++c) {
    if (!e.lattice().is_fluid(std::int64_t(c))) continue;
    const double x = e.lattice().position(std::int64_t(c)).x();
    if (x < from_x || x > to_x) continue;
    sum += u[3 * c];
    ++n;
  }
  return sum / n;
}

}  // namespace

// Every stored cell at density 1 and velocity u(position) (the flow at the start).
template <class F>
void start_with(Engine<double, D3Q19>& e, F&& u) {
  const auto& lat = e.lattice();
  const std::size_t n = std::size_t(lat.brick_count()) * brick_cells;
  std::vector<double> rho(n, 1.0), v(3 * n, 0.0);
  for (std::size_t c = 0; c < n; ++c) {
    const Vec3 w = u(lat.position(std::int64_t(c)));
    for (int a = 0; a < 3; ++a) v[3 * c + std::size_t(a)] = w[a];
  }
  e.initialise(rho, v);
}

// The piston moves 3 cells either way over 4000 steps (at most 0.0047 cells per step), starting
// at its fastest with the fluid moving with it (the incompressible flow then; a start from rest
// would ring the duct's column of fluid at its acoustic period for thousands of steps). The fluid
// moves with the piston as a whole, the outlet passes the volume it sweeps, and after a whole
// cycle the fluid holds the mass it started with. The duct is short against the wavelength of
// sound at this period (k L = 0.06): compressibility shifts the mean velocity by (k L)^2 / 3 =
// 0.13 %.
TEST(NormalWalls, PistonDrivesTheDuctsFluid) {
  const double period = 4000, a = 3;
  const auto piston = std::make_shared<Piston>(12.3, a, period);
  const double swept_volume = 2 * a * 64;  // from one end of its stroke to the other
  // Bouzidi and halfway, relinked every step; Bouzidi relinked every fourth (the wall up to
  // 0.019 cells behind): the same to the tolerances.
  for (auto [walls, every] :
       {std::pair{WallMethod::Bouzidi, 1}, {WallMethod::BounceBack, 1}, {WallMethod::Bouzidi, 4}}) {
    SCOPED_TRACE(std::string(walls == WallMethod::Bouzidi ? "Bouzidi" : "halfway bounce-back") +
                 ", relinked every " + std::to_string(every));
    EngineOptions opt;
    opt.tau = 0.8;
    opt.walls = walls;
    DomainSpec spec = piston_duct(piston, 0);
    spec.moving_wall.relink_every = every;
    Engine<double, D3Q19> e(spec, opt);
    e.set_iolet_values({1.0});
    start_with(e, [&](const Vec3&) { return Vec3(piston->speed(0), 0, 0); });
    const double mass0 = e.diagnostics().mass;
    double out = 0, at_right = 0;  // the outflow's volume since the start, and at the stroke's end
    std::vector<double> flow, density;
    for (int s = 1; s <= int(period); ++s) {
      e.step();
      e.sample_iolets({0}, flow, density);
      out += flow[0];
      if (s == int(period / 2) || s == int(period)) {
        // The piston at its fastest: the fluid moves with it.
        const double want = piston->speed(s);
        EXPECT_NEAR(mean_x_velocity(e, piston->position(s) + 2, 33), want, 0.01 * std::abs(want))
            << "at step " << s;
      }
      if (s == int(period / 4)) at_right = out;
      if (s == int(3 * period / 4)) {
        // Drawn back from the right end of its stroke to the left, it drew that volume in.
        EXPECT_NEAR(out - at_right, -swept_volume, 0.01 * swept_volume);
      }
    }
    const auto moved = e.wall_moved_cells();
    EXPECT_EQ(moved[0], moved[1]);  // it covered and uncovered the same cells
    EXPECT_GE(moved[0], 5 * 64);
    EXPECT_NEAR(e.diagnostics().mass, mass0, 1e-3 * mass0);
    EXPECT_NEAR(out, 0, 0.01 * swept_volume);
  }
}

// A short, quick stroke (0.047 cells per step at its fastest, 100 steps: five layers covered),
// what the sanitizer build runs (scripts/test --sanitize; a step costs about 25 ms there): the
// cells come and go, and the fluid's mass and what left through the outlet add up to the mass
// it started with.
TEST(NormalWalls, ShortStrokeCoversAndUncoversCells) {
  const auto piston = std::make_shared<Piston>(12.3, 3, 400);
  EngineOptions opt;
  Engine<double, D3Q19> e(piston_duct(piston, 0), opt);
  e.set_iolet_values({1.0});
  start_with(e, [&](const Vec3&) { return Vec3(piston->speed(0), 0, 0); });
  const double mass0 = e.diagnostics().mass;
  double out = 0;  // what left through the outlet
  for (int s = 0; s < 100; ++s) {
    e.step();
    out += e.iolet_link_flow()[0];
  }
  const auto d = e.diagnostics();
  EXPECT_EQ(d.bad_cell, -1);
  EXPECT_GE(e.wall_moved_cells()[0], 3 * 64);
  // Within what the stroke's compression allows: the covered cells held 1 % more than rho0,
  // by which the moving-wall term counts the volume it sweeps.
  EXPECT_NEAR(d.mass + out, mass0, 3e-3 * mass0);
}

// Step by step the wall is followed from its front (the cells where it is, and from each cell
// that flips its neighbours in turn); a restore retypes the whole band. A piston at up to 0.29
// cells per step, relinked every seventh, covers two layers in its first relink; restored into a
// new engine then, every cell has the same type.
TEST(NormalWalls, FollowedFrontMissesNoCell) {
  const auto piston = std::make_shared<Piston>(12.3, 3, 64);
  DomainSpec spec = piston_duct(piston, 0);
  spec.moving_wall.relink_every = 7;
  EngineOptions opt;
  Engine<double, D3Q19> a(spec, opt), b(spec, opt);
  for (auto* e : {&a, &b}) e->set_iolet_values({1.0});
  start_with(a, [&](const Vec3&) { return Vec3(piston->speed(0), 0, 0); });
  a.run(7);
  b.restore(a.populations(), a.layout(), a.steps());
  EXPECT_EQ(a.wall_moved_cells()[0], 2 * 64);  // x = 12.3 -> 14.2 covers x = 13, 14
  const std::int64_t n = std::int64_t(a.lattice().brick_count()) * brick_cells;
  std::int64_t differ = 0;
  for (std::int64_t c = 0; c < n; ++c) differ += a.lattice().is_fluid(c) != b.lattice().is_fluid(c);
  EXPECT_EQ(differ, 0);
}

// A wall faster than the lattice carries, or one the lattice cannot follow, is refused with what
// to change.
TEST(NormalWalls, RefusesWallsTooFastForTheLattice) {
  const auto piston = std::make_shared<Piston>(12.3, 3, 20);  // 0.94 cells per step
  EngineOptions opt;
  try {
    Engine<double, D3Q19> e(piston_duct(piston, 0), opt);
    FAIL() << "a wall at 0.94 cells per step was accepted";
  } catch (const Error& err) {
    EXPECT_NE(std::string(err.what()).find("smaller time step"), std::string::npos) << err.what();
  }
  DomainSpec aa = piston_duct(std::make_shared<Piston>(12.3, 3, 2000), 0);
  opt.streaming = StreamingScheme::AaPattern;
  EXPECT_THROW((Engine<double, D3Q19>(aa, opt)), Error);
  aa.moving_wall.time_step = 0;
  opt.streaming = StreamingScheme::Auto;
  EXPECT_THROW((Engine<double, D3Q19>(aa, opt)), Error);
}

// Fluid outside a sphere of radius R(t) = R0 + A sin(2 pi t / T) in a box whose faces are
// round pressure outlets: incompressible flow is u = R^2 R' / r^2 along r, and no-slip holds on the
// sphere, whose wall moves along its normal. Ten cells per radius; the faces four radii away
// (their uniform pressure bends the flow by about 1.6 (r / D)^5 of u at r: 0.3 % at 1.8 radii);
// the cycle's sound wavelength is 70 times the radius (k r = 0.03 at 1.8 radii). It starts at
// its fastest, the fluid in the incompressible flow.
TEST(NormalWalls, PulsatingSphereMatchesThePointSource) {
  const double r0 = 10, amp = 2, period = 2000, half = 40;
  const auto sphere = std::make_shared<PulsatingSphere>(
      Vec3::Zero(), r0, amp, period,
      Eigen::AlignedBox3d(Vec3::Constant(-half), Vec3::Constant(half)));
  DomainSpec spec;
  spec.moving_wall = {sphere, 1.0, 0.0};
  spec.origin = Vec3::Constant(-half);
  spec.cells = {int(2 * half) + 1, int(2 * half) + 1, int(2 * half) + 1};
  for (int a = 0; a < 3; ++a)
    for (double side : {-1.0, 1.0}) {
      IoletPlane out;
      out.name = "face";
      out.kind = IoletKind::PressureOutlet;
      out.normal = Vec3::Zero();
      out.normal[a] = side;
      out.point = (half - 1.5) * out.normal;
      // A round opening in each face, short of the edges: the flow sampled before one face
      // must not be sampled again before its neighbour.
      out.reach = half - 8;
      spec.iolets.push_back(out);
    }
  EngineOptions opt;
  opt.tau = 0.8;
  Engine<double, D3Q19> e(spec, opt);
  e.set_iolet_values(std::vector<double>(6, 1.0));
  const auto exact = [&](const Vec3& p, double t) -> Vec3 {
    const double r = sphere->radius(t);
    return p.norm() > 0 ? Vec3(r * r * sphere->radius_rate(t) / p.squaredNorm() * p.normalized())
                        : Vec3::Zero();
  };
  start_with(e, [&](const Vec3& p) { return exact(p, 0); });
  const double mass0 = e.diagnostics().mass;
  double out = 0, at_largest = 0;  // the volume through the faces since the start
  std::vector<double> flow, density;
  for (int s = 1; s <= int(period); ++s) {
    e.step();
    e.sample_iolets({0, 1, 2, 3, 4, 5}, flow, density);
    for (double q : flow) out += q;
    if (s == int(period / 2) || s == int(period)) {
      // Shrinking, then growing, at its fastest: the velocity between 1.3 and 1.8 radii.
      const double r = sphere->radius(s);
      std::vector<double> rho, u;
      e.moments(rho, u);
      double num = 0, den = 0;
      for (std::size_t c = 0; c < rho.size(); ++c) {
        if (!e.lattice().is_fluid(std::int64_t(c))) continue;
        const Vec3 p = e.lattice().position(std::int64_t(c));
        if (p.norm() < 1.3 * r || p.norm() > 1.8 * r) continue;
        num += (Vec3(u[3 * c], u[3 * c + 1], u[3 * c + 2]) - exact(p, s)).squaredNorm();
        den += exact(p, s).squaredNorm();
      }
      std::printf("step %d: velocity error %.2f %% (relative L2, 1.3 to 1.8 radii)\n", s,
                  100 * std::sqrt(num / den));
      EXPECT_LT(std::sqrt(num / den), 0.03) << "at step " << s;
    }
    if (s == int(period / 4)) at_largest = out;
    if (s == int(3 * period / 4)) {
      // Shrinking from R0 + A to R0 - A, the sphere drew that volume in through the faces.
      const double drawn = 4.0 / 3 * kPi * (std::pow(r0 + amp, 3) - std::pow(r0 - amp, 3));
      std::printf("drawn in: %.1f, the sphere's volume change %.1f\n", at_largest - out, drawn);
      EXPECT_NEAR(at_largest - out, drawn, 0.01 * drawn);
    }
  }
  std::printf("mass after a cycle: %+.4f %%\n", 100 * (e.diagnostics().mass / mass0 - 1));
  EXPECT_NEAR(e.diagnostics().mass, mass0, 1e-3 * mass0);
}
