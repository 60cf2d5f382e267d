#pragma once
// A periodic signal given by samples — an inflow waveform Q(t) over one cardiac cycle — and the
// periodic cubic spline through them (twice continuously differentiable, across the period's
// wrap too), so a velocity inlet driven by it has no kinks that would ring through the lattice.
#include <complex>
#include <vector>

namespace hemotwin {

class Waveform {
 public:
  /// Samples (t_i, v_i), t strictly increasing, repeating with `period`. A last sample one period
  /// after the first (a closed cycle, as measured waveforms are often written) must repeat the
  /// first value (within 1e-6 of the range) and is dropped. Throws hemotwin::Error saying which
  /// sample is wrong: fewer than 3 distinct samples, times not increasing, a span longer than the
  /// period, non-finite values.
  Waveform(std::vector<double> t, std::vector<double> v, double period);

  /// The spline at time t (any t: the signal repeats).
  double operator()(double t) const;
  /// The mean over a period (the spline's exact integral over it, divided by it).
  double mean() const { return mean_; }
  double period() const { return period_; }
  /// The smallest and largest sample (the spline may overshoot them slightly between samples).
  double min() const;
  double max() const;
  /// Fourier harmonics c_0 .. c_count of the spline, w(t) ~ Re sum_n c_n exp(2 pi i n t / T)
  /// (c_0 the mean), from 1024 samples over a period.
  std::vector<std::complex<double>> harmonics(int count) const;
  const std::vector<double>& times() const { return t_; }
  const std::vector<double>& values() const { return v_; }

 private:
  std::vector<double> t_, v_, m_;  // knots, values, second derivatives
  double period_ = 1, mean_ = 0;
};

}  // namespace hemotwin
