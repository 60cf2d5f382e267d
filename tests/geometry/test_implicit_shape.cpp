// Shapes from sampled fields: a sphere given by its signed distance on a voxel grid, laid onto a
// lattice at 20 cells per diameter. Volume within 1 % of 4/3 pi R^3; every wall distance q is the
// interpolant's own crossing to round-off, and the wall points lie within 1 % of a cell of the
// exact sphere.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "hemotwin/core/error.hpp"
#include "hemotwin/core/lattice.hpp"
#include "hemotwin/core/sparse_lattice.hpp"
#include "hemotwin/geometry/implicit_shape.hpp"

using namespace hemotwin;

namespace {
const Vec3 kCentre(10.31, 9.17, 10.43);
constexpr double kR = 10;

std::shared_ptr<Image> sphere_field(double h) {
  Grid g;
  const int n = int(std::ceil(24 / h)) + 1;
  g.size = {n, n, n};
  g.origin = Vec3(-1.7, -2.1, -1.3);
  g.spacing = Vec3::Constant(h);
  auto im = std::make_shared<Image>(g);
  for (int k = 0; k < n; ++k)
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i) im->at(i, j, k) = float(kR - (g.point(i, j, k) - kCentre).norm());
  return im;
}

// Exact crossing of the segment p + t d with the sphere, t in (0, 1].
double sphere_crossing(const Vec3& p, const Vec3& d) {
  const Vec3 r = p - kCentre;
  const double a = d.squaredNorm(), b = 2 * r.dot(d), c = r.squaredNorm() - kR * kR;
  return (-b + std::sqrt(b * b - 4 * a * c)) / (2 * a);
}
}  // namespace

TEST(ImplicitShape, SphereVolumeAndWallDistances) {
  auto shape = std::make_shared<ImplicitShape>(sphere_field(0.5), 0.0);
  EXPECT_TRUE(shape->contains(kCentre));
  EXPECT_FALSE(shape->contains(kCentre + Vec3(0, 0, 10.5)));
  EXPECT_FALSE(shape->contains(Vec3(100, 0, 0)));  // outside the grid

  const DomainSpec spec = DomainSpec::around(shape, 1.0, 2);  // 20 cells across
  const SparseLattice lat(spec);
  const double volume = double(lat.fluid_cells()) * std::pow(spec.dx, 3);
  const double exact = 4.0 / 3.0 * std::numbers::pi * kR * kR * kR;
  std::printf("voxelised volume %.1f, exact %.1f (%.3f %%)\n", volume, exact,
              100 * (volume / exact - 1));
  EXPECT_NEAR(volume / exact, 1.0, 0.01);

  const LinkList links = build_links<D3Q19>(lat, spec);
  ASSERT_GT(links.size(), 1000u);
  double worst_self = 0, worst_exact = 0;
  for (std::size_t k = 0; k < links.size(); ++k) {
    const Vec3 p = lat.position(links.fluid[k]);
    const int q = links.dir[k];
    const Vec3 d = spec.dx * Vec3(D3Q19::c[q][0], D3Q19::c[q][1], D3Q19::c[q][2]);
    // q is where the interpolant crosses the level: the value there is the level, to round-off.
    worst_self = std::max(worst_self, std::abs(shape->value(p + links.q[k] * d)));
    // The wall point against the exact sphere (a distance, not a difference in q, which grazing
    // links would magnify).
    worst_exact = std::max(worst_exact, std::abs((p + links.q[k] * d - kCentre).norm() - kR));
    EXPECT_GT(sphere_crossing(p, d), 0.0);
  }
  std::printf("links %zu: |field at q| <= %.2e, wall points within %.4f cells of the sphere\n",
              links.size(), worst_self, worst_exact / spec.dx);
  EXPECT_LT(worst_self, 1e-9);
  EXPECT_LT(worst_exact, 0.01 * spec.dx);
}

TEST(ImplicitShape, RefusesAnEmptyField) {
  auto field = sphere_field(1.0);
  EXPECT_THROW(ImplicitShape(field, 100.0), Error);
  EXPECT_THROW(ImplicitShape(nullptr, 0.0), Error);
}
