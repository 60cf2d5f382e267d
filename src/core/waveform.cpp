#include "hemotwin/core/waveform.hpp"

// GCC 12 warns inside Eigen's AVX-512 dense kernels, which SparseLU instantiates in this file,
// after inlining (a false positive); only a file-wide setting reaches it. (clang has no such
// warning.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <Eigen/SparseCore>
#include <Eigen/SparseLU>
#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "hemotwin/core/error.hpp"

namespace hemotwin {

Waveform::Waveform(std::vector<double> t, std::vector<double> v, double period)
    : t_(std::move(t)), v_(std::move(v)), period_(period) {
  if (t_.size() != v_.size()) throw Error("a waveform needs as many times as values");
  if (!(period_ > 0) || !std::isfinite(period_))
    throw Error("a waveform's period must be positive, got " + std::to_string(period_));
  for (std::size_t i = 0; i < t_.size(); ++i)
    if (!std::isfinite(t_[i]) || !std::isfinite(v_[i]))
      throw Error("waveform sample " + std::to_string(i + 1) + " is not a finite number");
  for (std::size_t i = 1; i < t_.size(); ++i)
    if (!(t_[i] > t_[i - 1]))
      throw Error("waveform sample " + std::to_string(i + 1) + ": time " + std::to_string(t_[i]) +
                  " does not follow " + std::to_string(t_[i - 1]) + "; times must increase");
  if (t_.size() >= 2) {
    const double span = t_.back() - t_.front();
    const auto [lo, hi] = std::minmax_element(v_.begin(), v_.end());
    const double range = std::max(*hi - *lo, std::abs(*hi));
    if (std::abs(span - period_) <= 1e-9 * period_) {
      if (std::abs(v_.back() - v_.front()) > 1e-6 * range + 1e-300)
        throw Error("waveform sample " + std::to_string(t_.size()) +
                    " lies one period after the "
                    "first but its value " +
                    std::to_string(v_.back()) + " is not the first's (" +
                    std::to_string(v_.front()) + "): the cycle does not close");
      t_.pop_back();
      v_.pop_back();
    } else if (span > period_) {
      throw Error("the waveform spans " + std::to_string(span) + " s, longer than its period " +
                  std::to_string(period_) + " s");
    }
  }
  const std::size_t n = t_.size();
  if (n < 3) throw Error("a waveform needs at least 3 samples in a period");

  // Periodic cubic spline: h_{i-1} M_{i-1} + 2 (h_{i-1} + h_i) M_i + h_i M_{i+1}
  //   = 6 ((v_{i+1} - v_i) / h_i - (v_i - v_{i-1}) / h_{i-1}), indices modulo n.
  auto h = [&](std::size_t i) {
    return i + 1 < n ? t_[i + 1] - t_[i] : t_[0] + period_ - t_[n - 1];
  };
  // Cyclic tridiagonal: a sparse LU keeps it linear in the number of samples.
  std::vector<Eigen::Triplet<double>> entries;
  Eigen::VectorXd b = Eigen::VectorXd::Zero(Eigen::Index(n));
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t prev = (i + n - 1) % n, next = (i + 1) % n;
    const double hp = h(prev), hi = h(i);
    entries.emplace_back(Eigen::Index(i), Eigen::Index(prev), hp);
    entries.emplace_back(Eigen::Index(i), Eigen::Index(i), 2 * (hp + hi));
    entries.emplace_back(Eigen::Index(i), Eigen::Index(next), hi);
    b(Eigen::Index(i)) = 6 * ((v_[next] - v_[i]) / hi - (v_[i] - v_[prev]) / hp);
  }
  Eigen::SparseMatrix<double> A{Eigen::Index(n), Eigen::Index(n)};
  A.setFromTriplets(entries.begin(), entries.end());
  Eigen::SparseLU<Eigen::SparseMatrix<double>> lu(A);
  if (lu.info() != Eigen::Success) throw Error("the waveform's spline system is singular");
  const Eigen::VectorXd m = lu.solve(b);
  m_.assign(m.data(), m.data() + n);
  // The integral of each piece: h (v_i + v_{i+1}) / 2 - h^3 (M_i + M_{i+1}) / 24.
  double integral = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t next = (i + 1) % n;
    const double hi = h(i);
    integral += hi * (v_[i] + v_[next]) / 2 - hi * hi * hi * (m_[i] + m_[next]) / 24;
  }
  mean_ = integral / period_;
}

double Waveform::operator()(double time) const {
  const std::size_t n = t_.size();
  // Into [t_0, t_0 + period).
  double x = std::fmod(time - t_[0], period_);
  if (x < 0) x += period_;
  x += t_[0];
  std::size_t i = std::size_t(std::upper_bound(t_.begin(), t_.end(), x) - t_.begin());
  i = i == 0 ? 0 : i - 1;
  const std::size_t next = (i + 1) % n;
  const double t1 = i + 1 < n ? t_[i + 1] : t_[0] + period_;
  const double hi = t1 - t_[i];
  const double a = (t1 - x) / hi, c = (x - t_[i]) / hi;
  return a * v_[i] + c * v_[next] +
         ((a * a * a - a) * m_[i] + (c * c * c - c) * m_[next]) * hi * hi / 6;
}

double Waveform::min() const { return *std::min_element(v_.begin(), v_.end()); }
double Waveform::max() const { return *std::max_element(v_.begin(), v_.end()); }

std::vector<std::complex<double>> Waveform::harmonics(int count) const {
  constexpr int m = 1024;
  std::vector<double> v(m);
  for (int j = 0; j < m; ++j) v[j] = (*this)(t_.front() + period_ * j / m);
  std::vector<std::complex<double>> c(std::size_t(std::max(count, 0)) + 1);
  for (int n = 0; n <= count; ++n) {
    std::complex<double> sum = 0;
    for (int j = 0; j < m; ++j)
      sum += v[j] * std::polar(1.0, -2 * std::numbers::pi * double(n) * j / m);
    // Sampled from t_.front(): shift the phase back to t = 0.
    c[n] = sum * (n == 0 ? 1.0 : 2.0) / double(m) *
           std::polar(1.0, -2 * std::numbers::pi * n * t_.front() / period_);
  }
  c[0] = mean_;
  return c;
}

}  // namespace hemotwin
