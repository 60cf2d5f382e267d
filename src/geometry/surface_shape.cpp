#include "hemotwin/geometry/surface_shape.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "hemotwin/core/error.hpp"

namespace hemotwin {
namespace {

/// Sign of the 2-D orientation of (a, b, q) — positive when q lies left of a->b — with q moved by
/// the symbolic perturbation (eps, eps^2), eps -> 0+. The edge is evaluated in one canonical
/// order whichever triangle asks, so the two triangles sharing it always agree, and a point on
/// an edge or a vertex falls in exactly one of the triangles around it. `raw` gets the
/// unperturbed value in the a->b orientation.
int edge_sign(double au, double av, double bu, double bv, double qu, double qv, double& raw) {
  const bool swap = au > bu || (au == bu && av > bv);
  if (swap) {
    std::swap(au, bu);
    std::swap(av, bv);
  }
  const double e = (bu - au) * (qv - av) - (bv - av) * (qu - au);
  int s;
  if (e > 0) {
    s = 1;
  } else if (e < 0) {
    s = -1;
  } else {
    // d e / d qu = -(bv - av); d e / d qv = (bu - au), which is > 0 when bv == av (canonical).
    const double du = -(bv - av);
    s = du > 0 ? 1 : (du < 0 ? -1 : 1);
  }
  raw = swap ? -e : e;
  return swap ? -s : s;
}

}  // namespace

SurfaceShape::SurfaceShape(TriangleMesh mesh) : mesh_(std::move(mesh)) {
  if (mesh_.triangles.empty()) throw Error("a surface shape needs at least one triangle");
  const std::int64_t open = mesh_.boundary_edges();
  if (open > 0)
    throw Error("the surface is not closed: " + std::to_string(open) +
                " edges belong to one triangle only (holes or openings); close its openings "
                "(find_openings + close_openings) or repair the surface");
  box_ = mesh_.bounds();
  const auto& P = mesh_.points;
  const auto& T = mesh_.triangles;
  const std::int64_t nt = std::int64_t(T.size());

  double edge_sum = 0;
  for (const auto& t : T)
    edge_sum +=
        (P[t[0]] - P[t[1]]).norm() + (P[t[1]] - P[t[2]]).norm() + (P[t[2]] - P[t[0]]).norm();
  const double mean_edge = std::max(edge_sum / (3.0 * double(nt)), 1e-12);
  const Vec3 size = box_.sizes().cwiseMax(Vec3::Constant(mean_edge));
  edges_.reserve(T.size());
  for (const auto& t : T) {
    const Vec3 &a = P[t[0]], &b = P[t[1]], &c = P[t[2]];
    const Vec3 hair = Vec3::Constant(1e-6 * mean_edge);
    edges_.push_back(
        {a, b - a, c - a, a.cwiseMin(b).cwiseMin(c) - hair, a.cwiseMax(b).cwiseMax(c) + hair});
  }

  // 2-D buckets over (y, z), about a mean edge wide, at most ~4 M of them.
  h2_ = std::max(mean_edge, std::sqrt(size[1] * size[2] / 4.0e6));
  n2_[0] = std::max(1, int(std::ceil(size[1] / h2_)));
  n2_[1] = std::max(1, int(std::ceil(size[2] / h2_)));
  // 3-D buckets, at most ~16 M.
  h3_ = std::max(mean_edge, std::cbrt(size.prod() / 16.0e6));
  for (int a = 0; a < 3; ++a) n3_[a] = std::max(1, int(std::ceil(size[a] / h3_)));

  auto clampi = [](double v, int n) { return std::clamp(int(std::floor(v)), 0, n - 1); };
  auto range2 = [&](const std::array<std::int32_t, 3>& t, int lo[2], int hi[2]) {
    for (int a = 0; a < 2; ++a) {
      const int axis = a + 1;
      const double mn = std::min({P[t[0]][axis], P[t[1]][axis], P[t[2]][axis]});
      const double mx = std::max({P[t[0]][axis], P[t[1]][axis], P[t[2]][axis]});
      lo[a] = clampi((mn - box_.min()[axis]) / h2_, n2_[a]);
      hi[a] = clampi((mx - box_.min()[axis]) / h2_, n2_[a]);
    }
  };
  auto range3 = [&](const std::array<std::int32_t, 3>& t, int lo[3], int hi[3]) {
    for (int a = 0; a < 3; ++a) {
      const double mn = std::min({P[t[0]][a], P[t[1]][a], P[t[2]][a]});
      const double mx = std::max({P[t[0]][a], P[t[1]][a], P[t[2]][a]});
      lo[a] = clampi((mn - box_.min()[a]) / h3_, n3_[a]);
      hi[a] = clampi((mx - box_.min()[a]) / h3_, n3_[a]);
    }
  };

  // Counting sort into CSR lists, two passes over the triangles.
  {
    start2_.assign(std::size_t(n2_[0]) * n2_[1] + 1, 0);
    int lo[2], hi[2];
    for (const auto& t : T) {
      range2(t, lo, hi);
      for (int b = lo[1]; b <= hi[1]; ++b)
        for (int a = lo[0]; a <= hi[0]; ++a) ++start2_[a + std::int64_t(n2_[0]) * b + 1];
    }
    for (std::size_t i = 1; i < start2_.size(); ++i) start2_[i] += start2_[i - 1];
    tris2_.resize(std::size_t(start2_.back()));
    std::vector<std::int64_t> fill(start2_.begin(), start2_.end() - 1);
    for (std::int64_t k = 0; k < nt; ++k) {
      range2(T[k], lo, hi);
      for (int b = lo[1]; b <= hi[1]; ++b)
        for (int a = lo[0]; a <= hi[0]; ++a)
          tris2_[std::size_t(fill[a + std::int64_t(n2_[0]) * b]++)] = std::int32_t(k);
    }
  }
  {
    const std::int64_t nb = std::int64_t(n3_[0]) * n3_[1] * n3_[2];
    start3_.assign(std::size_t(nb) + 1, 0);
    auto lin = [&](int i, int j, int k) {
      return i + std::int64_t(n3_[0]) * (j + std::int64_t(n3_[1]) * k);
    };
    int lo[3], hi[3];
    for (const auto& t : T) {
      range3(t, lo, hi);
      for (int k = lo[2]; k <= hi[2]; ++k)
        for (int j = lo[1]; j <= hi[1]; ++j)
          for (int i = lo[0]; i <= hi[0]; ++i) ++start3_[lin(i, j, k) + 1];
    }
    for (std::size_t i = 1; i < start3_.size(); ++i) start3_[i] += start3_[i - 1];
    tris3_.resize(std::size_t(start3_.back()));
    std::vector<std::int64_t> fill(start3_.begin(), start3_.end() - 1);
    for (std::int64_t n = 0; n < nt; ++n) {
      range3(T[n], lo, hi);
      for (int k = lo[2]; k <= hi[2]; ++k)
        for (int j = lo[1]; j <= hi[1]; ++j)
          for (int i = lo[0]; i <= hi[0]; ++i)
            tris3_[std::size_t(fill[lin(i, j, k)]++)] = std::int32_t(n);
    }
  }
}

void SurfaceShape::crossings(double y, double z, std::vector<double>& xs) const {
  xs.clear();
  if (y < box_.min()[1] || y > box_.max()[1] || z < box_.min()[2] || z > box_.max()[2]) return;
  const int a = std::clamp(int(std::floor((y - box_.min()[1]) / h2_)), 0, n2_[0] - 1);
  const int b = std::clamp(int(std::floor((z - box_.min()[2]) / h2_)), 0, n2_[1] - 1);
  const std::int64_t bucket = a + std::int64_t(n2_[0]) * b;
  const auto& P = mesh_.points;
  for (std::int64_t n = start2_[bucket]; n < start2_[bucket + 1]; ++n) {
    const auto& t = mesh_.triangles[std::size_t(tris2_[std::size_t(n)])];
    const Vec3 &A = P[t[0]], &Bv = P[t[1]], &C = P[t[2]];
    // Quick reject on the shadow's box.
    if (y < std::min({A[1], Bv[1], C[1]}) || y > std::max({A[1], Bv[1], C[1]}) ||
        z < std::min({A[2], Bv[2], C[2]}) || z > std::max({A[2], Bv[2], C[2]}))
      continue;
    double eab, ebc, eca;
    const int sab = edge_sign(A[1], A[2], Bv[1], Bv[2], y, z, eab);
    const int sbc = edge_sign(Bv[1], Bv[2], C[1], C[2], y, z, ebc);
    const int sca = edge_sign(C[1], C[2], A[1], A[2], y, z, eca);
    if (sab != sbc || sbc != sca) continue;
    const double sum = eab + ebc + eca;  // twice the shadow's signed area
    if (sum == 0) continue;              // edge-on: its neighbours carry the crossing
    xs.push_back((ebc * A[0] + eca * Bv[0] + eab * C[0]) / sum);
  }
}

void SurfaceShape::contains_row(const Vec3& start, double step, int n, std::uint8_t* out) const {
  thread_local std::vector<double> xs;
  crossings(start[1], start[2], xs);
  // A watertight surface is crossed an even number of times; round-off at a near-degenerate
  // fan can break that, and then a neighbouring ray (a hair away) decides.
  for (int attempt = 1; xs.size() % 2 == 1 && attempt <= 3; ++attempt) {
    const double shift = 1e-9 * attempt * h2_;
    crossings(start[1] + shift, start[2] + 0.7 * shift, xs);
  }
  std::sort(xs.begin(), xs.end());
  std::size_t below = 0;
  for (int i = 0; i < n; ++i) {
    const double x = start[0] + step * i;
    while (below < xs.size() && xs[below] < x) ++below;
    out[i] = (below % 2 == 1 && below < xs.size()) ? 1 : 0;
  }
}

bool SurfaceShape::contains(const Vec3& p) const {
  std::uint8_t inside = 0;
  contains_row(p, 0.0, 1, &inside);
  return inside != 0;
}

double SurfaceShape::intersect(const Vec3& p, const Vec3& d) const {
  WallPoint ignored;
  return intersect_at(p, d, ignored);
}

double SurfaceShape::intersect_at(const Vec3& p, const Vec3& d, WallPoint& at) const {
  at = WallPoint{};
  const Vec3 lo = p.cwiseMin(p + d), hi = p.cwiseMax(p + d);
  int blo[3], bhi[3];
  for (int a = 0; a < 3; ++a) {
    if (hi[a] < box_.min()[a] || lo[a] > box_.max()[a]) return 2.0;
    blo[a] = std::clamp(int(std::floor((lo[a] - box_.min()[a]) / h3_)), 0, n3_[a] - 1);
    bhi[a] = std::clamp(int(std::floor((hi[a] - box_.min()[a]) / h3_)), 0, n3_[a] - 1);
  }
  // Barycentric tolerance: a link through a vertex or along an edge still meets the triangles
  // there (the nearest crossing is the same whichever of them reports it).
  constexpr double eps = 1e-9;
  double best = 2.0;
  for (int k = blo[2]; k <= bhi[2]; ++k)
    for (int j = blo[1]; j <= bhi[1]; ++j)
      for (int i = blo[0]; i <= bhi[0]; ++i) {
        const std::int64_t b = i + std::int64_t(n3_[0]) * (j + std::int64_t(n3_[1]) * k);
        for (std::int64_t n = start3_[b]; n < start3_[b + 1]; ++n) {
          const Edges& t = edges_[std::size_t(tris3_[std::size_t(n)])];
          // The segment's box misses the triangle's: most of a bucket's triangles go here.
          if ((hi.array() < t.lo.array()).any() || (lo.array() > t.hi.array()).any()) continue;
          // Moller-Trumbore.
          const Vec3 &e1 = t.e1, &e2 = t.e2;
          const Vec3 pv = d.cross(e2);
          const double det = e1.dot(pv);
          if (std::abs(det) <= 1e-14 * e1.norm() * e2.norm() * d.norm()) continue;  // parallel
          const double inv = 1.0 / det;
          const Vec3 tv = p - t.a;
          const double u = tv.dot(pv) * inv;
          if (u < -eps || u > 1 + eps) continue;
          const Vec3 qv = tv.cross(e1);
          const double v = d.dot(qv) * inv;
          if (v < -eps || u + v > 1 + eps) continue;
          const double s = e2.dot(qv) * inv;
          if (s >= -1e-12 && s < best) {
            best = std::max(s, 0.0);
            at = {tris3_[std::size_t(n)], {1 - u - v, u, v}};
          }
        }
      }
  return best;
}

namespace {
// The barycentric weights of the point of triangle abc nearest p (Ericson, "Real-Time Collision
// Detection", 2005, 5.1.5: by the Voronoi regions of its vertices, edges and face).
std::array<double, 3> nearest_on_triangle(const Vec3& p, const Vec3& a, const Vec3& b,
                                          const Vec3& c) {
  const Vec3 ab = b - a, ac = c - a, ap = p - a;
  const double d1 = ab.dot(ap), d2 = ac.dot(ap);
  if (d1 <= 0 && d2 <= 0) return {1, 0, 0};
  const Vec3 bp = p - b;
  const double d3 = ab.dot(bp), d4 = ac.dot(bp);
  if (d3 >= 0 && d4 <= d3) return {0, 1, 0};
  const double vc = d1 * d4 - d3 * d2;
  if (vc <= 0 && d1 >= 0 && d3 <= 0) {
    const double v = d1 / (d1 - d3);
    return {1 - v, v, 0};
  }
  const Vec3 cp = p - c;
  const double d5 = ab.dot(cp), d6 = ac.dot(cp);
  if (d6 >= 0 && d5 <= d6) return {0, 0, 1};
  const double vb = d5 * d2 - d1 * d6;
  if (vb <= 0 && d2 >= 0 && d6 <= 0) {
    const double w = d2 / (d2 - d6);
    return {1 - w, 0, w};
  }
  const double va = d3 * d6 - d5 * d4;
  if (va <= 0 && d4 - d3 >= 0 && d5 - d6 >= 0) {
    const double w = (d4 - d3) / ((d4 - d3) + (d5 - d6));
    return {0, 1 - w, w};
  }
  const double sum = va + vb + vc;
  if (!(sum > 0)) return {1, 0, 0};  // a degenerate triangle: its first vertex
  const double v = vb / sum, w = vc / sum;
  return {1 - v - w, v, w};
}
}  // namespace

// Ring by ring of buckets around p's: after ring r every point of the surface not yet tried lies
// at least r bucket widths from p.
SurfaceShape::Nearest SurfaceShape::nearest(const Vec3& p) const {
  const auto& P = mesh_.points;
  int c[3], far = 0;
  for (int a = 0; a < 3; ++a) {
    c[a] = int(std::floor((p[a] - box_.min()[a]) / h3_));
    far = std::max({far, std::abs(c[a]), std::abs(n3_[a] - 1 - c[a])});
  }
  Nearest best;
  best.distance = std::numeric_limits<double>::infinity();
  for (int r = 0; r <= far; ++r) {
    for (int k = c[2] - r; k <= c[2] + r; ++k)
      for (int j = c[1] - r; j <= c[1] + r; ++j)
        for (int i = c[0] - r; i <= c[0] + r; ++i) {
          if (std::max({std::abs(i - c[0]), std::abs(j - c[1]), std::abs(k - c[2])}) != r) continue;
          if (i < 0 || j < 0 || k < 0 || i >= n3_[0] || j >= n3_[1] || k >= n3_[2]) continue;
          const std::int64_t b = i + std::int64_t(n3_[0]) * (j + std::int64_t(n3_[1]) * k);
          for (std::int64_t n = start3_[b]; n < start3_[b + 1]; ++n) {
            const std::int32_t tri = tris3_[std::size_t(n)];
            const auto& t = mesh_.triangles[std::size_t(tri)];
            const auto w = nearest_on_triangle(p, P[t[0]], P[t[1]], P[t[2]]);
            const double d = (w[0] * P[t[0]] + w[1] * P[t[1]] + w[2] * P[t[2]] - p).norm();
            if (d < best.distance) best = {tri, w, d};
          }
        }
    // Every triangle not yet tried lies outside the cube of buckets c - r to c + r: no nearer
    // to p than that cube's faces (for a point on the surface, its own bucket settles it).
    double reach = std::numeric_limits<double>::infinity();
    for (int a = 0; a < 3; ++a) {
      const double lo = box_.min()[a] + (c[a] - r) * h3_, hi = lo + (2 * r + 1) * h3_;
      reach = std::min({reach, p[a] - lo, hi - p[a]});
    }
    if (best.distance <= reach) break;
  }
  return best;
}

}  // namespace hemotwin
