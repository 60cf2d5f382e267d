#pragma once
// Triangle surfaces of a lumen (hemotwin::geometry): read from STL (ASCII or binary), VTP, legacy
// VTK, OBJ or PLY through VTK; written as STL or VTP; made from a sampled field by marching
// cubes. Open surfaces — a vessel cut where it leaves the scan or where the modeller stopped —
// have boundary loops; each loop is an opening that becomes an inlet or an outlet, and is closed
// (optionally extended along its normal) before the surface is voxelised.
//
// Coordinates are whatever the file holds; hemotwin's convention is LPS millimetres.
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "hemotwin/core/fields.hpp"
#include "hemotwin/core/shapes.hpp"
#include "hemotwin/core/sparse_lattice.hpp"
#include "hemotwin/geometry/volume.hpp"

namespace hemotwin {

/// An indexed triangle mesh.
struct TriangleMesh {
  std::vector<Vec3> points;
  std::vector<std::array<std::int32_t, 3>> triangles;

  Eigen::AlignedBox3d bounds() const;
  double area() const;
  /// Signed enclosed volume (divergence theorem): positive when the triangles wind
  /// counter-clockwise seen from outside. Meaningful for a closed surface.
  double signed_volume() const;
  /// Edges used by exactly one triangle (an open surface's boundary).
  std::int64_t boundary_edges() const;
  /// Reverses every triangle's winding.
  void flip();
};

/// Reads a surface: .stl (ASCII or binary), .vtp, .vtk (legacy polydata), .obj, .ply. Polygons
/// are triangulated, coincident points merged, degenerate triangles dropped; lines and vertices
/// are ignored. Throws hemotwin::Error naming the file when it cannot be read or holds no
/// triangle.
TriangleMesh read_surface(const std::filesystem::path& path);

/// Writes .stl (binary) or .vtp, through a temporary file renamed when complete.
void write_surface(const TriangleMesh& mesh, const std::filesystem::path& path);

/// An open boundary loop of a surface: where a vessel was cut.
struct Opening {
  std::string name;  // "opening1", "opening2", ... by decreasing area
  IoletKind kind = IoletKind::PressureOutlet;
  Vec3 centre = Vec3::Zero();   // area-weighted centroid of the loop's cap
  Vec3 normal = Vec3::UnitX();  // unit, pointing out of the lumen
  double area = 0;              // of the loop projected on its plane (= |vector area|)
  double radius = 0;            // effective: sqrt(area / pi)
  double max_radius = 0;        // largest in-plane distance of a loop point from the centre
  double perimeter = 0;
  double planarity = 0;            // largest distance of a loop point from the plane
  double extension = 0;            // flow extension, in diameters (2 * radius), along normal
  std::vector<std::int32_t> loop;  // point indices in order around the loop
};

/// Finds the boundary loops of `mesh`, named "opening1", "opening2", ... by decreasing area. The
/// largest is a velocity inlet and the others pressure outlets: the default a case file may
/// override. Each loop is ordered as the triangles next to it traverse it. Throws when the
/// boundary is not a set of simple loops (a vertex shared by two loops) or a loop is degenerate.
std::vector<Opening> find_openings(const TriangleMesh& mesh);

/// Cuts `mesh` open with the plane through `point` with unit `normal`: the part beyond the plane
/// (along the normal) is removed, but only within the vessel cross-section that contains `point`
/// (a branch passing beyond the plane elsewhere is kept), and of what remains the largest piece
/// is kept. The cut leaves a planar opening there: an inlet or outlet where the user wants one
/// (VTK: cutter, clip, connectivity). Throws, saying where, when the plane around `point` cuts
/// no closed cross-section (the point must lie inside the lumen, the plane across the vessel).
TriangleMesh cut_surface(const TriangleMesh& mesh, const Vec3& point, const Vec3& normal);

/// A closed surface ready to voxelise, and the planes that cut its openings.
struct ClosedSurface {
  TriangleMesh mesh;
  std::vector<IoletPlane> iolets;
};

/// Closes every opening of `mesh`: the loop is extruded along the opening's normal to a plane
/// (beyond the loop's farthest point, or `extension` diameters beyond its centre if that is
/// farther) and capped there. The iolet plane sits at that plane less a tenth of the radius,
/// so lattice links meet it before the cap; its cross-section is the loop's projected area.
/// The opening's reach covers the extruded loop and no more, so a branch passing beyond the
/// plane is left alone.
ClosedSurface close_openings(const TriangleMesh& mesh, const std::vector<Opening>& openings);

/// A domain for `surface` at spacing `dx`: its bounds plus `margin` cells, its iolets.
DomainSpec surface_domain(const ClosedSurface& surface, double dx, int margin = 2);

struct IsosurfaceOptions {
  /// Windowed-sinc smoothing iterations (VTK; volume-preserving); 0: none.
  int smoothing = 0;
  /// Its passband (VTK's, in (0, 2)): lower smooths more.
  double passband = 0.1;
  /// Close the surface where the field is above the level at the grid's edge (as if the grid had
  /// one more layer of outside values); otherwise it is open there.
  bool closed = false;
  /// Keep the largest connected piece only (VTK connectivity): islands of the level elsewhere in
  /// the field (noise, other structures) are dropped.
  bool largest_piece = false;
};

/// The surface where the trilinear interpolant of `field` equals `level` (marching cubes, VTK's
/// flying edges), in physical coordinates, wound counter-clockwise seen from where the field is
/// below `level`. Where the field is above `level` at the grid's edge the surface is open (unless
/// options.closed): a vessel leaving the scan leaves an opening there.
TriangleMesh isosurface(const Image& field, double level, const IsosurfaceOptions& options = {});

}  // namespace hemotwin
