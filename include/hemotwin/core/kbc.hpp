#pragma once
// The entropic multi-relaxation collision of Karlin, Bösch & Chikatamarla (KBC; Phys. Rev. E
// 90:031302, 2014; Bösch, Chikatamarla & Karlin, Phys. Rev. E 92:043309, 2015) on D3Q27, in its
// central-moment form: the populations split as f = k + s + h, with k the conserved part (density
// and momentum), s the shear part (the second-order central moments) and h the rest (orders three
// to six). The shear part relaxes at 1/tau, the viscosity; the rest at beta gamma, with beta =
// 1/(2 tau) and gamma chosen per cell so that the entropy of the post-collision state is the
// largest (to first order):
//     gamma = 1/beta - (2 - 1/beta) <ds|dh> / <dh|dh>,   <x|y> = sum_i x_i y_i / feq_i,
// with ds, dh the departures of s and h from equilibrium as populations. gamma = 2 is BGK; where
// the higher moments carry entropy, gamma damps them, which keeps the collision stable near
// tau = 1/2. The equilibrium is the product of 1-D Maxwellians (all cumulants above the second
// order zero), the same as the cumulant collision's. A force enters as in cumulant.hpp (u with
// half the force, the first-order central moments reflected).
#include <cmath>

#include "hemotwin/core/cumulant.hpp"

namespace hemotwin::kernels {

template <class T, class L>
struct CollideKbc {
  static_assert(L::Q == 27, "the KBC collision is implemented on D3Q27");
  T omega;     // shear relaxation rate 1/tau
  T force[3];  // force density, lattice units
  LocalViscosity<T> visc = {};

  template <class V>
  HEMOTWIN_HD HEMOTWIN_INLINE void operator()(V (&f)[L::Q]) const {
    using namespace cumulant;
    V m[27];
    V drho = V(T(0)), jx = V(T(0)), jy = V(T(0)), jz = V(T(0));
    static_for<27>([&](auto q) {
      constexpr int n = grid_index<L>(q);
      m[n] = f[q];
      drho += f[q];
      accumulate<L::c[q][0]>(jx, f[q]);
      accumulate<L::c[q][1]>(jy, f[q]);
      accumulate<L::c[q][2]>(jz, f[q]);
    });
    const V rho = drho + T(1);
    const V inv_rho = V(T(1)) / rho;
    const V u[3] = {(jx + T(0.5) * force[0]) * inv_rho, (jy + T(0.5) * force[1]) * inv_rho,
                    (jz + T(0.5) * force[2]) * inv_rho};
    forward<T>(m, u[0], u[1], u[2]);
    // The shear rate: 1/tau, or the local one (as the cumulant collision takes it).
    V w1 = V(omega);
    if (visc.active()) {
      const V iso = drho * T(1.0 / 3.0);
      const V pxx = m[at(2, 0, 0)] - iso, pyy = m[at(0, 2, 0)] - iso, pzz = m[at(0, 0, 2)] - iso;
      const V pp = pxx * pxx + pyy * pyy + pzz * pzz +
                   T(2) * (m[at(1, 1, 0)] * m[at(1, 1, 0)] + m[at(1, 0, 1)] * m[at(1, 0, 1)] +
                           m[at(0, 1, 1)] * m[at(0, 1, 1)]);
      using std::sqrt;
      w1 = V(T(1)) / visc.tau(T(1.5) * sqrt(T(2) * pp) * inv_rho, T(1) / omega);
    }
    // Departures from equilibrium, as moments: the equilibrium's central moments (less the
    // weights' share) are drho/3 (second order, diagonal), drho/9 (fourth, xxyy), drho/27
    // (sixth), zero elsewhere.
    V ds[27], dh[27];
    static_for<27>([&](auto n) {
      constexpr int a = n / 9, b = (n / 3) % 3, c = n % 3;
      constexpr int order = a + b + c;
      constexpr int twos = (a == 2) + (b == 2) + (c == 2);
      constexpr bool diagonal = twos * 2 == order;  // only even exponents: a non-zero equilibrium
      constexpr T share = order == 2 ? T(1.0 / 3.0) : (order == 4 ? T(1.0 / 9.0) : T(1.0 / 27.0));
      const V departure = diagonal ? V(m[n] - share * drho) : V(m[n]);
      ds[n] = order == 2 ? departure : V(T(0));
      dh[n] = order >= 3 ? departure : V(T(0));
    });
    // As populations (the linear part of the inverse transform), and the entropic products.
    V ps[27], ph[27];
    static_for<27>([&](auto n) {
      ps[n] = ds[n];
      ph[n] = dh[n];
    });
    backward<T, false>(ps, u[0], u[1], u[2]);
    backward<T, false>(ph, u[0], u[1], u[2]);
    // 1 / feq for the product equilibrium, from its 1-D factors.
    V inv_p[3][3];
    for (int a = 0; a < 3; ++a) {
      const V s = T(1.0 / 3.0) + u[a] * u[a];
      inv_p[a][0] = V(T(2)) / (s - u[a]);
      inv_p[a][1] = V(T(1)) / (T(1) - s);
      inv_p[a][2] = V(T(2)) / (s + u[a]);
    }
    V sh = V(T(0)), hh = V(T(0));
    static_for<27>([&](auto n) {
      constexpr int i = n / 9, j = (n / 3) % 3, k = n % 3;
      const V w = inv_p[0][i] * inv_p[1][j] * inv_p[2][k];
      sh += ps[n] * ph[n] * w;
      hh += ph[n] * ph[n] * w;
    });
    const V inv_beta = T(2) / w1;  // 2 tau
    const V gamma = inv_beta - (T(2) - inv_beta) * sh / (hh + T(1e-30) * inv_rho);
    const V rate_h = T(0.5) * w1 * gamma;  // beta gamma
    static_for<27>([&](auto n) { m[n] = m[n] - w1 * ds[n] - rate_h * dh[n]; });
    m[at(1, 0, 0)] = -m[at(1, 0, 0)];
    m[at(0, 1, 0)] = -m[at(0, 1, 0)];
    m[at(0, 0, 1)] = -m[at(0, 0, 1)];
    backward<T>(m, u[0], u[1], u[2]);
    static_for<27>([&](auto q) {
      constexpr int n = grid_index<L>(q);
      f[q] = m[n];
    });
  }
};

}  // namespace hemotwin::kernels
