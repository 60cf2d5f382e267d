// Exact wall distances q of the analytic shapes, and the sparse lattice's storage.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "hemotwin/core/engine.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/core/sparse_lattice.hpp"

using namespace hemotwin;

TEST(Shapes, PipeLinksPutTheWallOnTheCylinderExactly) {
  const Vec3 axis = Vec3(1, 2, 3).normalized();
  auto pipe = std::make_shared<PipeShape>(Vec3(10, 10, 10), axis, 6.3, 30);
  pipe->unbounded_length(true);
  auto bounded = std::make_shared<PipeShape>(Vec3(10, 10, 10), axis, 6.3, 30);
  DomainSpec spec = DomainSpec::around(bounded, 1.0, 3);
  spec.shape = pipe;
  spec.iolets = {
      {"inlet0", IoletKind::VelocityInlet, Vec3(10, 10, 10), -axis, true, 6.3},
      {"outlet0", IoletKind::PressureOutlet, Vec3(10, 10, 10) + 30 * axis, axis, false, 6.3}};
  SparseLattice lat(spec);
  const LinkList links = build_links<D3Q19>(lat, spec);
  int walls = 0, iolets = 0;
  for (std::size_t k = 0; k < links.size(); ++k) {
    const int q = links.dir[k];
    const Vec3 p = lat.position(links.fluid[k]) +
                   links.q[k] * Vec3(D3Q19::c[q][0], D3Q19::c[q][1], D3Q19::c[q][2]);
    const Vec3 r = p - Vec3(10, 10, 10);
    const double s = r.dot(axis);
    if (links.kind[k] == std::uint8_t(LinkKind::Wall)) {
      EXPECT_NEAR((r - s * axis).norm(), 6.3, 1e-9);
      ++walls;
    } else {
      EXPECT_NEAR(links.kind[k] == std::uint8_t(LinkKind::Velocity) ? s : s - 30, 0.0, 1e-9);
      ++iolets;
    }
    EXPECT_GT(links.q[k], 0.0);
    EXPECT_LE(links.q[k], 1.0);
  }
  EXPECT_GT(walls, 1000);
  EXPECT_GT(iolets, 100);
}

TEST(Shapes, StenosisThroatRadiusAndExactCrossing) {
  PipeShape p(Vec3::Zero(), Vec3(1, 0, 0), 2.0, 20);
  p.with_stenosis(0.6, 10, 8);
  EXPECT_NEAR(p.radius_at(10), 0.8, 1e-15);
  EXPECT_NEAR(p.radius_at(6), 2.0, 1e-15);
  EXPECT_NEAR(p.radius_at(8), 2.0 * (1 - 0.3), 1e-12);
  std::mt19937 gen(1);
  std::uniform_real_distribution<double> u(-1, 1);
  int checked = 0;
  for (int i = 0; i < 2000; ++i) {
    const Vec3 x(10 + 5 * u(gen), 1.9 * u(gen), 1.9 * u(gen));
    if (!p.contains(x)) continue;
    const Vec3 d = 3 * Vec3(u(gen), u(gen), u(gen));
    const double t = p.intersect(x, d);
    if (t > 1) continue;
    const Vec3 w = x + t * d;
    EXPECT_NEAR(std::hypot(w.y(), w.z()), p.radius_at(w.x()), 1e-9);
    ++checked;
  }
  EXPECT_GT(checked, 100);
}

TEST(SparseLattice, MemoryFollowsTheFluidNotTheBoundingBox) {
  // A thin pipe along the diagonal of a large box: stored cells are a small multiple of the fluid.
  const Vec3 axis = Vec3(1, 1, 1).normalized();
  auto pipe = std::make_shared<PipeShape>(Vec3(4, 4, 4), axis, 5, 200);
  const DomainSpec spec = DomainSpec::around(pipe, 1.0);
  SparseLattice lat(spec);
  const double box = double(lat.cells()[0]) * lat.cells()[1] * lat.cells()[2];
  const double stored = double(lat.brick_count()) * brick_cells;
  std::printf("fluid %lld, stored %.0f, bounding box %.0f\n", (long long)lat.fluid_cells(), stored,
              box);
  EXPECT_LT(stored, 0.1 * box);
  EXPECT_LT(stored, 12.0 * double(lat.fluid_cells()));
}

TEST(Shapes, CylinderObstacleWallsOnBothTheDuctAndTheCylinder) {
  auto duct = std::make_shared<BoxShape>(Vec3(0, 0, 0), Vec3(10, 4, 4));
  const CylinderObstacle s(duct, Vec3(5, 2, 0), Vec3(0, 0, 1), 1.0);
  EXPECT_TRUE(s.contains(Vec3(2, 2, 2)));
  EXPECT_FALSE(s.contains(Vec3(5.5, 2.5, 2)));  // in the cylinder
  EXPECT_FALSE(s.contains(Vec3(2, 5, 2)));      // outside the duct
  // Towards the cylinder along x: it is entered at x = 4, exactly.
  const double t = s.intersect(Vec3(3.5, 2, 1), Vec3(1, 0, 0));
  EXPECT_NEAR(t, 0.5, 1e-14);
  EXPECT_TRUE(s.on_obstacle(Vec3(3.5, 2, 1) + t * Vec3(1, 0, 0), 1e-12));
  // Obliquely, grazing past: no crossing of the cylinder; the duct's wall where it comes first.
  EXPECT_GT(s.intersect(Vec3(3.5, 3.2, 1), Vec3(1, 0.1, 0)), 1.0);
  EXPECT_NEAR(s.intersect(Vec3(3.5, 3.5, 1), Vec3(0, 1, 0)), 0.5, 1e-14);
  // Along the axis (parallel to it) only the duct's floor or ceiling.
  EXPECT_NEAR(s.intersect(Vec3(3.5, 2, 3.5), Vec3(0, 0, 1)), 0.5, 1e-14);
  // A diagonal link across the surface: the crossing lies on it.
  const Vec3 p(3.9, 2.9, 1), d(0.6, -0.6, 0.6);
  const double u = s.intersect(p, d);
  ASSERT_GT(u, 0);
  ASSERT_LE(u, 1);
  EXPECT_NEAR((p + u * d - Vec3(5, 2, p.z() + u * d.z())).norm(), 1.0, 1e-12);
  EXPECT_THROW(CylinderObstacle(duct, Vec3(5, 2, 0), Vec3(0, 0, 1), 0.0), Error);
}
