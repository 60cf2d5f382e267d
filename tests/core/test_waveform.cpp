// Periodic cubic spline waveforms: through every sample, smooth across the period's wrap, exact
// mean, a smooth signal reproduced from a few samples; bad samples refused saying which.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

#include "hemotwin/core/error.hpp"
#include "hemotwin/core/simulation.hpp"
#include "hemotwin/core/waveform.hpp"

using namespace hemotwin;

namespace {
constexpr double kPi = std::numbers::pi;
double signal(double t, double T) {  // a cardiac-like smooth periodic signal
  return 5 + 3 * std::sin(2 * kPi * t / T) + 1.2 * std::cos(4 * kPi * t / T + 0.3);
}
}  // namespace

TEST(Waveform, InterpolatesSmoothlyAndPeriodically) {
  const double T = 1.1;
  const int n = 40;
  std::vector<double> t, v;
  for (int i = 0; i <= n; ++i) {  // closed: the last sample repeats the first, one period later
    t.push_back(0.2 + T * i / n);
    v.push_back(signal(t.back(), T));
  }
  const Waveform w(t, v, T);
  EXPECT_EQ(w.times().size(), std::size_t(n));
  for (int i = 0; i < n; ++i) EXPECT_NEAR(w(t[i]), v[i], 1e-12) << i;
  // Between samples, against the signal; across periods, the same.
  double worst = 0;
  for (double x = -3; x < 3; x += 0.0137) worst = std::max(worst, std::abs(w(x) - signal(x, T)));
  EXPECT_LT(worst, 2e-3);  // 40 samples of a 2-harmonic signal (range ~8)
  // Continuous value, slope and curvature across the wrap (finite differences).
  const double e = 1e-5, a = 0.2 + T;  // the wrap
  EXPECT_NEAR(w(a - e), w(a + e), 1e-4);
  const double s1 = (w(a) - w(a - e)) / e, s2 = (w(a + e) - w(a)) / e;
  EXPECT_NEAR(s1, s2, 1e-3);
  // The mean: the signal's is 5.
  EXPECT_NEAR(w.mean(), 5.0, 1e-4);
}

TEST(Waveform, MeanIsTheSplinesExactIntegral) {
  // Linear pieces' mean would differ: a triangle sampled coarsely.
  const std::vector<double> t{0, 0.25, 0.5, 0.75}, v{0, 1, 0, -1};
  const Waveform w(t, v, 1.0);
  double sum = 0;
  const int m = 200000;
  for (int i = 0; i < m; ++i) sum += w((i + 0.5) / m);
  EXPECT_NEAR(w.mean(), sum / m, 1e-9);
}

TEST(Waveform, BadSamplesAreRefused) {
  auto message = [](std::vector<double> t, std::vector<double> v, double T) {
    try {
      Waveform w(std::move(t), std::move(v), T);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  EXPECT_NE(message({0, 0.5, 0.4, 0.8}, {1, 2, 3, 4}, 1).find("sample 3: time 0.4"),
            std::string::npos);
  EXPECT_NE(message({0, 0.5, 1.0}, {1, 2, 5}, 1).find("the cycle does not close"),
            std::string::npos);
  EXPECT_NE(message({0, 0.5, 1.5}, {1, 2, 3}, 1).find("longer than its period"), std::string::npos);
  EXPECT_NE(message({0, 0.5, 1.0}, {1, 2, 1}, 1).find("at least 3 samples"), std::string::npos);
  EXPECT_NE(message({0, 0.5, 0.7}, {1, NAN, 1}, 1).find("sample 2 is not a finite number"),
            std::string::npos);
}

TEST(Waveform, DrivesTheInletAsTheSinusoidItSamples) {
  // A pipe driven by Q(t) = Q0 (1 + 0.3 sin(2 pi t / T)) given as 60 samples of a file-like
  // waveform, and the same pipe driven by mean velocity and amplitude: the flows must agree to
  // the spline's error, at every sample along the way.
  Case c;
  c.backend = BackendKind::Cpu;
  c.geometry.shape = ShapeKind::Pipe;
  c.geometry.diameter = 4e-3;
  c.geometry.length = 12e-3;
  c.geometry.cells_across = 8;
  c.inlet.mean_velocity = 0.02;
  c.inlet.amplitude = 0.3;
  c.inlet.period = 0.05;
  c.time.duration = 0.05;
  const double area = kPi * 4e-6;  // pi (2 mm)^2
  Case w = c;
  for (int i = 0; i <= 60; ++i) {
    const double t = c.inlet.period * i / 60;
    w.inlet.waveform_time.push_back(t);
    w.inlet.waveform_flow.push_back(c.inlet.mean_velocity * area *
                                    (1 + c.inlet.amplitude * std::sin(2 * kPi * t / 0.05)));
  }
  w.time.time_step = c.time.time_step = 2e-4;  // the same steps for both (tau 0.52)
  auto a = Simulation::create(c), b = Simulation::create(w);
  EXPECT_NEAR(b->config().inlet.mean_velocity, 0.02, 1e-6);  // the waveform's mean, reported
  double worst = 0, scale = 0;
  for (int k = 0; k < 10; ++k) {
    a->advance(25);
    b->advance(25);
    const double qa = a->diagnostics().iolet_flow[0], qb = b->diagnostics().iolet_flow[0];
    worst = std::max(worst, std::abs(qa - qb));
    scale = std::max(scale, std::abs(qa));
  }
  std::printf("inlet flow, waveform against sinusoid: max difference %.2e of %.2e m^3/s\n", worst,
              scale);
  EXPECT_LT(worst, 1e-3 * scale);
  EXPECT_GT(scale, 0);
}
