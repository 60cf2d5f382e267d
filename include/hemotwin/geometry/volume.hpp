#pragma once
// A 3-D image in physical space (hemotwin::geometry holds it: label maps and fields become
// lattices there; hemotwin::imaging reads and writes them): voxel values and the geometry that
// places them (origin, spacing, direction cosines), in LPS millimetres as ITK and DICOM define
// them. Nothing else: no metadata dictionary, so no patient-identifying field can travel with an
// image past the reader.
#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <vector>

namespace hemotwin {

using Vec3 = Eigen::Vector3d;
using Index3 = std::array<int, 3>;

/// Geometry of a voxel grid. Voxel (i, j, k) has its centre at
///   origin + direction * diag(spacing) * (i, j, k)
/// (ITK's convention); i varies fastest in memory.
struct Grid {
  Index3 size{0, 0, 0};
  Vec3 origin = Vec3::Zero();                               // mm, LPS, centre of voxel (0, 0, 0)
  Vec3 spacing = Vec3::Ones();                              // mm
  Eigen::Matrix3d direction = Eigen::Matrix3d::Identity();  // columns: the index axes in LPS

  std::int64_t voxels() const { return std::int64_t(size[0]) * size[1] * size[2]; }
  std::int64_t linear(int i, int j, int k) const {
    return i + std::int64_t(size[0]) * (j + std::int64_t(size[1]) * k);
  }
  bool contains(int i, int j, int k) const {
    return i >= 0 && j >= 0 && k >= 0 && i < size[0] && j < size[1] && k < size[2];
  }
  /// Physical point (mm) of a continuous index.
  Vec3 point(const Vec3& index) const { return origin + direction * spacing.cwiseProduct(index); }
  Vec3 point(int i, int j, int k) const { return point(Vec3(i, j, k)); }
  /// Continuous index of a physical point.
  Vec3 index(const Vec3& p) const {
    return (direction.transpose() * (p - origin)).cwiseQuotient(spacing);  // direction orthonormal
  }
  /// Nearest voxel to a physical point (may lie outside the grid: check contains()).
  Index3 nearest(const Vec3& p) const {
    const Vec3 c = index(p);
    return {int(std::lround(c[0])), int(std::lround(c[1])), int(std::lround(c[2]))};
  }
  /// Volume of one voxel, mm^3.
  double voxel_volume() const { return spacing.prod(); }
  bool same_as(const Grid& o, double tol = 1e-6) const {
    return size == o.size && (origin - o.origin).norm() <= tol &&
           (spacing - o.spacing).norm() <= tol && (direction - o.direction).norm() <= tol;
  }
};

template <class T>
struct Volume {
  Grid grid;
  std::vector<T> data;  // grid.voxels() values, i fastest

  Volume() = default;
  explicit Volume(const Grid& g, T fill = T{}) : grid(g), data(std::size_t(g.voxels()), fill) {}
  T& at(int i, int j, int k) { return data[std::size_t(grid.linear(i, j, k))]; }
  const T& at(int i, int j, int k) const { return data[std::size_t(grid.linear(i, j, k))]; }
};

/// Scalar intensities (CT: Hounsfield units; MR: arbitrary units), float.
using Image = Volume<float>;
/// Labels: 0 background, 1 lumen (and later: more labels for chambers and iolets).
using LabelMap = Volume<std::uint8_t>;

namespace imaging {
using hemotwin::Grid;
using hemotwin::Image;
using hemotwin::Index3;
using hemotwin::LabelMap;
using hemotwin::Vec3;
using hemotwin::Volume;
}  // namespace imaging

}  // namespace hemotwin
