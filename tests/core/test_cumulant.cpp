// The cumulant collision's algebra against references computed the slow, obvious way: central
// moments by their definition, cumulants as the coefficients of the logarithm of the moment
// generating function (truncated power series), the equilibrium as the product of 1-D
// Maxwellians, and the collision's invariants (mass, momentum plus the force, the equilibrium).
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <random>

#include "hemotwin/core/cumulant.hpp"
#include "hemotwin/core/kbc.hpp"

namespace {
using namespace hemotwin;
using namespace hemotwin::kernels;
using cumulant::at;
using L = D3Q27;
using Grid = std::array<double, 27>;  // indexed 9 a + 3 b + c, a, b, c in 0..2

// The algebra of the entropic KBC collision (kbc.hpp) shares the transforms; its invariants are
// checked here too.

// Populations (stored less their weights) of a random state near equilibrium at (rho, u).
std::array<double, 27> random_populations(std::mt19937& rng, double rho, const double (&u)[3],
                                          double spread) {
  std::uniform_real_distribution<double> noise(-spread, spread);
  std::array<double, 27> f{};
  double feq[27];
  equilibrium<double, L>(rho, u, feq);
  for (int q = 0; q < 27; ++q) f[q] = feq[q] + L::w[q] * noise(rng);
  return f;
}

void density_velocity(const std::array<double, 27>& f, double& rho, double (&u)[3]) {
  rho = 1;
  double j[3] = {0, 0, 0};
  for (int q = 0; q < 27; ++q) {
    rho += f[q];
    for (int a = 0; a < 3; ++a) j[a] += L::c[q][a] * f[q];
  }
  for (int a = 0; a < 3; ++a) u[a] = j[a] / rho;
}

// Central moments by definition (with the weights: absolute values).
Grid central_moments(const std::array<double, 27>& f, const double (&u)[3]) {
  Grid k{};
  for (int q = 0; q < 27; ++q) {
    const double fq = f[q] + L::w[q];
    for (int a = 0; a < 3; ++a)
      for (int b = 0; b < 3; ++b)
        for (int c = 0; c < 3; ++c)
          k[at(a, b, c)] += fq * std::pow(L::c[q][0] - u[0], a) * std::pow(L::c[q][1] - u[1], b) *
                            std::pow(L::c[q][2] - u[2], c);
  }
  return k;
}

// Product of two power series in (x, y, z) truncated at degree 2 in each variable.
Grid multiply(const Grid& p, const Grid& q) {
  Grid r{};
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b)
      for (int c = 0; c < 3; ++c)
        for (int d = 0; a + d < 3; ++d)
          for (int e = 0; b + e < 3; ++e)
            for (int g = 0; c + g < 3; ++g)
              r[at(a + d, b + e, c + g)] += p[at(a, b, c)] * q[at(d, e, g)];
  return r;
}

// Cumulants (times the mass) from absolute central moments: rho * derivatives of log M(t).
Grid reference_cumulants(const Grid& k) {
  const double rho = k[0];
  const double fact[3] = {1, 1, 2};
  Grid x{};  // M(t) - 1, M normalised
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b)
      for (int c = 0; c < 3; ++c)
        if (a + b + c > 0) x[at(a, b, c)] = k[at(a, b, c)] / rho / (fact[a] * fact[b] * fact[c]);
  Grid log{}, power = x;
  for (int n = 1; n <= 6; ++n) {
    for (int i = 0; i < 27; ++i) log[i] += ((n % 2) ? 1.0 : -1.0) / n * power[i];
    power = multiply(power, x);
  }
  Grid out{};
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b)
      for (int c = 0; c < 3; ++c)
        out[at(a, b, c)] = rho * log[at(a, b, c)] * fact[a] * fact[b] * fact[c];
  return out;
}

// The offset forward() leaves out of each moment: those of the weights alone.
double weights_share(int a, int b, int c) {
  return cumulant::moment_1d(a) * cumulant::moment_1d(b) * cumulant::moment_1d(c);
}

void to_grid(const std::array<double, 27>& f, double (&m)[27]) {
  for (int q = 0; q < 27; ++q) m[cumulant::grid_index<L>(q)] = f[q];
}

TEST(Cumulant, GridIndexIsABijection) {
  std::array<int, 27> seen{};
  for (int q = 0; q < 27; ++q) ++seen[cumulant::grid_index<L>(q)];
  for (int n : seen) EXPECT_EQ(n, 1);
}

TEST(Cumulant, ChimeraGivesCentralMomentsLessTheWeights) {
  std::mt19937 rng(7);
  const double u0[3] = {0.08, -0.05, 0.03};
  const auto f = random_populations(rng, 1.02, u0, 0.3);
  double rho, u[3];
  density_velocity(f, rho, u);
  const Grid k = central_moments(f, u);
  double m[27];
  to_grid(f, m);
  cumulant::forward<double>(m, u[0], u[1], u[2]);
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b)
      for (int c = 0; c < 3; ++c)
        EXPECT_NEAR(m[at(a, b, c)] + weights_share(a, b, c), k[at(a, b, c)], 1e-14) << a << b << c;
  EXPECT_NEAR(m[0], rho - 1, 1e-15);
}

TEST(Cumulant, ChimeraBackwardInvertsForward) {
  std::mt19937 rng(8);
  const double u0[3] = {-0.1, 0.02, 0.07};
  const auto f = random_populations(rng, 0.97, u0, 0.5);
  double m[27];
  to_grid(f, m);
  double before[27];
  std::copy(m, m + 27, before);
  cumulant::forward<double>(m, 0.11, -0.04, 0.06);  // any velocity: the transform is invertible
  cumulant::backward<double>(m, 0.11, -0.04, 0.06);
  for (int n = 0; n < 27; ++n) EXPECT_NEAR(m[n], before[n], 1e-15) << n;
}

TEST(Cumulant, HigherCumulantsMatchTheLogOfTheMomentGeneratingFunction) {
  std::mt19937 rng(9);
  const double u0[3] = {0.05, 0.09, -0.06};
  const auto f = random_populations(rng, 1.05, u0, 0.6);
  double rho, u[3];
  density_velocity(f, rho, u);
  const Grid ref = reference_cumulants(central_moments(f, u));
  double m[27];
  to_grid(f, m);
  cumulant::forward<double>(m, u[0], u[1], u[2]);
  const auto c = cumulant::cumulants<double>(m, 1.0 / rho);
  const std::pair<double, int> pairs[] = {
      {c.c211, at(2, 1, 1)}, {c.c121, at(1, 2, 1)}, {c.c112, at(1, 1, 2)}, {c.c220, at(2, 2, 0)},
      {c.c202, at(2, 0, 2)}, {c.c022, at(0, 2, 2)}, {c.c221, at(2, 2, 1)}, {c.c212, at(2, 1, 2)},
      {c.c122, at(1, 2, 2)}, {c.c222, at(2, 2, 2)}};
  for (const auto& [value, n] : pairs) {
    EXPECT_NEAR(value, ref[n], 1e-14) << "cumulant " << n / 9 << (n / 3) % 3 << n % 3;
    EXPECT_GT(std::abs(ref[n]), 1e-6) << "the test state must exercise cumulant " << n;
  }
}

TEST(Cumulant, MomentsFromCumulantsInvertsCumulants) {
  std::mt19937 rng(10);
  const double u0[3] = {0.02, -0.07, 0.04};
  const auto f = random_populations(rng, 1.01, u0, 0.4);
  double rho, u[3];
  density_velocity(f, rho, u);
  double m[27];
  to_grid(f, m);
  cumulant::forward<double>(m, u[0], u[1], u[2]);
  double before[27];
  std::copy(m, m + 27, before);
  const auto c = cumulant::cumulants<double>(m, 1.0 / rho);
  for (int n : {at(2, 1, 1), at(1, 2, 1), at(1, 1, 2), at(2, 2, 0), at(2, 0, 2), at(0, 2, 2),
                at(2, 2, 1), at(2, 1, 2), at(1, 2, 2), at(2, 2, 2)})
    m[n] = 1e3;  // overwritten
  cumulant::moments_from<double>(m, c, 1.0 / rho);
  for (int n = 0; n < 27; ++n) EXPECT_NEAR(m[n], before[n], 1e-15) << n;
}

// The 2017 rates against their closed forms for bulk rate 1 (the paper's simplification).
TEST(Cumulant, RatesReduceToTheBulkOneForms) {
  for (double w : {0.3, 0.9, 1.5, 1.9, 1.99}) {
    const auto r = cumulant::rates<double>(w, 1.0);
    EXPECT_NEAR(r.w3, 8 * (w - 2) * (1 + 2 * w) / (7 * w * w - 14 * w - 8), 1e-12) << w;
    EXPECT_NEAR(r.w4, 8 * (w - 2) * (4 * w - 7) / (9 * w * w - 50 * w + 56), 1e-12) << w;
    EXPECT_NEAR(
        r.w5,
        24 * (w - 2) * (3 * w * w - 7 * w - 2) / (29 * w * w * w - 130 * w * w + 152 * w + 48),
        1e-12)
        << w;
    EXPECT_NEAR(r.a, (4 + 2 * w - 3 * w * w) / (2 - 7 * w + 5 * w * w), 1e-12) << w;
    EXPECT_NEAR(r.b, (4 + 28 * w - 14 * w * w) / (6 - 21 * w + 15 * w * w), 1e-12) << w;
  }
  // Where the collision takes them (tau < 0.5556), the third-order rates lie in (0, 2) and the
  // fourth-order coefficients are moderate.
  for (double tau = 0.50001; tau < 1 / CollideCumulant<double, L>::kParametrisedAbove;
       tau += 0.0005) {
    const auto r = cumulant::rates<double>(1 / tau, 1.0);
    for (double x : {r.w3, r.w4, r.w5}) {
      EXPECT_GT(x, 0) << tau;
      EXPECT_LT(x, 2) << tau;
    }
    EXPECT_LT(std::abs(r.a), 0.6) << tau;
    EXPECT_LT(std::abs(r.b), 0.6) << tau;
  }
}

// The product of three 1-D Maxwellians on {-1, 0, 1} (mean u, variance 1/3): all cumulants above
// the second order vanish, so it is the collision's fixed point.
std::array<double, 27> product_equilibrium(double rho, const double (&u)[3]) {
  std::array<double, 27> f{};
  for (int q = 0; q < 27; ++q) {
    double p = rho;
    for (int a = 0; a < 3; ++a) {
      const int c = L::c[q][a];
      const double s = 1.0 / 3.0 + u[a] * u[a];
      p *= c == 0 ? 1 - s : 0.5 * (s + c * u[a]);
    }
    f[q] = p - L::w[q];
  }
  return f;
}

TEST(Cumulant, ProductEquilibriumIsAFixedPoint) {
  const double u[3] = {0.07, -0.03, 0.05};
  for (double tau : {0.5001, 0.52, 0.8, 1.7}) {
    const auto feq = product_equilibrium(1.03, u);
    double f[27];
    std::copy(feq.begin(), feq.end(), f);
    const CollideCumulant<double, L> collide{1.0 / tau, {0, 0, 0}};
    collide(f);
    for (int q = 0; q < 27; ++q) EXPECT_NEAR(f[q], feq[q], 1e-15) << "tau " << tau << " q " << q;
  }
}

TEST(Cumulant, ConservesMassAndAddsTheForceToMomentum) {
  std::mt19937 rng(11);
  const double u0[3] = {0.06, 0.01, -0.08};
  const double F[3] = {2e-4, -1e-4, 3e-5};
  for (double tau : {0.5002, 0.6, 1.2}) {
    const auto f0 = random_populations(rng, 0.99, u0, 0.4);
    double f[27];
    std::copy(f0.begin(), f0.end(), f);
    CollideCumulant<double, L> collide{1.0 / tau, {F[0], F[1], F[2]}};
    collide(f);
    double m0 = 0, m1 = 0, j0[3] = {0, 0, 0}, j1[3] = {0, 0, 0};
    for (int q = 0; q < 27; ++q) {
      m0 += f0[q];
      m1 += f[q];
      for (int a = 0; a < 3; ++a) {
        j0[a] += L::c[q][a] * f0[q];
        j1[a] += L::c[q][a] * f[q];
      }
    }
    EXPECT_NEAR(m1, m0, 1e-15);
    for (int a = 0; a < 3; ++a) EXPECT_NEAR(j1[a], j0[a] + F[a], 1e-15) << a;
  }
}

// The second-order central moments relax as the viscosity says: a pure shear state keeps
// (1 - omega) of its off-diagonal non-equilibrium moment.
TEST(Cumulant, ShearMomentsRelaxAtOneOverTau) {
  const double u[3] = {0, 0, 0};
  auto f = product_equilibrium(1.0, u);
  // Add a small xy shear moment, keeping every other moment of order <= 2.
  const double eps = 1e-4;
  for (int q = 0; q < 27; ++q) f[q] += eps * L::w[q] * 9.0 * L::c[q][0] * L::c[q][1];
  const double tau = 0.53;
  double g[27];
  std::copy(f.begin(), f.end(), g);
  CollideCumulant<double, L>{1.0 / tau, {0, 0, 0}}(g);
  double pxy0 = 0, pxy1 = 0;
  for (int q = 0; q < 27; ++q) {
    pxy0 += L::c[q][0] * L::c[q][1] * f[q];
    pxy1 += L::c[q][0] * L::c[q][1] * g[q];
  }
  EXPECT_NEAR(pxy1, (1 - 1 / tau) * pxy0, 1e-12 * std::abs(pxy0) + 1e-18);
}

// KBC: the product equilibrium is its fixed point, mass is conserved and the force added, and
// with the higher moments at equilibrium it is BGK on the shear moments (gamma does not matter).
TEST(Kbc, EquilibriumFixedPointAndConservation) {
  const double u[3] = {0.04, 0.06, -0.02};
  for (double tau : {0.5001, 0.55, 1.3}) {
    const auto feq = product_equilibrium(0.98, u);
    double f[27];
    std::copy(feq.begin(), feq.end(), f);
    CollideKbc<double, L>{1.0 / tau, {0, 0, 0}}(f);
    for (int q = 0; q < 27; ++q) EXPECT_NEAR(f[q], feq[q], 1e-15) << tau << " " << q;
  }
  std::mt19937 rng(12);
  const double F[3] = {-1e-4, 2e-4, 5e-5};
  const auto f0 = random_populations(rng, 1.01, u, 0.4);
  double f[27];
  std::copy(f0.begin(), f0.end(), f);
  CollideKbc<double, L>{1 / 0.51, {F[0], F[1], F[2]}}(f);
  double m0 = 0, m1 = 0, j0[3] = {0, 0, 0}, j1[3] = {0, 0, 0};
  for (int q = 0; q < 27; ++q) {
    m0 += f0[q];
    m1 += f[q];
    for (int a = 0; a < 3; ++a) {
      j0[a] += L::c[q][a] * f0[q];
      j1[a] += L::c[q][a] * f[q];
    }
  }
  EXPECT_NEAR(m1, m0, 1e-15);
  for (int a = 0; a < 3; ++a) EXPECT_NEAR(j1[a], j0[a] + F[a], 1e-15) << a;
}

TEST(Kbc, ShearMomentsRelaxAtOneOverTau) {
  const double u[3] = {0, 0, 0};
  auto f = product_equilibrium(1.0, u);
  for (int q = 0; q < 27; ++q) f[q] += 1e-4 * L::w[q] * 9.0 * L::c[q][0] * L::c[q][1];
  const double tau = 0.53;
  double g[27];
  std::copy(f.begin(), f.end(), g);
  CollideKbc<double, L>{1.0 / tau, {0, 0, 0}}(g);
  double pxy0 = 0, pxy1 = 0;
  for (int q = 0; q < 27; ++q) {
    pxy0 += L::c[q][0] * L::c[q][1] * f[q];
    pxy1 += L::c[q][0] * L::c[q][1] * g[q];
  }
  EXPECT_NEAR(pxy1, (1 - 1 / tau) * pxy0, 1e-12 * std::abs(pxy0));
}

}  // namespace
