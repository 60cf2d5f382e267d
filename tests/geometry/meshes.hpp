#pragma once
// Triangle meshes with known geometry for the surface tests: convex polyhedra (whose exit
// distance along a segment is analytic: the nearest of its face planes) and a UV sphere.
#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "hemotwin/core/error.hpp"
#include "hemotwin/geometry/surface.hpp"

namespace hemotwin::test {

/// An empty scratch folder for a surface test's files.
inline std::filesystem::path scratch(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("hemotwin-surface-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

/// The message of the hemotwin::Error that `f` throws, or "(no error)".
inline std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

/// A convex polyhedron as half-spaces n.x <= h (n unit, outward).
struct Halfspaces {
  std::vector<Vec3> n;
  std::vector<double> h;
  bool contains(const Vec3& p) const {
    for (std::size_t i = 0; i < n.size(); ++i)
      if (n[i].dot(p) > h[i]) return false;
    return true;
  }
  /// For p inside: the t in (0, 1] where p + t d leaves, or > 1.
  double exit(const Vec3& p, const Vec3& d) const {
    double t = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < n.size(); ++i) {
      const double nd = n[i].dot(d);
      if (nd > 0) t = std::min(t, (h[i] - n[i].dot(p)) / nd);
    }
    return t;
  }
};

/// A box [-a, a] x [-b, b] x [-c, c] rotated by R and moved to `centre`; outward winding.
inline TriangleMesh box_mesh(const Vec3& half, const Eigen::Matrix3d& R, const Vec3& centre,
                             Halfspaces* planes = nullptr) {
  TriangleMesh m;
  for (int c = 0; c < 8; ++c)
    m.points.push_back(centre + R * Vec3((c & 1) ? half[0] : -half[0], (c & 2) ? half[1] : -half[1],
                                         (c & 4) ? half[2] : -half[2]));
  // Faces as corner quads, counter-clockwise from outside.
  const int quads[6][4] = {{0, 4, 6, 2}, {1, 3, 7, 5}, {0, 1, 5, 4},
                           {2, 6, 7, 3}, {0, 2, 3, 1}, {4, 5, 7, 6}};
  for (const auto& q : quads) {
    m.triangles.push_back({q[0], q[1], q[2]});
    m.triangles.push_back({q[0], q[2], q[3]});
  }
  if (planes) {
    for (int a = 0; a < 3; ++a)
      for (int s : {-1, 1}) {
        const Vec3 n = s * R.col(a);
        planes->n.push_back(n);
        planes->h.push_back(n.dot(centre) + half[a]);
      }
  }
  return m;
}

/// A right prism with a regular `sides`-gon of circumradius r, from `base` along unit `axis` for
/// `length`; capped at both ends (fan around a centre point) unless `open`.
inline TriangleMesh prism_mesh(const Vec3& base, const Vec3& axis, double r, double length,
                               int sides, bool open, Halfspaces* planes = nullptr) {
  const Vec3 a = axis.normalized();
  const Vec3 u = a.unitOrthogonal(), v = a.cross(u);
  TriangleMesh m;
  for (int end = 0; end < 2; ++end)
    for (int i = 0; i < sides; ++i) {
      const double th = 2 * std::numbers::pi * i / sides;
      m.points.push_back(base + end * length * a + r * (std::cos(th) * u + std::sin(th) * v));
    }
  for (int i = 0; i < sides; ++i) {
    const int j = (i + 1) % sides;
    m.triangles.push_back({i, j, sides + j});
    m.triangles.push_back({i, sides + j, sides + i});
  }
  if (!open) {
    const int c0 = int(m.points.size());
    m.points.push_back(base);
    m.points.push_back(base + length * a);
    for (int i = 0; i < sides; ++i) {
      const int j = (i + 1) % sides;
      m.triangles.push_back({c0, j, i});
      m.triangles.push_back({c0 + 1, sides + i, sides + j});
    }
  }
  if (planes) {
    const double apothem = r * std::cos(std::numbers::pi / sides);
    for (int i = 0; i < sides; ++i) {
      const double th = 2 * std::numbers::pi * (i + 0.5) / sides;
      const Vec3 n = std::cos(th) * u + std::sin(th) * v;
      planes->n.push_back(n);
      planes->h.push_back(n.dot(base) + apothem);
    }
    planes->n.push_back(-a);
    planes->h.push_back(-a.dot(base));
    planes->n.push_back(a);
    planes->h.push_back(a.dot(base) + length);
  }
  return m;
}

/// A UV sphere: `rings` latitude bands, `segments` longitudes, vertices on the sphere.
inline TriangleMesh sphere_mesh(const Vec3& c, double r, int rings, int segments) {
  TriangleMesh m;
  m.points.push_back(c + Vec3(0, 0, r));
  for (int i = 1; i < rings; ++i) {
    const double th = std::numbers::pi * i / rings;
    for (int j = 0; j < segments; ++j) {
      const double ph = 2 * std::numbers::pi * j / segments;
      m.points.push_back(
          c + r * Vec3(std::sin(th) * std::cos(ph), std::sin(th) * std::sin(ph), std::cos(th)));
    }
  }
  m.points.push_back(c + Vec3(0, 0, -r));
  const int south = int(m.points.size()) - 1;
  auto at = [&](int ring, int j) { return 1 + (ring - 1) * segments + (j % segments); };
  for (int j = 0; j < segments; ++j) m.triangles.push_back({0, at(1, j), at(1, j + 1)});
  for (int i = 1; i < rings - 1; ++i)
    for (int j = 0; j < segments; ++j) {
      m.triangles.push_back({at(i, j), at(i + 1, j), at(i + 1, j + 1)});
      m.triangles.push_back({at(i, j), at(i + 1, j + 1), at(i, j + 1)});
    }
  for (int j = 0; j < segments; ++j)
    m.triangles.push_back({south, at(rings - 1, j + 1), at(rings - 1, j)});
  return m;
}

}  // namespace hemotwin::test
