#pragma once
// The sparse, bricked lattice (DESIGN.md): only bricks of B^3 cells that hold fluid, or a solid
// cell a fluid cell links to, are stored. A 27-entry neighbour table per brick serves streaming
// across brick faces; absent neighbours point at one extra "void" brick (index nbricks), so kernels
// never branch on absence. Boundary conditions are link lists built once from the geometry.
#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "hemotwin/core/config.hpp"
#include "hemotwin/core/fields.hpp"
#include "hemotwin/core/moving_shapes.hpp"
#include "hemotwin/core/shapes.hpp"

namespace hemotwin {

/// Whether `p`'s projection onto the plane through `point` with normal `normal` lies within
/// `reach` of `point` (any point when reach is 0).
inline bool within_reach(const Vec3& point, const Vec3& normal, double reach, const Vec3& p) {
  if (!(reach > 0)) return true;
  const Vec3 n = normal.normalized();
  const Vec3 r = p - point;
  return (r - r.dot(n) * n).squaredNorm() <= reach * reach;
}

/// A plane that closes the fluid: an inlet (velocity given) or an outlet (pressure given).
struct IoletPlane {
  std::string name;
  IoletKind kind = IoletKind::VelocityInlet;
  Vec3 point{0, 0, 0};   // on the plane
  Vec3 normal{1, 0, 0};  // outward (pointing out of the fluid)
  // Velocity profile across the inlet: parabolic around `point` with this radius, or plug.
  bool parabolic = true;
  double radius = 0;
  /// How far across the plane the opening reaches: the iolet cuts the fluid, takes boundary
  /// links and samples its slab only within this distance of the line through `point` along
  /// `normal`. 0: the whole plane (a straight pipe). Set it, e.g. to 1.5 radii, wherever another
  /// branch of the vessel passes beyond the plane (bifurcations).
  double reach = 0;
  /// How a velocity profile spreads over the opening: circular, by r / radius; otherwise (a
  /// segmented vessel's cross-section) by the in-plane distance to the wall, 1 - d / d_max, so
  /// the profile vanishes on the whole rim and peaks where the section is widest.
  bool circular = true;
  /// A velocity profile given at every point of the plane (any scale; >= 0, in the spec's
  /// coordinates), instead of the parabola or the plug: e.g. a duct's analytic profile. It is
  /// scaled, as the others, to deliver the iolet's mean velocity times its area (pi radius^2).
  std::function<double(const Vec3&)> profile = {};
  /// Outlets that set the pressure: a sponge layer this deep inside the plane (spec units; 0:
  /// none) within the opening's reach, where the viscosity rises towards the plane along
  /// (1 - depth / sponge_length)^2 to sponge_viscosity_ratio times the fluid's (Engine).
  double sponge_length = 0;
  double sponge_viscosity_ratio = 10;

  /// Whether `p`'s projection onto the plane lies within the opening's reach.
  bool covers(const Vec3& p) const { return within_reach(point, normal, reach, p); }
};

/// A part of the wall that moves within its own surface: the geometry stays and its links with it,
/// only the no-slip velocity changes (a sliding plate, an oscillating wall, a rotating cylinder).
/// Its wall links carry the moving-wall term of Bouzidi et al. (2001) and Lallemand & Luo (2003),
/// -2 w_i rho0 (c_i . u_w) / c_s^2, times 1/(2q) where they interpolate with q >= 1/2; the
/// amplitude is set every step (Engine::set_wall_speeds). A wall moving along its normal changes
/// the links, and is not this.
struct WallMotion {
  std::string name;
  /// The wall points that move with it (the crossing points of wall links, spec coordinates);
  /// the first motion that covers a point takes its link.
  std::function<bool(const Vec3&)> covers;
  /// The wall's velocity at a point for a unit amplitude, tangent to the wall: a constant
  /// direction for a sliding plate, (axis x (p - centre)) for a rotating cylinder.
  std::function<Vec3(const Vec3&)> velocity;
};

/// A cross-section where the flow through it and its mean pressure are measured (nothing is
/// imposed there): e.g. proximal and distal to a stenosis, for the pressure drop and virtual FFR.
struct SectionPlane {
  std::string name;
  Vec3 point{0, 0, 0};   // on the plane
  Vec3 normal{1, 0, 0};  // flow along it counts positive
  /// The section takes the fluid within this distance of the line through `point` along
  /// `normal` (0: the whole plane); set it wherever another vessel crosses the plane.
  double reach = 0;

  bool covers(const Vec3& p) const { return within_reach(point, normal, reach, p); }
};

/// A narrow cross-section the flow passes (file geometries; hemotwin::imaging::
/// find_constrictions, from the centerlines): where the expected peak velocity is taken. The
/// flow through it is that of `outlets`.
struct Constriction {
  Vec3 point{0, 0, 0};               // on the centerline
  double radius = 0;                 // equivalent radius sqrt(area / pi) of the cross-section
  std::vector<std::string> outlets;  // the iolets (by name) whose outflow passes it
  std::string path;                  // the centerline it lies on, e.g. "opening1 -> opening3"
};

/// Everything needed to lay a geometry onto a lattice. Coordinates in any unit: cell (i, j, k) has
/// its centre at origin + dx * (i, j, k).
struct DomainSpec {
  std::shared_ptr<const Shape> shape;
  std::vector<IoletPlane> iolets;
  /// Walls that slide within their surface (WallMotion); the others are at rest.
  std::vector<WallMotion> wall_motions;
  /// A wall that moves along its normal (its shape replaces `shape`; Engine relinks it every
  /// step). Null shape: none.
  MovingWallSpec moving_wall;
  double dx = 1;
  Vec3 origin{0, 0, 0};
  std::array<int, 3> cells{0, 0, 0};  // extent; rounded up to whole bricks
  std::array<bool, 3> periodic{false, false, false};
  /// Measurement sections (flow and mean pressure sampled with the iolets').
  std::vector<SectionPlane> sections;
  /// Narrow cross-sections along the flow (file geometries): the expected peak velocity.
  std::vector<Constriction> constrictions;

  /// A domain that covers the shape's bounds plus `margin` cells on every side.
  static DomainSpec around(std::shared_ptr<const Shape> shape, double dx, int margin = 2);
};

class SparseLattice {
 public:
  /// Lays `spec` onto bricks. Throws hemotwin::Error when it holds no fluid.
  explicit SparseLattice(const DomainSpec& spec);
  /// The bricks `keep` of `whole`, in that order (one rank's share, Subdomain): neighbours that
  /// are not kept point at the void brick; fluid_cells() counts the fluid of the first `counted`.
  SparseLattice(const SparseLattice& whole, std::span<const std::int32_t> keep,
                std::int32_t counted);

  std::int32_t brick_count() const { return static_cast<std::int32_t>(brick_origin_.size()); }
  std::int32_t void_brick() const { return brick_count(); }
  std::int64_t fluid_cells() const { return fluid_cells_; }
  const std::array<int, 3>& cells() const { return cells_; }
  const std::array<bool, 3>& periodic() const { return periodic_; }
  double dx() const { return dx_; }
  const Vec3& origin() const { return origin_; }

  /// (nbricks + 1) x 27 neighbour bricks; slot neighbour_slot(dx, dy, dz).
  const std::vector<std::int32_t>& neighbours() const { return neighbours_; }
  /// (nbricks + 1) x B^3 cell types (the void brick is solid).
  const std::vector<std::uint8_t>& cell_type() const { return cell_type_; }
  /// nbricks x B^2 rows along x: non-zero where the row holds a fluid cell.
  const std::vector<std::uint8_t>& row_has_fluid() const { return row_has_fluid_; }
  const std::vector<std::array<std::int32_t, 3>>& brick_origins() const { return brick_origin_; }

  /// Global cell index (brick * B^3 + local) of lattice cell (i, j, k), wrapping periodic axes; -1
  /// when the cell is outside the domain or in no stored brick.
  std::int64_t cell_at(std::array<int, 3> ijk) const;
  std::array<int, 3> cell_coords(std::int64_t cell) const;
  Vec3 position(std::int64_t cell) const;
  bool is_fluid(std::int64_t cell) const { return cell >= 0 && cell_type_[cell] == 1; }
  /// Makes a stored cell fluid or solid (a moving wall): its row's flag and the fluid count
  /// follow. Its neighbours must be stored (the caller checks).
  void set_fluid(std::int64_t cell, bool fluid);
  /// The lattice index i + nx (j + ny k) of a stored cell (the same in every rank's share), and
  /// the position of a lattice index.
  std::int64_t lattice_index(std::int64_t cell) const;
  Vec3 index_position(std::int64_t index) const;

  GridInfo grid_info() const;

 private:
  // The constructor's passes: the fluid flags of the B layers of brick layer bz (nx * ny * B,
  // x fastest); marking the bricks a fluid cell needs (its own, and its neighbours' when it lies
  // on its brick's surface), or throwing when it touches a non-periodic edge of the domain.
  void fill_slab(const DomainSpec& spec, int bz, std::vector<std::uint8_t>& slab) const;
  void mark_needed(std::array<std::int64_t, 3> cell, std::vector<std::uint8_t>& needed) const;
  /// Index of brick (bx, by, bz) in the dense brick grid (x fastest), as brick_of_ is kept.
  std::int64_t dense_brick(std::int64_t bx, std::int64_t by, std::int64_t bz) const {
    return bx + bricks_[0] * (by + std::int64_t(bricks_[1]) * bz);
  }

  std::array<int, 3> cells_{};
  std::array<int, 3> bricks_{};
  std::array<bool, 3> periodic_{};
  double dx_ = 1;
  Vec3 origin_{0, 0, 0};
  std::vector<std::int32_t> brick_of_;  // dense brick grid -> brick id or -1
  std::vector<std::array<std::int32_t, 3>> brick_origin_;
  std::vector<std::int32_t> neighbours_;
  std::vector<std::uint8_t> cell_type_;
  std::vector<std::uint8_t> row_has_fluid_;
  std::int64_t fluid_cells_ = 0;
};

enum class LinkKind : std::uint8_t { Wall = 0, Velocity = 1, Pressure = 2 };

/// Boundary links, structure of arrays. Link k joins fluid cell `fluid[k]` to the non-fluid cell
/// `ghost[k]` = fluid + c_dir; the wall (or iolet plane) lies at fraction q of the way. After each
/// step the boundary kernel writes the population that fluid[k] will pull along -c_dir into the
/// ghost cell's slot opposite(dir).
struct LinkList {
  std::vector<std::int64_t> fluid;
  std::vector<std::int64_t> ghost;
  std::vector<std::int64_t> next;  // fluid - c_dir when fluid, else -1 (Bouzidi q < 1/2)
  std::vector<std::uint8_t> dir;
  std::vector<std::uint8_t> kind;   // LinkKind
  std::vector<std::int16_t> iolet;  // -1 for walls
  std::vector<double> q;
  std::vector<double> coord;  // velocity links: profile coordinate s in [0, 1] of the crossing
                              // point: r / radius (circular iolets) or 1 - d / d_max (d the
                              // in-plane distance to the wall), or 1 - v / v_max for a given
                              // profile v (IoletPlane::profile); 0 for walls
  std::size_t size() const { return fluid.size(); }
  /// Appends every link of `other`, or its link k; keeps the first n links.
  void append(const LinkList& other);
  void append(const LinkList& other, std::size_t k);
  void resize(std::size_t n);
};

/// Fluid cells sampled for an iolet's flow and pressure: a slab from 1 to 5 cells inside the plane,
/// weighted by a Hann window of the depth whose integral is 1. A smooth window keeps the sums free
/// of the aliasing a hard-edged slab shows on planes that are not grid planes (its cell count jumps
/// by a third as the plane's offset changes), so flow = sum(rho u.n w) and mean density = sum(rho
/// w) / sum(w) hold on any orientation.
struct IoletSlab {
  std::vector<std::int64_t> cells;
  std::vector<double> weight;
  double window = 4;  // lattice units, the slab's depth
  double area = 0;    // lattice units^2: sum of the weights
};

/// Builds the links of every fluid cell whose neighbour along a direction of velocity set L is not
/// fluid: wall links take q from the shape, iolet links from the plane.
/// `coord_max`, when given, receives per iolet the largest raw profile coordinate found (the
/// in-plane distance to the wall, or the given profile's value), by which s = 1 - raw / max.
template <class L>
LinkList build_links(const SparseLattice& lattice, const DomainSpec& spec,
                     std::vector<double>* coord_max = nullptr);

/// The links of the fluid cells among `cells` only (a moving wall's band), in that order, with
/// the raw profile coordinates scaled by `coord_max` (build_links' over the whole lattice).
/// `at`: where each link met the wall (Shape::intersect_at; unknown for iolet links), when given.
template <class L>
LinkList build_links_of(const SparseLattice& lattice, const DomainSpec& spec,
                        std::span<const std::int64_t> cells, std::span<const double> coord_max,
                        std::vector<WallPoint>* at = nullptr);

std::vector<IoletSlab> build_iolet_slabs(const SparseLattice& lattice, const DomainSpec& spec);

/// The cells sampled for each measurement section: a slab 4 cells deep centred on the plane,
/// weighted by a Hann window of the signed depth (integral 1), as the iolets' slabs are. Throws
/// hemotwin::Error naming a section that cuts no fluid.
std::vector<IoletSlab> build_section_slabs(const SparseLattice& lattice, const DomainSpec& spec);

}  // namespace hemotwin
