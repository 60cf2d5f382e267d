// Closed triangle surfaces onto the lattice: inside/outside by rays, wall distances q by exact
// ray-triangle intersection. Checked against convex polyhedra, whose exit distance along a link
// is analytic (the nearest face plane), and against a sphere and a cylinder at 20 cells per
// diameter.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>

#include "hemotwin/core/error.hpp"
#include "hemotwin/core/lattice.hpp"
#include "hemotwin/geometry/surface_shape.hpp"
#include "meshes.hpp"

using namespace hemotwin;
using namespace hemotwin::test;

namespace {

Eigen::Matrix3d rotation() {
  return (Eigen::AngleAxisd(0.61, Vec3(1, 2, 3).normalized()) *
          Eigen::AngleAxisd(0.23, Vec3(-2, 1, 0.5).normalized()))
      .toRotationMatrix();
}

struct Comparison {
  std::int64_t cells = 0, mismatched_cells = 0, links = 0;
  double max_dq = 0;
};

/// Lays `mesh` on a lattice of spacing dx and compares every cell's inside/outside and every
/// boundary link's q with the convex polyhedron `exact`.
Comparison compare(const TriangleMesh& mesh, const Halfspaces& exact, double dx) {
  auto shape = std::make_shared<SurfaceShape>(mesh);
  const DomainSpec spec = DomainSpec::around(shape, dx, 2);
  const SparseLattice lat(spec);
  Comparison c;
  for (int k = 0; k < spec.cells[2]; ++k)
    for (int j = 0; j < spec.cells[1]; ++j)
      for (int i = 0; i < spec.cells[0]; ++i) {
        const Vec3 p = spec.origin + dx * Vec3(i, j, k);
        const bool fluid = lat.is_fluid(lat.cell_at({i, j, k}));
        c.cells += fluid;
        c.mismatched_cells += fluid != exact.contains(p);
      }
  const LinkList links = build_links<D3Q19>(lat, spec);
  c.links = std::int64_t(links.size());
  for (std::size_t n = 0; n < links.size(); ++n) {
    const auto q = links.dir[n];
    const Vec3 d = dx * Vec3(D3Q19::c[q][0], D3Q19::c[q][1], D3Q19::c[q][2]);
    const double t = exact.exit(lat.position(links.fluid[n]), d);
    c.max_dq = std::max(c.max_dq, std::abs(links.q[n] - std::max(t, 1e-6)));
  }
  return c;
}

}  // namespace

TEST(SurfaceShape, RotatedBoxGivesExactCellsAndWallDistances) {
  Halfspaces exact;
  const TriangleMesh box =
      box_mesh(Vec3(4.3, 2.7, 3.1), rotation(), Vec3(0.17, -0.31, 0.05), &exact);
  EXPECT_NEAR(box.signed_volume(), 8 * 4.3 * 2.7 * 3.1, 1e-9);
  const Comparison c = compare(box, exact, 0.25);
  std::printf("rotated box: %lld fluid cells, %lld links, max |q - exact| = %.2e\n",
              (long long)c.cells, (long long)c.links, c.max_dq);
  EXPECT_EQ(c.mismatched_cells, 0);
  EXPECT_GT(c.links, 10000);
  EXPECT_LT(c.max_dq, 1e-9);
}

TEST(SurfaceShape, CylinderAtTwentyCellsPerDiameter) {
  // A 256-sided prism (its face planes are the analytic surface) along an oblique axis.
  const double R = 10, L = 30;  // in cells
  Halfspaces exact;
  const TriangleMesh cyl =
      prism_mesh(Vec3(0.3, 0.1, -0.2), Vec3(1, 0.4, 0.7), R, L, 256, false, &exact);
  const Comparison c = compare(cyl, exact, 1.0);
  const double prism = 0.5 * 256 * R * R * std::sin(2 * std::numbers::pi / 256) * L;
  const double cylinder = std::numbers::pi * R * R * L;
  std::printf(
      "cylinder: %lld cells vs prism %.1f, cylinder %.1f (%.3f %%); %lld links, "
      "max |q - exact| = %.2e\n",
      (long long)c.cells, prism, cylinder, 100 * (c.cells / cylinder - 1), (long long)c.links,
      c.max_dq);
  EXPECT_EQ(c.mismatched_cells, 0);
  EXPECT_NEAR(c.cells / cylinder, 1.0, 0.01);
  EXPECT_LT(c.max_dq, 1e-9);
}

TEST(SurfaceShape, SphereAtTwentyCellsPerDiameter) {
  const double R = 10;  // cells
  const Vec3 centre(0.31, -0.17, 0.43);
  const TriangleMesh sphere = sphere_mesh(centre, R, 96, 192);
  EXPECT_NEAR(sphere.signed_volume() / (4.0 / 3 * std::numbers::pi * R * R * R), 1.0, 2e-3);
  auto shape = std::make_shared<SurfaceShape>(sphere);
  const DomainSpec spec = DomainSpec::around(shape, 1.0, 2);
  const SparseLattice lat(spec);
  const LinkList links = build_links<D3Q19>(lat, spec);
  // Two volumes: cells counted (a lattice-point count, which scatters by ~1 % with the sphere's
  // offset at this size), and the volume the lattice represents with its wall distances: along
  // each x row a run of n fluid cells spans n - 1 + q_left + q_right cells.
  double walls = 0;
  for (std::size_t n = 0; n < links.size(); ++n)
    if (D3Q19::c[links.dir[n]][1] == 0 && D3Q19::c[links.dir[n]][2] == 0) walls += links.q[n] - 0.5;
  const double volume = 4.0 / 3 * std::numbers::pi * R * R * R;
  const double represented = double(lat.fluid_cells()) + walls;
  std::printf("sphere: %lld cells (%.3f %%), with wall distances %.1f vs %.1f (%.3f %%)\n",
              (long long)lat.fluid_cells(), 100 * (lat.fluid_cells() / volume - 1), represented,
              volume, 100 * (represented / volume - 1));
  EXPECT_NEAR(represented / volume, 1.0, 0.01);
  EXPECT_NEAR(lat.fluid_cells() / volume, 1.0, 0.02);
  // q against the true sphere: the facets lie at most a sagitta (~0.0014 cells) inside it, and a
  // link meets them at most that far from the sphere divided by its incidence.
  std::vector<double> err;
  for (std::size_t n = 0; n < links.size(); ++n) {
    const Vec3 p = lat.position(links.fluid[n]) - centre;
    const Vec3 d(D3Q19::c[links.dir[n]][0], D3Q19::c[links.dir[n]][1], D3Q19::c[links.dir[n]][2]);
    const double b = p.dot(d), cc = p.squaredNorm() - R * R, dd = d.squaredNorm();
    const double t = (-b + std::sqrt(b * b - dd * cc)) / dd;
    err.push_back(std::abs(links.q[n] - t));
  }
  std::sort(err.begin(), err.end());
  const double p95 = err[err.size() * 95 / 100];
  std::printf("sphere q vs analytic: median %.2e, 95th percentile %.2e, max %.2e\n",
              err[err.size() / 2], p95, err.back());
  EXPECT_LT(p95, 0.01);
}

TEST(SurfaceShape, LatticeAlignedCubeIsCountedOnceAtEveryTie) {
  // Faces, edges and corners all on lattice points and links: every tie is broken one way.
  const TriangleMesh cube = box_mesh(Vec3(5, 5, 5), Eigen::Matrix3d::Identity(), Vec3::Zero());
  auto shape = std::make_shared<SurfaceShape>(cube);
  const DomainSpec spec = DomainSpec::around(shape, 1.0, 2);
  const SparseLattice lat(spec);
  EXPECT_EQ(lat.fluid_cells(), 1000);  // half-open along each axis: 10 x 10 x 10
  const LinkList links = build_links<D3Q19>(lat, spec);
  std::int64_t missed = 0;
  for (std::size_t n = 0; n < links.size(); ++n) {
    const auto q = links.dir[n];
    const Vec3 d(D3Q19::c[q][0], D3Q19::c[q][1], D3Q19::c[q][2]);
    missed += !(shape->intersect(lat.position(links.fluid[n]), d) <= 1.0);
  }
  EXPECT_EQ(missed, 0);
}

TEST(SurfaceShape, RowAndPointQueriesAgree) {
  const TriangleMesh sphere = sphere_mesh(Vec3::Zero(), 3.0, 12, 24);  // coarse: many ties
  const SurfaceShape shape(sphere);
  std::vector<std::uint8_t> row(40);
  for (double y = -3.5; y <= 3.5; y += 0.25)
    for (double z = -3.5; z <= 3.5; z += 0.25) {
      const Vec3 start(-4, y, z);
      shape.contains_row(start, 0.2, 40, row.data());
      for (int i = 0; i < 40; ++i)
        ASSERT_EQ(row[i] != 0, shape.contains(start + Vec3(0.2 * i, 0, 0)))
            << "at " << (start + Vec3(0.2 * i, 0, 0)).transpose();
    }
}

TEST(SurfaceShape, RefusesAnOpenSurface) {
  const TriangleMesh tube = prism_mesh(Vec3::Zero(), Vec3::UnitZ(), 2, 10, 16, true);
  try {
    SurfaceShape s(tube);
    FAIL() << "an open surface was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not closed"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("32 edges"), std::string::npos) << e.what();
  }
}

namespace {
// The distance from p to triangle abc, independently of the library: to its plane where p's
// projection falls inside, else to the nearest of its edges.
double triangle_distance(const Vec3& p, const Vec3& a, const Vec3& b, const Vec3& c) {
  const Vec3 n = (b - a).cross(c - a).normalized();
  const Vec3 q = p - n.dot(p - a) * n;
  const auto side = [&](const Vec3& u, const Vec3& v) { return (v - u).cross(q - u).dot(n); };
  if (side(a, b) >= 0 && side(b, c) >= 0 && side(c, a) >= 0) return (p - q).norm();
  const auto segment = [&](const Vec3& u, const Vec3& v) {
    const double s = std::clamp((p - u).dot(v - u) / (v - u).squaredNorm(), 0.0, 1.0);
    return (p - (u + s * (v - u))).norm();
  };
  return std::min({segment(a, b), segment(b, c), segment(c, a)});
}
}  // namespace

// The bucketed nearest-point search against every triangle tried: points on the surface (where a
// moving wall's links ask for its velocity), inside, outside and far from it; its weights place
// the point at that distance.
TEST(SurfaceShape, NearestPointIsTheNearestOfAllTriangles) {
  const TriangleMesh m = sphere_mesh(Vec3(0.3, -0.2, 0.1), 3.0, 16, 32);
  const SurfaceShape shape(m);
  std::vector<Vec3> points;
  for (int k = 0; k < 400; ++k) {
    const double u = std::fmod(0.618034 * k, 1.0), v = std::fmod(0.414214 * k + 0.1, 1.0);
    const Vec3 dir(std::cos(2 * std::numbers::pi * u) * std::sqrt(1 - (2 * v - 1) * (2 * v - 1)),
                   std::sin(2 * std::numbers::pi * u) * std::sqrt(1 - (2 * v - 1) * (2 * v - 1)),
                   2 * v - 1);
    const double r = (k % 4 == 0) ? 3.0 : (k % 4 == 1 ? 1.0 : (k % 4 == 2 ? 3.7 : 12.0));
    points.push_back(Vec3(0.3, -0.2, 0.1) + r * dir);
  }
  // Points on the surface itself: the triangles' centroids.
  for (std::size_t t = 0; t < m.triangles.size(); t += 7) {
    const auto& tri = m.triangles[t];
    points.push_back((m.points[tri[0]] + m.points[tri[1]] + m.points[tri[2]]) / 3);
  }
  for (const Vec3& p : points) {
    double best = std::numeric_limits<double>::infinity();
    for (const auto& t : m.triangles)
      best = std::min(best, triangle_distance(p, m.points[t[0]], m.points[t[1]], m.points[t[2]]));
    const SurfaceShape::Nearest n = shape.nearest(p);
    ASSERT_GE(n.triangle, 0);
    EXPECT_NEAR(n.distance, best, 1e-12) << "at " << p.transpose();
    const auto& t = m.triangles[std::size_t(n.triangle)];
    const Vec3 at = n.weights[0] * m.points[t[0]] + n.weights[1] * m.points[t[1]] +
                    n.weights[2] * m.points[t[2]];
    EXPECT_NEAR((at - p).norm(), n.distance, 1e-12);
  }
}

// Where a link meets the wall (intersect_at, which a moving surface's links read their velocity
// from): the same distance as intersect, and its triangle and weights put the crossing at
// p + t d. Links from points inside a sphere in the 18 lattice directions, 0.8 long.
TEST(SurfaceShape, ACrossingNamesItsTriangleAndWeights) {
  const Vec3 centre(0.3, -0.2, 0.1);
  const TriangleMesh m = sphere_mesh(centre, 3.0, 16, 32);
  const SurfaceShape shape(m);
  int crossed = 0, inside = 0;
  for (int k = 0; k < 300; ++k) {
    const double u = std::fmod(0.618034 * k, 1.0), v = std::fmod(0.414214 * k + 0.1, 1.0);
    const Vec3 p = centre + Vec3(5.6 * u - 2.8, 5.6 * v - 2.8, 2.0 * std::fmod(0.3 * k, 1.0) - 1.0);
    if (!shape.contains(p)) continue;
    for (int q = 1; q < D3Q19::Q; ++q) {
      const Vec3 d = 0.8 * Vec3(D3Q19::c[q][0], D3Q19::c[q][1], D3Q19::c[q][2]);
      WallPoint at;
      const double t = shape.intersect_at(p, d, at);
      EXPECT_EQ(t, shape.intersect(p, d));
      if (t > 1) {  // stays inside
        ++inside;
        continue;
      }
      ++crossed;
      ASSERT_GE(at.element, 0);
      const auto& tri = m.triangles[std::size_t(at.element)];
      const Vec3 on = at.weights[0] * m.points[tri[0]] + at.weights[1] * m.points[tri[1]] +
                      at.weights[2] * m.points[tri[2]];
      EXPECT_NEAR((on - (p + t * d)).norm(), 0.0, 1e-12) << "from " << p.transpose();
      EXPECT_NEAR(at.weights[0] + at.weights[1] + at.weights[2], 1.0, 1e-12);
      for (double w : at.weights) EXPECT_GE(w, -1e-9);
    }
  }
  EXPECT_GT(crossed, 200);
  EXPECT_GT(inside, 200);
}
