#include "hemotwin/geometry/chamber_phantom.hpp"

#include <cmath>
#include <numbers>

#include "hemotwin/core/error.hpp"

namespace hemotwin {

TriangleMesh prolate_cavity_mesh(double a, double b, double beta, int rings, int segments) {
  if (rings < 2 || segments < 3)
    throw Error("prolate_cavity_mesh: needs at least 2 rings and 3 segments");
  if (!(a > 0) || !(b > 0) || !(beta >= 0 && beta <= 0.9))
    throw Error("prolate_cavity_mesh: the semi-axes must be positive and beta within [0, 0.9]");
  constexpr double kPi = std::numbers::pi;
  TriangleMesh m;
  const double theta0 = std::acos(beta);  // where the ellipsoid meets the base plane
  const auto ring = [&](double z, double r) {
    for (int s = 0; s < segments; ++s) {
      const double phi = 2 * kPi * s / segments;
      m.points.emplace_back(r * std::cos(phi), r * std::sin(phi), z);
    }
  };
  // Rings of the wall, from the base (k = 0) towards the apex.
  for (int k = 0; k < rings; ++k) {
    const double theta = theta0 + (kPi - theta0) * k / rings;
    ring(-beta * a + a * std::cos(theta), b * std::sin(theta));
  }
  const auto apex = std::int32_t(m.points.size());
  m.points.emplace_back(0, 0, -beta * a - a);
  // Rings of the base disc, inward from its rim (ring 0), then its centre.
  const int discs = std::max(1, rings / 2);
  const auto disc0 = std::int32_t(m.points.size());
  const double rim = b * std::sin(theta0);
  for (int k = 1; k < discs; ++k) ring(0, rim * (1 - double(k) / discs));
  const auto centre = std::int32_t(m.points.size());
  m.points.emplace_back(0, 0, 0);
  const auto at = [&](std::int32_t first, int s) { return first + (s % segments); };
  for (int k = 0; k + 1 < rings; ++k) {  // outward: the upper ring above
    const std::int32_t upper = k * segments, lower = (k + 1) * segments;
    for (int s = 0; s < segments; ++s) {
      m.triangles.push_back({at(upper, s), at(upper, s + 1), at(lower, s)});
      m.triangles.push_back({at(upper, s + 1), at(lower, s + 1), at(lower, s)});
    }
  }
  for (int s = 0; s < segments; ++s)
    m.triangles.push_back({at((rings - 1) * segments, s), at((rings - 1) * segments, s + 1), apex});
  // The base, seen from above (outside): rim to centre.
  std::int32_t outer = 0;
  for (int k = 1; k < discs; ++k) {
    const std::int32_t inner = disc0 + (k - 1) * segments;
    for (int s = 0; s < segments; ++s) {
      m.triangles.push_back({at(outer, s + 1), at(outer, s), at(inner, s)});
      m.triangles.push_back({at(outer, s + 1), at(inner, s), at(inner, s + 1)});
    }
    outer = inner;
  }
  for (int s = 0; s < segments; ++s)
    m.triangles.push_back({at(outer, s + 1), at(outer, s), centre});
  m.flip();  // the bands above wind inward
  return m;
}

std::shared_ptr<SurfaceSeries> prolate_series(const ProlateChamber& lv, const TriangleMesh& ed,
                                              int phases) {
  const double period = lv.period();
  std::vector<std::vector<Vec3>> at;
  std::vector<double> times;
  for (int k = 0; k < phases; ++k) {
    times.push_back(period * k / phases);
    const auto [axial, radial] = lv.scales(times.back());
    std::vector<Vec3> p;
    p.reserve(ed.points.size());
    for (const Vec3& x : ed.points) p.emplace_back(radial * x.x(), radial * x.y(), axial * x.z());
    at.push_back(std::move(p));
  }
  return std::make_shared<SurfaceSeries>(ed.triangles, std::move(at), std::move(times), period);
}

}  // namespace hemotwin
