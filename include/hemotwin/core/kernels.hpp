#pragma once
// The physics, written once. Every functor here is trivially copyable and has HEMOTWIN_HD call
// operators, so the OpenMP backend (src/core/engine.cpp) and the CUDA backend
// (kernels/lbm.cu) run the same code. Layout: population q of cell c of brick b lives at
// f[(b * Q + q) * B^3 + c], c = x + B (y + B z).
#include <cmath>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "hemotwin/core/config.hpp"
#include "hemotwin/core/lattice.hpp"

#if !defined(__CUDACC__)
#include <Eigen/Core>
#include <experimental/simd>
#endif

namespace hemotwin::kernels {

constexpr int B = brick_size;
constexpr int B3 = brick_cells;

#if !defined(__CUDACC__)
/// Applies `f` to the lanes of `v` as one fixed-size Eigen array (vectorised by Eigen's packet
/// math), and returns them as a SIMD vector again.
template <class T, class Abi, class F>
inline std::experimental::simd<T, Abi> eigen_lanes(const std::experimental::simd<T, Abi>& v,
                                                   F&& f) {
  constexpr int N = int(std::experimental::simd<T, Abi>::size());
  alignas(64) T lanes[N];
  v.copy_to(lanes, std::experimental::element_aligned);
  Eigen::Map<Eigen::Array<T, N, 1>, Eigen::Aligned64> a(lanes);
  a = f(a).eval();
  return std::experimental::simd<T, Abi>(lanes, std::experimental::element_aligned);
}
#endif

template <class L>
HEMOTWIN_HD HEMOTWIN_INLINE std::int64_t slot(std::int64_t cell, int q) {
  return (cell / B3 * L::Q + q) * B3 + cell % B3;
}

/// Calls f(std::integral_constant<int, I>) for I = 0 .. N-1: loops over directions whose index is
/// a compile-time constant, so zero velocity components cost nothing, on host SIMD and device
/// alike.
template <class F, int... I>
HEMOTWIN_HD HEMOTWIN_INLINE void static_for_impl(F& f, std::integer_sequence<int, I...>) {
  (f(std::integral_constant<int, I>{}), ...);
}
template <int N, class F>
HEMOTWIN_HD HEMOTWIN_INLINE void static_for(F&& f) {
  static_for_impl(f, std::make_integer_sequence<int, N>{});
}

/// acc += c * v for a lattice velocity component c in {-1, 0, 1} known at compile time.
template <int C, class V>
HEMOTWIN_HD HEMOTWIN_INLINE void accumulate(V& acc, const V& v) {
  if constexpr (C == 1) acc += v;
  if constexpr (C == -1) acc -= v;
}
template <int C, class V>
HEMOTWIN_HD HEMOTWIN_INLINE V times(const V& v) {
  if constexpr (C == 1)
    return v;
  else if constexpr (C == -1)
    return -v;
  else
    return V(0);
}

/// exp, log, min and max for the local viscosity: the standard ones on the device and for
/// scalars; on the host, for a row of cells as one SIMD vector, Eigen's vectorised exp and log (a
/// packet at a time) and SIMD min/max, instead of std::experimental::simd's functions, which call
/// the scalar libm function lane by lane.
template <class V>
HEMOTWIN_HD HEMOTWIN_INLINE V vexp(const V& v) {
  using std::exp;
  return exp(v);
}
template <class V>
HEMOTWIN_HD HEMOTWIN_INLINE V vlog(const V& v) {
  using std::log;
  return log(v);
}
template <class V>
HEMOTWIN_HD HEMOTWIN_INLINE V vmin(const V& a, const V& b) {
  using std::fmin;
  return fmin(a, b);
}
template <class V>
HEMOTWIN_HD HEMOTWIN_INLINE V vmax(const V& a, const V& b) {
  using std::fmax;
  return fmax(a, b);
}
/// `value` where `test` <= 0, `v` elsewhere.
template <class V>
HEMOTWIN_HD HEMOTWIN_INLINE V vselect_not_positive(const V& test, const V& value, const V& v) {
  return test > V(0) ? v : value;
}
#if !defined(__CUDACC__)
/// `a` in the lanes of `m`, `b` in the others. Clang 14 with libstdc++ 12's <experimental/simd>
/// drops a masked assignment (`where(m, v) = a` leaves v as it was) on AVX-512's bitmask ABI,
/// which made every kernel that patches a brick's edge lane wrong (found by a clang build of the
/// tests; checked by tests/core/simd_blend_check.cpp); there the lanes are chosen one by one.
template <class T, class Abi>
inline std::experimental::simd<T, Abi> blend(const std::experimental::simd_mask<T, Abi>& m,
                                             const std::experimental::simd<T, Abi>& a,
                                             std::experimental::simd<T, Abi> b) {
#if defined(__clang__)
  return std::experimental::simd<T, Abi>([&](auto i) { return m[i] ? T(a[i]) : T(b[i]); });
#else
  where(m, b) = a;
  return b;
#endif
}
template <class T, class Abi>
inline std::experimental::simd<T, Abi> vselect_not_positive(
    const std::experimental::simd<T, Abi>& test, const std::experimental::simd<T, Abi>& value,
    const std::experimental::simd<T, Abi>& v) {
  return blend(test <= T(0), value, v);
}
// std::experimental's fmin/fmax call libm lane by lane; min/max are single instructions.
template <class T, class Abi>
inline std::experimental::simd<T, Abi> vmin(const std::experimental::simd<T, Abi>& a,
                                            const std::experimental::simd<T, Abi>& b) {
  return std::experimental::min(a, b);
}
template <class T, class Abi>
inline std::experimental::simd<T, Abi> vmax(const std::experimental::simd<T, Abi>& a,
                                            const std::experimental::simd<T, Abi>& b) {
  return std::experimental::max(a, b);
}
template <class T, class Abi>
inline std::experimental::simd<T, Abi> vexp(const std::experimental::simd<T, Abi>& v) {
  return eigen_lanes(v, [](const auto& a) { return a.exp(); });
}
template <class T, class Abi>
inline std::experimental::simd<T, Abi> vlog(const std::experimental::simd<T, Abi>& v) {
  return eigen_lanes(v, [](const auto& a) { return a.log(); });
}
#endif

/// A viscosity that varies from cell to cell (lattice units): blood's shear thinning and/or
/// Smagorinsky's eddy viscosity. The strain rate comes from the non-equilibrium second moment of
/// the populations before collision, Pi_neq = -2 rho c_s^2 tau S (no finite differences), so
/// |S| = K / tau with K = 3 sqrt(2 Pi_neq : Pi_neq) / (2 rho); tau then solves
///     tau = 1/2 + 3 nu(K / tau) + les K / tau,
/// bounded to [tau_min, tau_max]. Newtonian + LES and Casson (no LES) in closed form (quadratics
/// in tau and in sqrt(tau)); otherwise two Newton steps from an upper bound of the root,
/// 1/2 + 3 nu(K / tau_max) + les K / tau_min for shear-thinning nu (the root's shear rate is at
/// least K / tau_max). The residual is convex in tau there, so Newton descends monotonically onto
/// the root: the viscosity is within 0.13 % of the exact root for blood's Carreau-Yasuda fits at
/// any strain rate (test_rheology checks the solver against bisection). Two Newton steps from
/// tau_min, as before 2026-11-27, could miss it by 98 % at low shear.
enum class ViscosityModel : int { Newtonian = 0, PowerLaw = 1, Casson = 2, CarreauYasuda = 3 };

template <class T>
struct LocalViscosity {
  ViscosityModel model = ViscosityModel::Newtonian;
  // PowerLaw: nu = p[0] gamma^(p[1] - 1). Casson: nu = (p[0] / sqrt(gamma) + p[1])^2 (p[0] the
  // square root of the yield stress over density, p[1] that of the Casson viscosity).
  // CarreauYasuda: nu = p[1] + (p[0] - p[1]) (1 + (p[2] gamma)^p[3])^((p[4] - 1) / p[3]).
  T p[5] = {0, 0, 0, 0, 0};
  T les = 0;  // 3 (C_s Delta)^2 with Delta one cell; 0: no LES
  T tau_min = T(0.5), tau_max = T(1e30);
  T magic = 0;  // TRT: Lambda, so that tau_minus follows the local tau_plus; 0: BGK

  HEMOTWIN_HD bool active() const { return model != ViscosityModel::Newtonian || les > T(0); }

  /// nu(gamma) and h = gamma dnu/dgamma.
  template <class V>
  HEMOTWIN_HD HEMOTWIN_INLINE void evaluate(const V& gamma, V& nu, V& h) const {
    using std::sqrt;
    if (model == ViscosityModel::PowerLaw) {
      nu = p[0] * vexp((p[1] - T(1)) * vlog(gamma));
      h = (p[1] - T(1)) * nu;
    } else if (model == ViscosityModel::Casson) {
      const V r = p[0] / sqrt(gamma);
      nu = (r + p[1]) * (r + p[1]);
      h = -(r + p[1]) * r;
    } else if (model == ViscosityModel::CarreauYasuda) {
      const V lg = p[2] * gamma;
      const V x = p[3] == T(2) ? lg * lg : vexp(p[3] * vlog(lg));  // (lambda gamma)^a
      const V b = vexp((p[4] - T(1)) / p[3] * vlog(T(1) + x));
      nu = p[1] + (p[0] - p[1]) * b;
      h = (p[0] - p[1]) * (p[4] - T(1)) * b * x / (T(1) + x);
    } else {
      nu = V(T(0));
      h = V(T(0));
    }
  }

  /// The local relaxation time for K (see above); tau0 is the Newtonian one (used without a model).
  template <class V>
  HEMOTWIN_HD HEMOTWIN_INLINE V tau(const V& K, T tau0) const {
    using std::sqrt;
    const V k = vmax(K, V(T(1e-20)));
    V t;
    if (model == ViscosityModel::Newtonian) {
      // tau^2 - tau0 tau - les K = 0.
      t = T(0.5) * (tau0 + sqrt(tau0 * tau0 + T(4) * les * k));
    } else if (model == ViscosityModel::Casson && les == T(0)) {
      // s = sqrt(tau), c = p0 / sqrt(K): (1 - 3 c^2) s^2 - 6 p1 c s - (1/2 + 3 p1^2) = 0. Below
      // the yield stress (1 - 3 c^2 <= 0) the fluid does not shear: tau_max.
      const V c = p[0] / sqrt(k);
      const V a = T(1) - T(3) * c * c;
      const V bc = T(3) * p[1] * c;
      const V s = (bc + sqrt(bc * bc + a * (T(0.5) + T(3) * p[1] * p[1]))) / vmax(a, V(T(1e-30)));
      t = vselect_not_positive(a, V(tau_max), s * s);
    } else {
      // nu(K / tau) is largest at tau_max for shear-thinning models, at tau_min for thickening.
      const bool thickening = (model == ViscosityModel::PowerLaw && p[1] > T(1)) ||
                              (model == ViscosityModel::CarreauYasuda && p[4] > T(1));
      V nu_bound, h_bound;
      evaluate(k / (thickening ? tau_min : tau_max), nu_bound, h_bound);
      t = vmin(T(0.5) + T(3) * nu_bound + les * k / tau_min, V(tau_max));
      for (int it = 0; it < 2; ++it) {
        V nu, h;
        evaluate(k / t, nu, h);
        const V g = t - T(0.5) - T(3) * nu - les * k / t;
        const V dg = T(1) + T(3) * h / t + les * k / (t * t);
        // g <= 0 at an upper bound: the root lies at or beyond tau_max (a power law below its
        // lowest shear rate), and t is already there.
        t = vselect_not_positive(g, t, vmin(vmax(t - g / dg, V(tau_min)), V(tau_max)));
      }
    }
    return vmin(vmax(t, V(tau_min)), V(tau_max));
  }
};

/// Collision: TRT with the Guo forcing term split into its symmetric and antisymmetric parts.
/// BGK is the case omega_plus == omega_minus (then this is exactly BGK with Guo forcing).
/// V is T for one cell (GPU thread, scalar code) or a SIMD vector of T for several cells at once
/// (the CPU backend): the same source serves both. With a LocalViscosity active, omega_plus (and
/// omega_minus, by the TRT magic parameter) come from each cell's strain rate.
///
/// `regularized`: projected regularization (Latt & Chopard 2006, Math. Comput. Simul. 72:165).
/// The non-equilibrium part is replaced, before BGK relaxation by omega_plus, by its projection
/// on the second-order Hermite polynomials, f1_i = w_i 9/2 (c_i c_i - I/3) : Pi_neq, which keeps
/// its second moment (so the viscosity) and drops the higher, unphysical moments that destabilise
/// BGK at low viscosity. Its first moment (-F/2 with Guo forcing) is kept exactly, so the odd part
/// relaxes as TRT with omega_minus = 1.
template <class T, class L>
struct Collide {
  T omega_plus;
  T omega_minus;
  T force[3];  // force density, lattice units
  LocalViscosity<T> visc = {};
  bool regularized = false;

  template <class V>
  HEMOTWIN_HD HEMOTWIN_INLINE void operator()(V (&f)[L::Q]) const {
    V drho = f[0], jx = V(0), jy = V(0), jz = V(0);
    static_for<L::Q - 1>([&](auto i) {
      constexpr int q = i + 1;
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
    const V usq15 = T(1.5) * (ux * ux + uy * uy + uz * uz);
    const V uf3 = T(3) * (ux * force[0] + uy * force[1] + uz * force[2]);
    V op = V(omega_plus), om = V(omega_minus);
    // Pi_neq = sum c c f - rho u u - (rho - 1) / 3 I, f stored less its weight.
    V pxx = V(0), pyy = V(0), pzz = V(0), pxy = V(0), pxz = V(0), pyz = V(0);
    if (regularized || visc.active()) {
      static_for<L::Q - 1>([&](auto i) {
        constexpr int q = i + 1;
        constexpr int cx = L::c[q][0], cy = L::c[q][1], cz = L::c[q][2];
        if constexpr (cx != 0) pxx += f[q];
        if constexpr (cy != 0) pyy += f[q];
        if constexpr (cz != 0) pzz += f[q];
        accumulate<cx * cy>(pxy, f[q]);
        accumulate<cx * cz>(pxz, f[q]);
        accumulate<cy * cz>(pyz, f[q]);
      });
      const V iso = drho * T(1.0 / 3.0);
      pxx -= rho * ux * ux + iso;
      pyy -= rho * uy * uy + iso;
      pzz -= rho * uz * uz + iso;
      pxy -= rho * ux * uy;
      pxz -= rho * ux * uz;
      pyz -= rho * uy * uz;
    }
    if (visc.active()) {
      const V pp = pxx * pxx + pyy * pyy + pzz * pzz + T(2) * (pxy * pxy + pxz * pxz + pyz * pyz);
      using std::sqrt;
      const V K = T(1.5) * sqrt(T(2) * pp) * inv_rho;
      const V tau = visc.tau(K, T(1) / omega_plus);
      op = V(T(1)) / tau;
      om = visc.magic > T(0) ? V(T(1)) / (visc.magic / (tau - T(0.5)) + T(0.5)) : op;
    }
    if (regularized) om = V(T(1));
    const V kp = T(1) - T(0.5) * op, km = T(1) - T(0.5) * om;
    // Regularized: the trace term of f1_i = w_i 9/2 (c_i c_i : Pi - tr Pi / 3).
    const V tr3 = regularized ? T(1.0 / 3.0) * (pxx + pyy + pzz) : V(T(0));
    {
      const T w = T(L::w[0]);
      const V feq = w * (drho - rho * usq15);
      if (regularized)  // f1_0 = w_0 9/2 (0 - tr Pi / 3)
        f[0] = feq + (T(1) - op) * (w * T(-4.5)) * tr3 - (kp * w) * uf3;
      else
        f[0] += -op * (f[0] - feq) - (kp * w) * uf3;
    }
    static_for<(L::Q - 1) / 2>([&](auto i) {
      // Directions come in opposite pairs (q, q + 1); see the static_assert below.
      constexpr int q = 2 * i + 1;
      constexpr int cx = L::c[q][0], cy = L::c[q][1], cz = L::c[q][2];
      const T w = T(L::w[q]);
      const V cu = times<cx>(ux) + times<cy>(uy) + times<cz>(uz);
      const T cf = T(cx) * force[0] + T(cy) * force[1] + T(cz) * force[2];
      const V wrho = w * rho;
      const V feq_p = w * drho + wrho * (T(4.5) * cu * cu - usq15);
      const V feq_m = wrho * T(3) * cu;
      const V fp = T(0.5) * (f[q] + f[q + 1]);
      const V fm = T(0.5) * (f[q] - f[q + 1]);
      const V force_p = (kp * w) * (T(9) * cf * cu - uf3);
      V dp;
      if (regularized) {
        V cc = -tr3;
        if constexpr (cx != 0) cc += pxx;
        if constexpr (cy != 0) cc += pyy;
        if constexpr (cz != 0) cc += pzz;
        cc += T(2) * (times<cx * cy>(pxy) + times<cx * cz>(pxz) + times<cy * cz>(pyz));
        const V f1 = (w * T(4.5)) * cc;
        dp = feq_p + (T(1) - op) * f1 - fp + force_p;
      } else {
        dp = -op * (fp - feq_p) + force_p;
      }
      const V dm = -om * (fm - feq_m) + km * (w * T(3) * cf);
      f[q] += dp + dm;
      f[q + 1] += dp - dm;
    });
  }
};

namespace detail {
template <class L>
constexpr bool paired_opposites() {
  for (int q = 1; q < L::Q; q += 2)
    if (L::opposite[q] != q + 1) return false;
  return L::opposite[0] == 0 && L::Q % 2 == 1;
}
}  // namespace detail
static_assert(detail::paired_opposites<D3Q19>(), "D3Q19 directions must come in opposite pairs");
static_assert(detail::paired_opposites<D3Q27>(), "D3Q27 directions must come in opposite pairs");

/// Density and velocity of a cell from its stored (shifted, post-collision) populations.
template <class T, class L>
HEMOTWIN_HD HEMOTWIN_INLINE void moments(const T (&f)[L::Q], const T (&force)[3], T& rho,
                                         T (&u)[3]) {
  rho = 0;
  T j[3] = {0, 0, 0};
  static_for<L::Q>([&](auto qc) {
    constexpr int q = qc;
    rho += f[q];
    accumulate<L::c[q][0]>(j[0], f[q]);
    accumulate<L::c[q][1]>(j[1], f[q]);
    accumulate<L::c[q][2]>(j[2], f[q]);
  });
  rho += T(1);
  for (int a = 0; a < 3; ++a) u[a] = (j[a] - T(0.5) * force[a]) / rho;
}

/// The velocity set as a plain value, for code that indexes it with a run-time direction (the
/// boundary links). Device code makes a local constexpr copy: static member arrays are not visible
/// there, a local constant is.
template <class L>
struct VelocityTable {
  int c[L::Q][3];
  double w[L::Q];
};
template <class L>
constexpr VelocityTable<L> velocity_table() {
  VelocityTable<L> t{};
  for (int q = 0; q < L::Q; ++q) {
    for (int a = 0; a < 3; ++a) t.c[q][a] = L::c[q][a];
    t.w[q] = L::w[q];
  }
  return t;
}

/// Opposite of direction i: directions come in opposite pairs (q, q + 1), checked below.
HEMOTWIN_HD constexpr int opposite_dir(int i) { return i == 0 ? 0 : ((i & 1) ? i + 1 : i - 1); }

/// The cell at offset (dx, dy, dz), each in {-1, 0, 1}, from `cell`, through the brick-neighbour
/// table (so periodic wrapping and absent bricks resolve as the stream-collide resolves them).
HEMOTWIN_HD HEMOTWIN_INLINE std::int64_t neighbour_cell(const std::int32_t* neighbours,
                                                        std::int64_t cell, int dx, int dy, int dz) {
  const std::int64_t brick = cell / B3;
  const int local = int(cell % B3);
  int x = local % B + dx, y = (local / B) % B + dy, z = local / (B * B) + dz;
  const int bx = x < 0 ? -1 : (x >= B ? 1 : 0);
  const int by = y < 0 ? -1 : (y >= B ? 1 : 0);
  const int bz = z < 0 ? -1 : (z >= B ? 1 : 0);
  x -= bx * B;
  y -= by * B;
  z -= bz * B;
  const std::int64_t nb = neighbours[brick * brick_neighbours + neighbour_slot(bx, by, bz)];
  return nb * B3 + x + B * (y + B * z);
}

/// Where the post-collision populations f*_i(x) lie between two steps.
///  - Plain: the two-lattice scheme, f*_i(x) at slot (x, i) of the array just written;
///  - Swapped: the AA pattern after its even (cell-local) step, and at the start: (x, opposite(i));
///  - Pushed: the AA pattern after its odd step, (x + c_i, i).
/// The next step reads the population f_i(y) arriving at y from (y - c_i, i), (y - c_i,
/// opposite(i)) and (y, i) respectively. See docs/design-notes.md, "Streaming".
enum class Layout : std::uint8_t { Plain = 0, Swapped = 1, Pushed = 2 };

/// The populations of a lattice as stored in one layout: the post-collision populations of a cell
/// wherever they lie. Cheap, non-owning and trivially copyable, for host and device code.
template <class T, class L>
struct PopulationView {
  const T* f;
  const std::int32_t* neighbours;  // the lattice's brick-neighbour table (Pushed needs it)
  Layout layout;

  /// Slot of f*_i(cell).
  HEMOTWIN_HD HEMOTWIN_INLINE std::int64_t slot_of(std::int64_t cell, int i) const {
    constexpr VelocityTable<L> lat = velocity_table<L>();
    if (layout == Layout::Plain) return slot<L>(cell, i);
    if (layout == Layout::Swapped) return slot<L>(cell, opposite_dir(i));
    return slot<L>(neighbour_cell(neighbours, cell, lat.c[i][0], lat.c[i][1], lat.c[i][2]), i);
  }

  /// Slot from which the next step reads the population f_i(cell) arriving at cell (where the
  /// boundary links write it): (cell - c_i, i), (cell - c_i, opposite(i)) or (cell, i).
  HEMOTWIN_HD HEMOTWIN_INLINE std::int64_t arrival_slot(std::int64_t cell, int i) const {
    constexpr VelocityTable<L> lat = velocity_table<L>();
    if (layout == Layout::Pushed) return slot<L>(cell, i);
    const std::int64_t from =
        neighbour_cell(neighbours, cell, -lat.c[i][0], -lat.c[i][1], -lat.c[i][2]);
    return slot<L>(from, layout == Layout::Plain ? i : opposite_dir(i));
  }

  HEMOTWIN_HD HEMOTWIN_INLINE void load(std::int64_t cell, T (&out)[L::Q]) const {
    if (layout == Layout::Pushed) {
      for (int q = 0; q < L::Q; ++q) out[q] = f[slot_of(cell, q)];
      return;
    }
    const std::int64_t base = cell / B3 * L::Q * B3 + cell % B3;
    for (int q = 0; q < L::Q; ++q) {
      const int stored = layout == Layout::Swapped ? opposite_dir(q) : q;
      out[q] = f[base + std::int64_t(stored) * B3];
    }
  }
};

/// Samples of an iolet's velocity profile over the profile coordinate s in [0, 1] (r / R on a
/// circular inlet, 0 on the axis): profile_samples + 1 values, linearly interpolated.
constexpr int profile_samples = 128;

/// Link-wise boundary rules, applied after the stream-collide step to the post-collision
/// populations `f`. Each writes the slot from which a fluid cell reads, in the next step, the
/// population that arrives from a wall or an iolet.
///
/// Walls and velocity inlets are linear in the populations, so their links are compiled once per
/// Layout (Engine::compile_links) into
///     f[to] = a f[from] + b f[aux] + c u(s)
/// with `from` the slot of f*_i(x) of the fluid cell x in that layout, `to` the slot from which the
/// next step reads f_opposite(i)(x) (in the two-lattice scheme: (x, i) and (x + c_i, opposite(i))),
/// and
///  - halfway bounce-back: a = 1, b = 0;
///  - Bouzidi's linear interpolation with the wall distance q (walls only): for q < 1/2, a = 2q,
///    b = 1 - 2q, aux = f*_i(x - c_i); for q >= 1/2, a = 1/(2q), b = 1 - 1/(2q), aux =
///    f*_opposite(i)(x);
///  - velocity iolets: halfway bounce-back plus Ladd's moving-wall term, c = -6 w_i (c_i . n),
///    for the local velocity u(s) along the inward normal n: the iolet's profile table at the
///    link's profile coordinate s (a parabola, a plug, a Womersley profile; set every step). They
///    do not interpolate (Engine::compile_links says why);
///  - walls that slide within their surface (DomainSpec::wall_motions): their wall rule plus the
///    moving-wall term, c = -6 w_i (c_i . v) for the motion's velocity v at the crossing point,
///    times a = 1/(2q) where they interpolate with q >= 1/2 (Bouzidi et al. 2001), and u their
///    amplitude, read from a profile table of one value after the iolets' (s = 0).
/// No branch depends on the link, and no link writes a slot another link reads, so links may run in
/// any order (they are sorted by `to` for locality).
template <class T>
struct ApplyLinearLinks {
  T* f;
  const std::int64_t* from;
  const std::int64_t* aux;
  const std::int64_t* to;
  const T* coeff;             // a, b, c of each link
  const std::int16_t* iolet;  // -1 for walls
  const T* coord;             // profile coordinate s of each link (0 for walls)
  const T* profile;           // per iolet: profile_samples + 1 velocities (lattice units)

  HEMOTWIN_HD HEMOTWIN_INLINE void operator()(std::int64_t k) const {
    const int io = iolet[k];
    T u = T(0);
    if (io >= 0) {
      const T x = coord[k] * T(profile_samples);
      const int j = x < T(profile_samples - 1) ? int(x) : profile_samples - 1;
      const T* p = profile + std::int64_t(io) * (profile_samples + 1);
      u = p[j] + (x - T(j)) * (p[j + 1] - p[j]);
    }
    f[to[k]] = coeff[3 * k] * f[from[k]] + coeff[3 * k + 1] * f[aux[k]] + coeff[3 * k + 2] * u;
  }
};

/// Mass-conserving interpolated walls. A Bouzidi link returns to its fluid cell x the population
/// a f*_i(x) + b f_aux instead of the f*_i(x) it sent to the wall: the difference,
/// (1 - a) f*_i(x) - b f_aux, is mass lost (or gained) every step, the more the lower the
/// viscosity (about 1 % of the through-flow of a stenotic jet at tau 0.502). For each fluid cell
/// with such links this puts the sum back into the cell's rest population, which the next step
/// reads and which carries no momentum, so the walls conserve mass exactly (in the spirit of Bao,
/// Yuan & Schaefer 2008, J. Comput. Phys. 227:8472). It reads only slots the link rules do not
/// write and writes only rest slots, which they do not touch: run it after them, since pressure
/// links read whole cells.
template <class T>
struct RestoreWallMass {
  T* f;
  const std::int64_t* begin;  // per cell m: its links are link[begin[m] .. begin[m + 1])
  const std::int64_t* rest;   // per cell: the slot of its rest population
  const std::int64_t* link;   // indices into the compiled linear links
  const std::int64_t* from;
  const std::int64_t* aux;
  const T* coeff;
  /// Per compiled link (null: none): what a wall moving along its normal should carry through
  /// the link beyond what its rule returns, (1 - a) times the moving-wall term (the rule scales
  /// that term by a = 1/(2q) where q >= 1/2, and the interpolation carries the rest).
  const T* extra = nullptr;

  HEMOTWIN_HD HEMOTWIN_INLINE void operator()(std::int64_t m) const {
    T lost = T(0);
    for (std::int64_t k = begin[m]; k < begin[m + 1]; ++k) {
      const std::int64_t j = link[k];
      lost += (T(1) - coeff[3 * j]) * f[from[j]] - coeff[3 * j + 1] * f[aux[j]];
      if (extra) lost += extra[j];
    }
    f[rest[m]] += lost;
  }
};

/// Pressure outlets: anti-bounce-back at the outlet density with the velocity of the fluid cell
/// (Ginzburg et al. 2008). Nonlinear, so each link loads its cell.
template <class T, class L>
struct ApplyPressureLinks {
  T* f;
  PopulationView<T, L> pops;  // f, as laid out after the step
  const std::int64_t* fluid;
  const std::int64_t* to;
  const std::uint8_t* dir;
  const std::int16_t* iolet;
  const T* iolet_value;  // per iolet: outlet density (lattice units)
  T force[3];

  HEMOTWIN_HD HEMOTWIN_INLINE void operator()(std::int64_t k) const {
    constexpr VelocityTable<L> lat = velocity_table<L>();
    const int i = dir[k];
    T cell[L::Q];
    pops.load(fluid[k], cell);
    T rho, u[3];
    moments<T, L>(cell, force, rho, u);
    const T cu = T(lat.c[i][0]) * u[0] + T(lat.c[i][1]) * u[1] + T(lat.c[i][2]) * u[2];
    const T usq = u[0] * u[0] + u[1] * u[1] + u[2] * u[2];
    const T w = T(lat.w[i]);
    f[to[k]] = -cell[i] +
               T(2) * w * (iolet_value[iolet[k]] * (T(1) + T(4.5) * cu * cu - T(1.5) * usq) - T(1));
  }
};

/// Writes the equilibrium at (rho, u), shifted by -w, into every population of a cell.
template <class T, class L>
HEMOTWIN_HD HEMOTWIN_INLINE void equilibrium(T rho, const T (&u)[3], T (&f)[L::Q]) {
  const T usq15 = T(1.5) * (u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
  static_for<L::Q>([&](auto qc) {
    constexpr int q = qc;
    constexpr T w = T(L::w[q]);
    const T cu = times<L::c[q][0]>(u[0]) + times<L::c[q][1]>(u[1]) + times<L::c[q][2]>(u[2]);
    f[q] = w * ((rho - T(1)) + rho * (T(3) * cu + T(4.5) * cu * cu - usq15));
  });
}

/// A sponge layer before an outlet (Palabos' viscosity sponge zones): in each of its cells the
/// post-collision populations' non-equilibrium part is scaled by `scale`,
/// s = (1 - 1/tau_s) / (1 - 1/tau), which turns the step's relaxation at tau into one at tau_s:
/// a viscosity that rises towards the outlet and damps what would reach the outlet and be
/// reflected by it (vortices, pressure waves). Runs after the stream-collide step and before the
/// boundary links (which then read the sponged populations), wherever the layout keeps f*_i(x):
/// mass and momentum are kept exactly.
template <class T, class L>
struct SpongeCells {
  T* f;
  PopulationView<T, L> pops;  // where f*_i(x) lies (pops.f is f)
  const std::int64_t* cell;
  const T* scale;

  HEMOTWIN_HD HEMOTWIN_INLINE void operator()(std::int64_t k) const {
    std::int64_t at[L::Q];
    T g[L::Q], feq[L::Q];
    for (int q = 0; q < L::Q; ++q) g[q] = f[at[q] = pops.slot_of(cell[k], q)];
    T rho, u[3];
    const T no_force[3] = {T(0), T(0), T(0)};
    moments<T, L>(g, no_force, rho, u);
    equilibrium<T, L>(rho, u, feq);
    for (int q = 0; q < L::Q; ++q) f[at[q]] = feq[q] + scale[k] * (g[q] - feq[q]);
  }
};

}  // namespace hemotwin::kernels

namespace hemotwin::kernels {

/// Per-cell summary combined by the reductions (mass, peak speed, first non-finite cell).
struct CellSummary {
  double mass;
  double max_speed2;
  std::int64_t
      bad_cell;   // smallest index of a cell with a non-finite density or velocity; -1: none
  double cells;   // fluid cells counted (a moving wall changes them)
  double energy;  // sum of |u|^2 / 2 over them (finite cells only): incompressible, rho0 = 1

  HEMOTWIN_HD static CellSummary identity() { return {0.0, 0.0, -1, 0.0, 0.0}; }
};

struct CombineSummary {
  HEMOTWIN_HD HEMOTWIN_INLINE CellSummary operator()(const CellSummary& a,
                                                     const CellSummary& b) const {
    std::int64_t bad = a.bad_cell;
    if (b.bad_cell >= 0 && (bad < 0 || b.bad_cell < bad)) bad = b.bad_cell;
    return {a.mass + b.mass, a.max_speed2 > b.max_speed2 ? a.max_speed2 : b.max_speed2, bad,
            a.cells + b.cells, a.energy + b.energy};
  }
};

template <class T, class L>
struct SummariseCell {
  PopulationView<T, L> pops;
  const std::uint8_t* cell_type;
  T force[3];
  HEMOTWIN_HD HEMOTWIN_INLINE CellSummary operator()(std::int64_t cell) const {
    if (cell_type[cell] != 1) return CellSummary::identity();
    T pop[L::Q];
    pops.load(cell, pop);
    T rho, u[3];
    moments<T, L>(pop, force, rho, u);
    const double u2 = double(u[0]) * u[0] + double(u[1]) * u[1] + double(u[2]) * u[2];
    // NaN compares false: test "finite" the portable way.
    const bool finite = (rho == rho) && (u2 == u2) && u2 < 1e30 && double(rho) < 1e30;
    return {finite ? double(rho) : 0.0, finite ? u2 : 0.0, finite ? -1 : cell, 1.0,
            finite ? 0.5 * u2 : 0.0};
  }
};

/// Mass flux (rho u . n) and density of one cell of an iolet slab, each times the cell's weight.
struct FlowSample {
  double flux;
  double rho;
  HEMOTWIN_HD FlowSample operator+(const FlowSample& o) const {
    return {flux + o.flux, rho + o.rho};
  }
};

template <class T, class L>
struct SampleIoletCell {
  PopulationView<T, L> pops;
  const std::int64_t* cells;
  const double* weight;
  double normal[3];  // inward
  T force[3];
  HEMOTWIN_HD HEMOTWIN_INLINE FlowSample operator()(std::int64_t k) const {
    T pop[L::Q];
    pops.load(cells[k], pop);
    T rho, u[3];
    moments<T, L>(pop, force, rho, u);
    const double w = weight[k];
    return {w * double(rho) *
                (double(u[0]) * normal[0] + double(u[1]) * normal[1] + double(u[2]) * normal[2]),
            w * double(rho)};
  }
};

}  // namespace hemotwin::kernels
