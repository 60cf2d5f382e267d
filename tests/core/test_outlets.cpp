// Outlet models: the RCR Windkessel against its analytic solutions, alone and coupled to a pipe
// every step (outlet pressure within 2 % of the ODE's periodic solution for the inflow); a
// resistance outlet (P = R Q); a flow split; bad outlet settings refused naming the key.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <cstdio>
#include <numbers>

#include "hemotwin/core/error.hpp"
#include "hemotwin/core/outlets.hpp"
#include "hemotwin/core/simulation.hpp"

using namespace hemotwin;

namespace {
constexpr double kPi = std::numbers::pi;

// The periodic outlet pressure of an RCR fed by Q(t) = q0 (1 + a sin(w t)):
// P = P_d + (R1 + R2) q0 + a q0 Im(Z e^{i w t}), Z = R1 + R2 / (1 + i w R2 C).
double rcr_periodic(double t, double r1, double r2, double c, double pd, double q0, double a,
                    double w) {
  const std::complex<double> z = r1 + r2 / (1.0 + std::complex<double>(0, w * r2 * c));
  return pd + (r1 + r2) * q0 + a * q0 * std::imag(z * std::exp(std::complex<double>(0, w * t)));
}

// A 4 mm pipe of 16 cells across fed by a steady-plus-sinusoidal inflow. Viscous enough that tau
// is 0.55 at dt = 5e-5 s: the lattice's sound speed (2.9 m/s) is then fast enough that the fluid's
// own compressibility (V / (rho c_s^2), 8e-12 m^3/Pa for this pipe) is small against the
// Windkessel's compliance; the pressures (Pa) are small against rho c_s^2 (8.8 kPa).
Case pipe_case() {
  Case c;
  c.backend = BackendKind::Cpu;
  c.precision = Precision::Double;
  c.geometry.shape = ShapeKind::Pipe;
  c.geometry.diameter = 4e-3;
  c.geometry.length = 8e-3;
  c.geometry.cells_across = 16;
  c.blood.density = 1060;
  c.blood.viscosity = 0.0221;
  c.inlet.mean_velocity = 0.04;
  c.inlet.amplitude = 0.5;
  c.inlet.period = 0.2;
  c.inlet.ramp = 0.05;
  c.time.time_step = 5e-5;
  c.time.duration = 1.0;
  c.output.check_every = 200;
  return c;
}
}  // namespace

TEST(Windkessel, RelaxesExactlyUnderAConstantFlow) {
  const double r1 = 2e6, r2 = 3e7, cap = 1e-9, pd = 100, q = 2e-7;
  Windkessel wk(r1, r2, cap, pd, pd);
  const double tc = r2 * cap;
  double t = 0;
  for (int i = 0; i < 37; ++i, t += 0.0031) wk.advance(q, 0.0031);
  const double pc = pd + r2 * q * (1 - std::exp(-t / tc));
  EXPECT_NEAR(wk.capacitor_pressure(), pc, 1e-9 * pc);
  EXPECT_NEAR(wk.pressure(q), pc + r1 * q, 1e-9 * pc);
  // Without a capacitor: a resistance.
  Windkessel r(5e6, 0, 0, 10, 10);
  EXPECT_DOUBLE_EQ(r.advance(q, 0.1), 10 + 5e6 * q);
  EXPECT_DOUBLE_EQ(r.total_resistance(), 5e6);
}

TEST(Windkessel, ReachesTheAnalyticPeriodicSolution) {
  const double r1 = 2.4875e8, r2 = 1.8697e9, cap = 1.7529e-10, pd = 0;  // openBF's CCA outlet
  const double q0 = 6.5e-6, a = 0.6, T = 1.1, w = 2 * kPi / T, dt = 1e-5;
  Windkessel wk(r1, r2, cap, pd, pd + r2 * q0);
  double worst = 0, scale = 0;
  const int steps = int(std::lround(8 * T / dt));
  for (int n = 1; n <= steps; ++n) {
    const double t = n * dt;
    // The flow over (t - dt, t], sampled at its end as the coupling does.
    const double p = wk.advance(q0 * (1 + a * std::sin(w * t)), dt);
    if (t > 7 * T) {
      const double pa = rcr_periodic(t, r1, r2, cap, pd, q0, a, w);
      worst = std::max(worst, std::abs(p - pa));
      scale = std::max(scale, std::abs(pa));
    }
  }
  std::printf("RCR alone, CCA values: max |P - P_analytic| / max P = %.2e\n", worst / scale);
  EXPECT_LT(worst / scale, 1e-4);
}

TEST(Outlets, WindkesselOutletFollowsTheRcrSolutionOncePeriodic) {
  Case c = pipe_case();
  // w R2 C = 0.99; C is 1200 times the fluid's own compliance.
  const double r1 = 3.5e5, r2 = 3.15e6, cap = 1e-8, pd = 0;
  c.outlet.model = OutletModel::Windkessel;
  c.outlet.resistance = r1;
  c.outlet.distal_resistance = r2;
  c.outlet.compliance = cap;
  c.outlet.pressure = pd;
  auto sim = Simulation::create(c);
  ASSERT_EQ(sim->iolets().size(), 2u);
  const double area = 0.25 * kPi * 4e-3 * 4e-3;
  const double q0 = c.inlet.mean_velocity * area, w = 2 * kPi / c.inlet.period;
  // Lattice density 1 stands for the mean pressure expected at the mean flow.
  EXPECT_NEAR(sim->units().reference_pressure(), (r1 + r2) * q0, 1e-9 * (r1 + r2) * q0);
  const std::int64_t period_steps = std::llround(c.inlet.period / sim->units().dt());
  sim->advance(2 * period_steps);
  double num = 0, den = 0, osc_num = 0, osc_den = 0, inflow = 0;
  std::complex<double> h[4];
  const double mean = pd + (r1 + r2) * q0;
  for (std::int64_t i = 0; i < period_steps; ++i) {
    sim->advance(1);
    const auto d = sim->diagnostics();
    const double p = d.iolet_boundary_pressure[1];
    const double pa = rcr_periodic(sim->time(), r1, r2, cap, pd, q0, c.inlet.amplitude, w);
    num += (p - pa) * (p - pa);
    den += (pa - pd) * (pa - pd);
    osc_num += (p - pa) * (p - pa);
    osc_den += (pa - mean) * (pa - mean);
    inflow += d.iolet_flow[0] / double(period_steps);
    const double ph = w * sim->time();
    h[0] += std::complex<double>(p - pd, 0) * std::exp(std::complex<double>(0, -ph));
    h[1] += std::complex<double>(pa - pd, 0) * std::exp(std::complex<double>(0, -ph));
    h[2] += d.iolet_flow[0] * std::exp(std::complex<double>(0, -ph));
    h[3] += d.iolet_flow[1] * std::exp(std::complex<double>(0, -ph));
    EXPECT_TRUE(std::isnan(d.iolet_boundary_pressure[0]));  // the inlet imposes no pressure
  }
  const double err = std::sqrt(num / den), osc = std::sqrt(osc_num / osc_den);
  std::printf(
      "RCR outlet on a pipe: relative L2 of P over the 3rd period %.3e (of its pulsatile part "
      "%.3e); mean inflow %.4e m3/s (nominal %.4e)\n",
      err, osc, inflow, q0);
  for (auto& x : h) x *= 2.0 / double(period_steps);
  std::printf(
      "first harmonic: P %.4g at %.2f deg, analytic %.4g at %.2f deg; Q in %.4g at %.2f, out %.4g "
      "at %.2f\n",
      std::abs(h[0]), std::arg(h[0]) * 180 / kPi, std::abs(h[1]), std::arg(h[1]) * 180 / kPi,
      std::abs(h[2]), std::arg(h[2]) * 180 / kPi, std::abs(h[3]), std::arg(h[3]) * 180 / kPi);
  EXPECT_LT(err, 0.02);
  // The pulsatile part alone: the compliance's phase and damping, not only the mean R Q.
  EXPECT_LT(osc, 0.05);
}

TEST(Outlets, ResistanceOutletImposesRTimesTheFlow) {
  Case c = pipe_case();
  c.inlet.amplitude = 0;
  c.time.duration = 0.3;
  c.outlet.model = OutletModel::Resistance;
  c.outlet.resistance = 2e7;
  c.outlet.pressure = 50;  // distal pressure
  auto sim = Simulation::create(c);
  sim->advance(sim->total_steps());
  const auto d = sim->diagnostics();
  const double q = d.iolet_flow[1];
  std::printf("resistance outlet: P = %.4f Pa for Q = %.4e m3/s (P_d + R Q = %.4f)\n",
              d.iolet_boundary_pressure[1], q, 50 + 2e7 * q);
  // P_d + R Q (1 + R_s / Z), R_s the slab's viscous resistance (outlets.hpp): 0.8 % of R Q.
  EXPECT_NEAR(d.iolet_boundary_pressure[1], 50 + 2e7 * q, 0.01 * 2e7 * q);
  const double q0 = c.inlet.mean_velocity * 0.25 * kPi * 16e-6;
  EXPECT_NEAR(q, q0, 0.01 * q0);  // steady: what enters leaves
  // The slab's mean pressure lies upstream of the plane, 3 cells (0.75 mm) on average: above it
  // by Poiseuille's gradient 8 mu Q / (pi R^4) over that distance.
  const double drop = 8 * c.blood.viscosity * q / (kPi * std::pow(2e-3, 4)) * 0.75e-3;
  std::printf("slab 0.75 mm upstream: %.4f Pa above the plane (Poiseuille: %.4f)\n",
              d.iolet_pressure[1] - d.iolet_boundary_pressure[1], drop);
  EXPECT_GT(d.iolet_pressure[1] - d.iolet_boundary_pressure[1], 0.5 * drop);
  EXPECT_LT(d.iolet_pressure[1] - d.iolet_boundary_pressure[1], 1.1 * drop);
}

// A peripheral resistance is often ten times the characteristic impedance rho c_s / A of an
// outlet on a lattice (here Z = 2.4e8 Pa s/m^3). Coupled explicitly, one step behind, such an
// outlet diverged within 40 steps (and one of 0.7 Z within 900: the loop gain is R / Z); coupled
// through the impedance (Windkessel::set_impedance) it settles on P = P_d + R Q.
TEST(Outlets, AResistanceTenTimesTheOutletImpedanceIsStable) {
  Case c = pipe_case();
  c.inlet.amplitude = 0;
  c.time.duration = 0.5;
  c.outlet.model = OutletModel::Resistance;
  const double area = 0.25 * kPi * 16e-6;
  const double z = c.blood.density * 0.25e-3 / (c.time.time_step * std::sqrt(3.0)) / area;
  c.outlet.resistance = 10 * z;
  c.outlet.pressure = 0;
  auto sim = Simulation::create(c);
  sim->advance(sim->total_steps());  // throws DivergenceError when unstable
  const auto d = sim->diagnostics();
  const double q = d.iolet_flow[1], q0 = c.inlet.mean_velocity * area;
  std::printf("resistance 10 Z = %.3g Pa s/m3: P = %.3f Pa for Q = %.5e m3/s (R Q = %.3f)\n",
              10 * z, d.iolet_boundary_pressure[1], q, 10 * z * q);
  EXPECT_NEAR(q, q0, 0.01 * q0);
  EXPECT_NEAR(d.iolet_boundary_pressure[1], 10 * z * q, 0.01 * 10 * z * q);
}

TEST(Outlets, BadOutletSettingsAreRefusedNamingTheKey) {
  auto refuses = [](Case c, const std::string& key, const std::string& words) {
    try {
      Simulation::create(c);
      ADD_FAILURE() << "accepted a case that " << words;
    } catch (const Error& e) {
      EXPECT_EQ(e.key(), key) << e.what();
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  Case c = pipe_case();
  c.outlet.model = OutletModel::Windkessel;
  c.outlet.resistance = 1e6;
  refuses(c, "outlet.r2_pa_s_m3", "distal resistance");
  c.outlet.distal_resistance = 1e7;
  refuses(c, "outlet.compliance_m3_pa", "compliance");
  c.outlet.compliance = 1e-9;
  c.outlet.resistance = -1;
  refuses(c, "outlet.r1_pa_s_m3", ">= 0");
  c.outlet.model = OutletModel::Resistance;
  c.outlet.resistance = 0;
  refuses(c, "outlet.resistance_pa_s_m3", "> 0");
  c.outlet.model = OutletModel::FlowSplit;
  c.outlet.flow_fraction = 0.5;
  refuses(c, "outlet.model", "at least one outlet must set the pressure");
  c.outlet.model = OutletModel::Pressure;
  c.outlets.push_back({});
  c.outlets.back().name = "outlet7";
  refuses(c, "outlets.outlet7", "the outlets are: outlet0");
}
