#pragma once
// A lumen bounded by a closed triangle surface. Inside is decided by the parity of a ray's
// crossings along +x, with ties (a ray through a vertex or along an edge) broken by one fixed
// symbolic perturbation, so every ray crosses a watertight surface a consistent number of times
// and a whole lattice row is classified by one ray. Wall distances along lattice links are exact
// ray-triangle intersections (with a tolerance that catches links through vertices and edges),
// so Bouzidi walls get q to round-off.
#include <array>
#include <memory>
#include <vector>

#include "hemotwin/core/shapes.hpp"
#include "hemotwin/geometry/surface.hpp"

namespace hemotwin {

class SurfaceShape final : public Shape {
 public:
  /// Throws hemotwin::Error when `mesh` is empty or not closed (some edge is used by one
  /// triangle only): close its openings first (close_openings).
  explicit SurfaceShape(TriangleMesh mesh);

  bool contains(const Vec3& p) const override;
  double intersect(const Vec3& p, const Vec3& d) const override;
  /// intersect(), with the triangle crossed and the crossing's barycentric weights on its
  /// vertices (the nearest crossing's).
  double intersect_at(const Vec3& p, const Vec3& d, WallPoint& at) const override;
  Eigen::AlignedBox3d bounds() const override { return box_; }
  void contains_row(const Vec3& start, double step, int n, std::uint8_t* out) const override;

  const TriangleMesh& mesh() const { return mesh_; }

  /// The point of the surface nearest p: its triangle, its barycentric weights on the
  /// triangle's three vertices (summing to 1) and its distance from p.
  struct Nearest {
    std::int32_t triangle = -1;
    std::array<double, 3> weights{};
    double distance = 0;
  };
  Nearest nearest(const Vec3& p) const;

 private:
  /// The x of every crossing of the line {(x, y, z)} with the surface, unsorted.
  void crossings(double y, double z, std::vector<double>& xs) const;

  TriangleMesh mesh_;
  Eigen::AlignedBox3d box_;
  // Triangles by their (y, z) shadow: a 2-D bucket grid for rays along x.
  double h2_ = 1;
  int n2_[2] = {1, 1};
  std::vector<std::int64_t> start2_;
  std::vector<std::int32_t> tris2_;
  // Each triangle as the link search reads it: a vertex, its two edges from it, and its box
  // widened by a hair (a link through an edge or vertex still reaches it).
  struct Edges {
    Vec3 a, e1, e2, lo, hi;
  };
  std::vector<Edges> edges_;
  // Triangles by their bounding box: a 3-D bucket grid for lattice links.
  double h3_ = 1;
  int n3_[3] = {1, 1, 1};
  std::vector<std::int64_t> start3_;
  std::vector<std::int32_t> tris3_;
};

}  // namespace hemotwin
