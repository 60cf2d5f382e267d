// A beating left ventricle: the prolate chamber phantom (ProlateChamber) with its wall moving
// along its normal (DomainSpec::moving_wall) and two valves on its base that open and close by
// the phase of the cycle (Engine::set_iolets_open): the mitral opening during filling, the
// aortic during ejection, both closed while the volume holds. Over each beat the aortic outflow
// is the stroke volume, the mitral inflow gives it back, and the mass returns.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "hemotwin/core/engine.hpp"

using namespace hemotwin;

namespace {

// Lattice units: a cavity 36 cells from apex to base, 24 across at end-diastole (12 215 cells),
// EF 60 %, a beat of 16 000 steps (the aortic jet peaks near 0.08 cells per step).
constexpr double kPeriod = 16000;

std::shared_ptr<ProlateChamber> ventricle() {
  VolumeCurve curve;
  curve.period = kPeriod;
  return std::make_shared<ProlateChamber>(Vec3::Zero(), Vec3::UnitZ(), 24.0, 12.0, 0.5, curve);
}

// A round opening in the base plane (z = 0), its plane half a cell inside the cavity.
IoletPlane valve(const char* name, double x, double radius) {
  IoletPlane v;
  v.name = name;
  v.kind = IoletKind::PressureOutlet;
  v.point = Vec3(x, 0, -0.5);
  v.normal = Vec3::UnitZ();
  v.reach = radius;
  v.radius = radius;
  return v;
}

}  // namespace

// Three beats at D3Q19 TRT, tau 0.6: stable; each beat's aortic outflow (through the opening's
// links: Engine::iolet_link_flow) within 2 % of the curve's stroke volume, the mitral inflow within
// 2 % of it, the ejection fraction of the lattice's cell counts within 2 points of the curve's,
// the mass back within 0.1 % after each beat.
TEST(ChamberFlow, LeftVentricleEjectsItsStrokeVolumeEveryBeat) {
  const auto lv = ventricle();
  const VolumeCurve& curve = lv->curve();
  DomainSpec spec;
  // Relinked every fourth step: the wall is at most 0.01 cells behind (its fastest is 0.0025
  // cells a step), and the relink is most of a step on a lattice this small.
  spec.moving_wall = {lv, 1.0, 0.0, 64, 4};
  const auto box = lv->envelope();
  spec.origin = box.min() - Vec3::Constant(2);
  for (int a = 0; a < 3; ++a) spec.cells[a] = int(std::ceil(box.sizes()[a])) + 5;
  // Side by side on the base (radius 10.4 cells at end-diastole, 7.1 at end-systole: there the
  // openings reach its rim).
  spec.iolets = {valve("mitral", -3.8, 3.2), valve("aortic", 3.7, 3.0)};
  EngineOptions opt;
  opt.tau = 0.6;
  Engine<double, D3Q19> e(spec, opt);
  e.set_iolet_values({1.0, 1.0});
  e.initialise();
  const double stroke = curve.end_diastolic - curve.end_systolic;
  const int beat = int(kPeriod);
  for (int b = 0; b < 3; ++b) {
    const double mass0 = e.diagnostics().mass;
    double aortic = 0, mitral = 0, fastest = 0;
    std::int64_t largest = 0, smallest = e.lattice().fluid_cells();
    for (int s = 1; s <= beat; ++s) {
      // The valve state of the coming step, by phase.
      const double phase = std::fmod(double(b * beat + s), kPeriod) / kPeriod;
      const bool ejecting = phase < curve.ejection_end;
      const bool filling = phase >= curve.filling_start && phase < curve.a_wave_end;
      e.set_iolets_open({filling, ejecting});
      e.step();
      const auto flow = e.iolet_link_flow();
      mitral -= flow[0];  // into the chamber
      aortic += flow[1];  // out of it
      largest = std::max(largest, e.lattice().fluid_cells());
      smallest = std::min(smallest, e.lattice().fluid_cells());
      if (s % 200 == 0) {
        const auto d = e.diagnostics();
        fastest = std::max(fastest, d.max_speed);
        // The reduction counts the fluid the wall leaves now, as the lattice does.
        ASSERT_EQ(d.fluid_cells, double(e.lattice().fluid_cells())) << "step " << s;
      }
      if (b == 0 && s == int(curve.ejection_end * kPeriod / 2)) {  // mid-ejection: the jet's energy
        std::vector<double> rho, u;
        e.moments(rho, u);
        double energy = 0;
        for (std::size_t c = 0; c < rho.size(); ++c)
          if (e.lattice().is_fluid(std::int64_t(c)))
            energy += 0.5 * (u[3 * c] * u[3 * c] + u[3 * c + 1] * u[3 * c + 1] +
                             u[3 * c + 2] * u[3 * c + 2]);
        EXPECT_GT(energy, 0);
        EXPECT_NEAR(e.diagnostics().kinetic_energy, energy, 1e-9 * energy);
      }
    }
    const auto d = e.diagnostics();
    ASSERT_EQ(d.bad_cell, -1) << "beat " << b;
    const double counted = double(largest - smallest);
    std::printf(
        "beat %d: aortic outflow %.1f, mitral inflow %.1f, stroke volume %.1f (curve) / %.0f "
        "(cells), EF %.2f %% (cells), mass %+.4f %%, fastest %.4f\n",
        b + 1, aortic, mitral, stroke, counted, 100 * counted / double(largest),
        100 * (d.mass / mass0 - 1), fastest);
    EXPECT_LT(fastest, 0.15);
    EXPECT_NEAR(aortic, stroke, 0.02 * stroke) << "beat " << b;
    EXPECT_NEAR(mitral, aortic, 0.02 * aortic) << "beat " << b;
    EXPECT_NEAR(100 * counted / double(largest), 100 * curve.ejection_fraction(), 2.0);
    EXPECT_NEAR(d.mass, mass0, 1e-3 * mass0) << "beat " << b;
  }
}
