#pragma once
// The cumulant collision on D3Q27 (Geier, Schönherr, Pasquali & Krafczyk 2015, Comput. Math. Appl.
// 70:507), with the parametrised fourth-order cumulants, optimal third-order rates and the
// third-order limiter of Geier, Pasquali & Schönherr 2017 (J. Comput. Phys. 348:862 and 889).
//
// Written once for host and device like the rest of the physics (kernels.hpp): V is T for one
// cell or a SIMD vector of T for a row of cells. The steps:
//  1. the populations (stored less their weights, f_i - w_i) in the 3x3x3 arrangement of their
//     velocities, and density and velocity (u with half the force, as Guo's scheme);
//  2. central moments by the chimera transform (three passes of one-dimensional transforms, z,
//     y, x), in the well-conditioned form of Geier et al. 2015, appendix J: each line's moments
//     are kept less the values its weights alone would give, so that float storage loses nothing
//     to the large, constant part of the populations;
//  3. cumulants of fourth to sixth order from the central moments;
//  4. relaxation: the deviatoric second-order cumulants at 1/tau (the viscosity), their trace at
//     the bulk rate (1), each with the Galilean-invariance correction of the 2015 paper; the
//     third-order combinations at the 2017 paper's rates, with its limiter; the fourth-order ones
//     to the strain-dependent values (A, B) that make the diffusion fourth-order accurate; the
//     fifth and sixth order to zero; the first-order central moments (-F/2 with a force) reflected,
//     which adds the force;
//  5. back to central moments and, by the inverse chimera transform, to populations.
// Moments are indexed m[9 a + 3 b + c] for the central moment of order (a, b, c) in (x, y, z),
// and populations, before step 2 and after step 5, m[9 (c_x + 1) + 3 (c_y + 1) + (c_z + 1)].
#include <cmath>

#include "hemotwin/core/config.hpp"
#include "hemotwin/core/kernels.hpp"
#include "hemotwin/core/lattice.hpp"

namespace hemotwin::kernels {

namespace cumulant {

/// Index of the moment of order (a, b, c), or of the population with velocity (a-1, b-1, c-1).
HEMOTWIN_HD constexpr int at(int a, int b, int c) { return 9 * a + 3 * b + c; }

/// For each D3Q27 direction, its place in the 3x3x3 arrangement.
template <class L>
HEMOTWIN_HD constexpr int grid_index(int q) {
  return at(L::c[q][0] + 1, L::c[q][1] + 1, L::c[q][2] + 1);
}

/// One-dimensional weights of D3Q27 (w_ijk = w_i w_j w_k) for velocities -1, 0, 1, and the
/// equilibrium central moments of one unit of mass along one axis: orders 0, 1, 2 -> 1, 0, 1/3.
HEMOTWIN_HD constexpr double weight_1d(int i) { return i == 1 ? 2.0 / 3.0 : 1.0 / 6.0; }
HEMOTWIN_HD constexpr double moment_1d(int order) {
  return order == 0 ? 1.0 : (order == 1 ? 0.0 : 1.0 / 3.0);
}

/// One line of the forward chimera transform, in place: the three values (a, b, c) at velocities
/// -1, 0, 1 (less the share `k` of the line's weights: k/6, 2k/3, k/6) become the line's
/// zeroth moment less k, its central first moment, and its central second moment less k/3.
template <class T, class V>
HEMOTWIN_HD HEMOTWIN_INLINE void forward_line(V& a, V& b, V& c, const V& u, const V& u2, T k) {
  const V sum = a + c, diff = c - a;
  const V m0 = sum + b;
  const V mass = m0 + k;
  a = m0;
  b = diff - u * mass;
  c = sum - T(2) * u * diff + u2 * mass;
}

/// The inverse of forward_line.
template <class T, class V>
HEMOTWIN_HD HEMOTWIN_INLINE void backward_line(V& a, V& b, V& c, const V& u, const V& u2, T k) {
  const V m0 = a;
  const V mass = m0 + k;
  const V r1 = b + u * mass;                  // raw first moment
  const V r2 = c + T(2) * u * b + u2 * mass;  // raw second moment less k/3
  a = T(0.5) * (r2 - r1);
  c = T(0.5) * (r2 + r1);
  b = m0 - r2;
}

/// Populations (3x3x3, less their weights) to central moments (less those of the weights), in
/// place: z, then y, then x.
template <class T, class V>
HEMOTWIN_HD HEMOTWIN_INLINE void forward(V (&m)[27], const V& ux, const V& uy, const V& uz) {
  const V ux2 = ux * ux, uy2 = uy * uy, uz2 = uz * uz;
  static_for<9>([&](auto l) {  // z lines: fixed (i, j)
    constexpr int i = l / 3, j = l % 3;
    constexpr T k = T(weight_1d(i) * weight_1d(j));
    forward_line<T>(m[at(i, j, 0)], m[at(i, j, 1)], m[at(i, j, 2)], uz, uz2, k);
  });
  static_for<9>([&](auto l) {  // y lines: fixed (i, gamma)
    constexpr int i = l / 3, g = l % 3;
    constexpr T k = T(weight_1d(i) * moment_1d(g));
    forward_line<T>(m[at(i, 0, g)], m[at(i, 1, g)], m[at(i, 2, g)], uy, uy2, k);
  });
  static_for<9>([&](auto l) {  // x lines: fixed (beta, gamma)
    constexpr int b = l / 3, g = l % 3;
    constexpr T k = T(moment_1d(b) * moment_1d(g));
    forward_line<T>(m[at(0, b, g)], m[at(1, b, g)], m[at(2, b, g)], ux, ux2, k);
  });
}

/// The inverse of forward: x, then y, then z. Without `Weights`, the linear part alone: a change
/// of the moments to the change of the populations it makes.
template <class T, bool Weights = true, class V>
HEMOTWIN_HD HEMOTWIN_INLINE void backward(V (&m)[27], const V& ux, const V& uy, const V& uz) {
  const V ux2 = ux * ux, uy2 = uy * uy, uz2 = uz * uz;
  constexpr T w = Weights ? T(1) : T(0);
  static_for<9>([&](auto l) {
    constexpr int b = l / 3, g = l % 3;
    constexpr T k = w * T(moment_1d(b) * moment_1d(g));
    backward_line<T>(m[at(0, b, g)], m[at(1, b, g)], m[at(2, b, g)], ux, ux2, k);
  });
  static_for<9>([&](auto l) {
    constexpr int i = l / 3, g = l % 3;
    constexpr T k = w * T(weight_1d(i) * moment_1d(g));
    backward_line<T>(m[at(i, 0, g)], m[at(i, 1, g)], m[at(i, 2, g)], uy, uy2, k);
  });
  static_for<9>([&](auto l) {
    constexpr int i = l / 3, j = l % 3;
    constexpr T k = w * T(weight_1d(i) * weight_1d(j));
    backward_line<T>(m[at(i, j, 0)], m[at(i, j, 1)], m[at(i, j, 2)], uz, uz2, k);
  });
}

/// κ_222 - C_222: what the lower orders contribute to the sixth-order central moment,
/// (Σ κ4 κ2 + Σ κ3 κ3) / ρ - 2 Σ κ2 κ2 κ2 / ρ² (partitions of xxyyzz into blocks of two or
/// more), less the weights' 1/27, in the m.
template <class T, class V>
HEMOTWIN_HD HEMOTWIN_INLINE V sixth_order_part(const V (&m)[27], const V& d, const V& inv_rho) {
  const V m200 = m[at(2, 0, 0)], m020 = m[at(0, 2, 0)], m002 = m[at(0, 0, 2)];
  const V m110 = m[at(1, 1, 0)], m101 = m[at(1, 0, 1)], m011 = m[at(0, 1, 1)];
  constexpr T third = T(1.0 / 3.0), ninth = T(1.0 / 9.0);
  const V sum2 = m200 + m020 + m002;
  const V sum4 = m[at(2, 2, 0)] + m[at(2, 0, 2)] + m[at(0, 2, 2)];
  const V once = m002 * m[at(2, 2, 0)] + m020 * m[at(2, 0, 2)] + m200 * m[at(0, 2, 2)] +
                 T(4) * (m011 * m[at(2, 1, 1)] + m101 * m[at(1, 2, 1)] + m110 * m[at(1, 1, 2)]) +
                 T(2) * (m[at(0, 1, 2)] * m[at(2, 1, 0)] + m[at(0, 2, 1)] * m[at(2, 0, 1)] +
                         m[at(1, 0, 2)] * m[at(1, 2, 0)]) +
                 T(4) * m[at(1, 1, 1)] * m[at(1, 1, 1)] + third * sum4 + ninth * sum2;
  const V twice = T(2) * m200 * m020 * m002 +
                  T(4) * (m002 * m110 * m110 + m200 * m011 * m011 + m020 * m101 * m101) +
                  T(16) * m011 * m101 * m110 +
                  T(2.0 / 3.0) * (m200 * m020 + m200 * m002 + m020 * m002) +
                  T(4.0 / 3.0) * (m110 * m110 + m101 * m101 + m011 * m011) + T(2.0 / 9.0) * sum2;
  return once * inv_rho - (twice + T(1.0 / 27.0) * d * (d - T(1))) * inv_rho * inv_rho;
}

/// Cumulants of orders four to six from the central moments m (less the weights' share; ρ = 1 +
/// m[0]), as c[at(...)] for those orders. Cumulants of orders two and three are the central
/// moments themselves (with the weights' share: C_200 = m_200 + 1/3). First-order central moments
/// are taken as zero (they are -F/2, of the order of the force). Written so that the constant parts
/// cancel exactly (the m are small); e.g. C_220 = κ_220 - (κ_200 κ_020 + 2 κ_110²) / ρ.
template <class T, class V>
struct Higher {
  V c211, c121, c112, c220, c202, c022, c221, c212, c122, c222;
};

template <class T, class V>
HEMOTWIN_HD HEMOTWIN_INLINE Higher<T, V> cumulants(const V (&m)[27], const V& inv_rho) {
  const V d = m[0];
  const V m200 = m[at(2, 0, 0)], m020 = m[at(0, 2, 0)], m002 = m[at(0, 0, 2)];
  const V m110 = m[at(1, 1, 0)], m101 = m[at(1, 0, 1)], m011 = m[at(0, 1, 1)];
  const V m210 = m[at(2, 1, 0)], m201 = m[at(2, 0, 1)], m120 = m[at(1, 2, 0)];
  const V m021 = m[at(0, 2, 1)], m102 = m[at(1, 0, 2)], m012 = m[at(0, 1, 2)];
  const V m111 = m[at(1, 1, 1)];
  const V m220 = m[at(2, 2, 0)], m202 = m[at(2, 0, 2)], m022 = m[at(0, 2, 2)];
  const V m211 = m[at(2, 1, 1)], m121 = m[at(1, 2, 1)], m112 = m[at(1, 1, 2)];
  constexpr T third = T(1.0 / 3.0), ninth = T(1.0 / 9.0);
  Higher<T, V> c;
  c.c211 = m211 - ((m200 + third) * m011 + T(2) * m110 * m101) * inv_rho;
  c.c121 = m121 - ((m020 + third) * m101 + T(2) * m110 * m011) * inv_rho;
  c.c112 = m112 - ((m002 + third) * m110 + T(2) * m101 * m011) * inv_rho;
  c.c220 = m220 - (m200 * m020 + T(2) * m110 * m110 + third * (m200 + m020) - ninth * d) * inv_rho;
  c.c202 = m202 - (m200 * m002 + T(2) * m101 * m101 + third * (m200 + m002) - ninth * d) * inv_rho;
  c.c022 = m022 - (m020 * m002 + T(2) * m011 * m011 + third * (m020 + m002) - ninth * d) * inv_rho;
  c.c221 = m[at(2, 2, 1)] - (m200 * m021 + m020 * m201 + T(4) * m110 * m111 +
                             T(2) * (m101 * m120 + m011 * m210) + third * (m021 + m201)) *
                                inv_rho;
  c.c212 = m[at(2, 1, 2)] - (m200 * m012 + m002 * m210 + T(4) * m101 * m111 +
                             T(2) * (m110 * m102 + m011 * m201) + third * (m012 + m210)) *
                                inv_rho;
  c.c122 = m[at(1, 2, 2)] - (m020 * m102 + m002 * m120 + T(4) * m011 * m111 +
                             T(2) * (m110 * m012 + m101 * m021) + third * (m102 + m120)) *
                                inv_rho;
  c.c222 = m[at(2, 2, 2)] - sixth_order_part<T>(m, d, inv_rho);
  return c;
}

/// Writes back the central moments of orders four to six from the post-collision cumulants `c`
/// and the post-collision moments of orders two and three already in m (the inverse of
/// cumulants()).
template <class T, class V>
HEMOTWIN_HD HEMOTWIN_INLINE void moments_from(V (&m)[27], const Higher<T, V>& c, const V& inv_rho) {
  const V d = m[0];
  const V m200 = m[at(2, 0, 0)], m020 = m[at(0, 2, 0)], m002 = m[at(0, 0, 2)];
  const V m110 = m[at(1, 1, 0)], m101 = m[at(1, 0, 1)], m011 = m[at(0, 1, 1)];
  const V m210 = m[at(2, 1, 0)], m201 = m[at(2, 0, 1)], m120 = m[at(1, 2, 0)];
  const V m021 = m[at(0, 2, 1)], m102 = m[at(1, 0, 2)], m012 = m[at(0, 1, 2)];
  const V m111 = m[at(1, 1, 1)];
  constexpr T third = T(1.0 / 3.0), ninth = T(1.0 / 9.0);
  m[at(2, 1, 1)] = c.c211 + ((m200 + third) * m011 + T(2) * m110 * m101) * inv_rho;
  m[at(1, 2, 1)] = c.c121 + ((m020 + third) * m101 + T(2) * m110 * m011) * inv_rho;
  m[at(1, 1, 2)] = c.c112 + ((m002 + third) * m110 + T(2) * m101 * m011) * inv_rho;
  m[at(2, 2, 0)] =
      c.c220 + (m200 * m020 + T(2) * m110 * m110 + third * (m200 + m020) - ninth * d) * inv_rho;
  m[at(2, 0, 2)] =
      c.c202 + (m200 * m002 + T(2) * m101 * m101 + third * (m200 + m002) - ninth * d) * inv_rho;
  m[at(0, 2, 2)] =
      c.c022 + (m020 * m002 + T(2) * m011 * m011 + third * (m020 + m002) - ninth * d) * inv_rho;
  m[at(2, 2, 1)] = c.c221 + (m200 * m021 + m020 * m201 + T(4) * m110 * m111 +
                             T(2) * (m101 * m120 + m011 * m210) + third * (m021 + m201)) *
                                inv_rho;
  m[at(2, 1, 2)] = c.c212 + (m200 * m012 + m002 * m210 + T(4) * m101 * m111 +
                             T(2) * (m110 * m102 + m011 * m201) + third * (m012 + m210)) *
                                inv_rho;
  m[at(1, 2, 2)] = c.c122 + (m020 * m102 + m002 * m120 + T(4) * m011 * m111 +
                             T(2) * (m110 * m012 + m101 * m021) + third * (m102 + m120)) *
                                inv_rho;
  m[at(2, 2, 2)] = c.c222 + sixth_order_part<T>(m, d, inv_rho);
}

/// The 2017 paper's relaxation rates for a shear rate w1 and bulk rate w2: the third-order
/// rates (eqs. 111-113) and the fourth-order coefficients A and B (eqs. 115-116) that make the
/// diffusion fourth-order accurate. They are made for low viscosity: with w2 = 1, w4 is zero at
/// w1 = 7/4 (tau = 4/7), negative above that tau and singular at tau = 0.643, and A and B are
/// singular at tau = 1; the collision therefore takes them only where w1 > kParametrisedAbove
/// (see CollideCumulant).
template <class V>
struct Rates {
  V w3, w4, w5, a, b;
};

template <class T, class V>
HEMOTWIN_HD HEMOTWIN_INLINE Rates<V> rates(const V& w1, T w2) {
  Rates<V> r;
  const V w1s = w1 * w1;
  r.w3 = T(8) * (w1 - T(2)) * (w2 * (T(3) * w1 - T(1)) - T(5) * w1) /
         (T(8) * (T(5) - T(2) * w1) * w1 + w2 * (T(8) + w1 * (T(9) * w1 - T(26))));
  r.w4 = T(8) * (w1 - T(2)) * (w1 + w2 * (T(3) * w1 - T(7))) /
         (w2 * (T(56) - T(42) * w1 + T(9) * w1s) - T(8) * w1);
  r.w5 =
      T(24) * (w1 - T(2)) *
      (T(4) * w1s + w1 * w2 * (T(18) - T(13) * w1) + w2 * w2 * (T(2) + w1 * (T(6) * w1 - T(11)))) /
      (T(16) * w1s * (w1 - T(6)) - T(2) * w1 * w2 * (T(216) + T(5) * w1 * (T(9) * w1 - T(46))) +
       w2 * w2 * (w1 * (T(3) * w1 - T(10)) * (T(15) * w1 - T(28)) - T(48)));
  const V den = (w1 - w2) * (w2 * (T(2) + T(3) * w1) - T(8) * w1);
  r.a = (T(4) * w1s + T(2) * w1 * w2 * (w1 - T(6)) + w2 * w2 * (w1 * (T(10) - T(3) * w1) - T(4))) /
        den;
  r.b = (T(4) * w1 * w2 * (T(9) * w1 - T(16)) - T(4) * w1s -
         T(2) * w2 * w2 * (T(2) + T(9) * w1 * (w1 - T(2)))) /
        (T(3) * den);
  return r;
}

}  // namespace cumulant

/// The cumulant collision (see the top of this file) as a collision functor like Collide: the
/// stream-collide kernels of every backend run it on D3Q27.
template <class T, class L>
struct CollideCumulant {
  static_assert(L::Q == 27, "the cumulant collision is defined on D3Q27");
  T omega;     // shear relaxation rate 1/tau
  T force[3];  // force density, lattice units
  LocalViscosity<T> visc = {};
  T bulk = T(1);        // relaxation rate of the second-order trace (bulk viscosity)
  T limiter = T(0.01);  // λ of the third-order limiter (2017, section 6); 0: none
  /// The shear rate 1/tau above which the 2017 parametrisation is used (tau < 0.5556).
  static constexpr double kParametrisedAbove = 1.8;

  template <class V>
  HEMOTWIN_HD HEMOTWIN_INLINE void operator()(V (&f)[L::Q]) const {
    using namespace cumulant;
    V m[27];
    static_for<27>([&](auto q) {
      constexpr int n = grid_index<L>(q);
      m[n] = f[q];
    });
    V drho = V(T(0)), jx = V(T(0)), jy = V(T(0)), jz = V(T(0));
    static_for<27>([&](auto q) {
      drho += f[q];
      accumulate<L::c[q][0]>(jx, f[q]);
      accumulate<L::c[q][1]>(jy, f[q]);
      accumulate<L::c[q][2]>(jz, f[q]);
    });
    const V rho = drho + T(1);
    const V inv_rho = V(T(1)) / rho;
    const V ux = (jx + T(0.5) * force[0]) * inv_rho;
    const V uy = (jy + T(0.5) * force[1]) * inv_rho;
    const V uz = (jz + T(0.5) * force[2]) * inv_rho;
    forward<T>(m, ux, uy, uz);
    relax(m, drho, rho, inv_rho, ux, uy, uz);
    backward<T>(m, ux, uy, uz);
    static_for<27>([&](auto q) {
      constexpr int n = grid_index<L>(q);
      f[q] = m[n];
    });
  }

  /// The collision in moment space (steps 3 and 4), on the central moments of forward().
  template <class V>
  HEMOTWIN_HD HEMOTWIN_INLINE void relax(V (&m)[27], const V& drho, const V& rho, const V& inv_rho,
                                         const V& ux, const V& uy, const V& uz) const {
    using namespace cumulant;
    using std::abs;
    V& m200 = m[at(2, 0, 0)];
    V& m020 = m[at(0, 2, 0)];
    V& m002 = m[at(0, 0, 2)];
    V& m110 = m[at(1, 1, 0)];
    V& m101 = m[at(1, 0, 1)];
    V& m011 = m[at(0, 1, 1)];
    // The shear rate: 1/tau, or the local one from the strain (Π_neq from the central moments).
    V w1 = V(omega);
    if (visc.active()) {
      const V iso = drho * T(1.0 / 3.0);
      const V pxx = m200 - iso, pyy = m020 - iso, pzz = m002 - iso;
      const V pp =
          pxx * pxx + pyy * pyy + pzz * pzz + T(2) * (m110 * m110 + m101 * m101 + m011 * m011);
      using std::sqrt;
      const V K = T(1.5) * sqrt(T(2) * pp) * inv_rho;
      w1 = V(T(1)) / visc.tau(K, T(1) / omega);
    }
    // Orders four to six relax at rate 1 (the 2017 paper's choice): their values before the
    // collision do not enter, so cumulants() is not needed here. Above tau = 0.5556 the 2017
    // rates leave (0, 2) or diverge (see rates()), and the 2015 choice takes over: third-order
    // rates 1, fourth-order cumulants to zero (A = B = 0).
    Rates<V> r = rates<T>(w1, bulk);
    {
      const V low_viscosity = w1 - T(kParametrisedAbove);
      r.w3 = vselect_not_positive(low_viscosity, V(T(1)), r.w3);
      r.w4 = vselect_not_positive(low_viscosity, V(T(1)), r.w4);
      r.w5 = vselect_not_positive(low_viscosity, V(T(1)), r.w5);
      r.a = vselect_not_positive(low_viscosity, V(T(0)), r.a);
      r.b = vselect_not_positive(low_viscosity, V(T(0)), r.b);
    }

    // Second order. ρ times the velocity gradients, from the non-equilibrium cumulants.
    const V xx_yy = m200 - m020, xx_zz = m200 - m002, trace = m200 + m020 + m002;
    const V dxux = T(-0.5) * w1 * (xx_yy + xx_zz) + T(0.5) * bulk * (drho - trace);
    const V dyuy = dxux + T(1.5) * w1 * xx_yy;
    const V dzuz = dxux + T(1.5) * w1 * xx_zz;
    const V dxy = T(-3) * w1 * m110, dxz = T(-3) * w1 * m101, dyz = T(-3) * w1 * m011;
    const V ux2 = ux * ux, uy2 = uy * uy, uz2 = uz * uz;
    const V g1 = T(3) * (T(1) - T(0.5) * w1);
    const V xx_yy_new = (T(1) - w1) * xx_yy - g1 * (ux2 * dxux - uy2 * dyuy);
    const V xx_zz_new = (T(1) - w1) * xx_zz - g1 * (ux2 * dxux - uz2 * dzuz);
    const V trace_new = trace + bulk * (drho - trace) -
                        T(3) * (T(1) - T(0.5) * bulk) * (ux2 * dxux + uy2 * dyuy + uz2 * dzuz);
    m200 = T(1.0 / 3.0) * (xx_yy_new + xx_zz_new + trace_new);
    m020 = T(1.0 / 3.0) * (T(-2) * xx_yy_new + xx_zz_new + trace_new);
    m002 = T(1.0 / 3.0) * (xx_yy_new - T(2) * xx_zz_new + trace_new);
    m110 = (T(1) - w1) * m110;
    m101 = (T(1) - w1) * m101;
    m011 = (T(1) - w1) * m011;

    // Third order: sums and differences at w3 and w4, C_111 at w5, each rate raised towards 1
    // where the cumulant is large against λ ρ (the limiter).
    const V lim = T(limiter) * rho;
    const auto relax3 = [&](const V& v, const V& w) {
      if (limiter > T(0)) {
        const V a = abs(v);
        return v - (w + (T(1) - w) * a / (a + lim)) * v;
      }
      return v - w * v;
    };
    const auto pair = [&](V& p, V& q) {  // (p + q) at w3, (p - q) at w4
      const V s = relax3(p + q, r.w3), t = relax3(p - q, r.w4);
      p = T(0.5) * (s + t);
      q = T(0.5) * (s - t);
    };
    pair(m[at(1, 2, 0)], m[at(1, 0, 2)]);
    pair(m[at(2, 1, 0)], m[at(0, 1, 2)]);
    pair(m[at(2, 0, 1)], m[at(0, 2, 1)]);
    m[at(1, 1, 1)] = relax3(m[at(1, 1, 1)], r.w5);

    // Fourth order: to the strain-dependent values of the 2017 paper (rate 1); fifth and sixth to
    // zero.
    Higher<T, V> post;
    const V viscous = V(T(1)) / w1 - T(0.5);
    post.c022 = T(-2.0 / 3.0) * viscous * r.a * (dyuy + dzuz);
    post.c202 = T(-2.0 / 3.0) * viscous * r.a * (dxux + dzuz);
    post.c220 = T(-2.0 / 3.0) * viscous * r.a * (dxux + dyuy);
    post.c112 = T(-1.0 / 3.0) * viscous * r.b * dxy;
    post.c121 = T(-1.0 / 3.0) * viscous * r.b * dxz;
    post.c211 = T(-1.0 / 3.0) * viscous * r.b * dyz;
    post.c221 = post.c212 = post.c122 = post.c222 = V(T(0));
    moments_from<T>(m, post, inv_rho);

    // First order: -F/2 becomes +F/2 (the force).
    m[at(1, 0, 0)] = -m[at(1, 0, 0)];
    m[at(0, 1, 0)] = -m[at(0, 1, 0)];
    m[at(0, 0, 1)] = -m[at(0, 0, 1)];
  }
};

}  // namespace hemotwin::kernels
