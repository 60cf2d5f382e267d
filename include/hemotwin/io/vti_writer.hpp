#pragma once
// VTK XML image data (.vti) through VTK: one dense image over the bounding box, for tools that read
// VTK but not XDMF. Point arrays velocity (m/s, 3 components), pressure (Pa) and fluid_mask (0/1);
// binary appended data, zlib compressed, 64-bit headers. Dense: memory and file grow with the
// bounding box, so it is written for the final state only (Case::output.vti).
#include <array>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "hemotwin/core/fields.hpp"
#include "hemotwin/core/wall_shear.hpp"

namespace hemotwin::io {

/// Writes `snapshot` on `grid` to `path`. The image's origin is the centre of cell (0, 0, 0) and
/// its spacing dx (m); solid and unstored cells hold 0. The snapshot time is stored as the field
/// array TimeValue (ParaView shows it as the time). Throws hemotwin::Error naming `path`.
void write_vti(const std::filesystem::path& path, const GridInfo& grid,
               const FieldSnapshot& snapshot, bool vortex_fields = true);

/// Writes the wall points as VTK XML polydata (.vtp): one vertex per point (m), with point arrays
/// wss (Pa, 3 components), wss_magnitude, normal, and tawss and osi when given (empty: left out).
/// The time is the field array TimeValue. Throws hemotwin::Error naming `path`.
void write_wall_vtp(const std::filesystem::path& path, const WallShearField& wall,
                    const std::vector<double>& tawss, const std::vector<double>& osi);

/// A wall surface (m): the geometry's own triangles, which the wall points lie along.
struct WallSurface {
  std::vector<Vec3> points;
  std::vector<std::array<std::int64_t, 3>> triangles;
  bool empty() const { return triangles.empty(); }
};

/// Wall points each surface vertex takes its values from (write_wall_surface_vtp).
inline constexpr int kWallSurfaceNeighbours = 4;

/// Writes `surface` as VTK XML polydata with the wall quantities mapped onto its vertices: each
/// vertex takes the inverse-distance (Shepard, power 2) mean of its kWallSurfaceNeighbours
/// nearest wall points (VTK's vtkPointInterpolator), the stress vector then projected onto the
/// surface's tangent plane. Point arrays wss, wss_magnitude, normal (the surface's), tawss and
/// osi when given; TimeValue as in write_wall_vtp. Throws hemotwin::Error naming `path`.
void write_wall_surface_vtp(const std::filesystem::path& path, const WallSurface& surface,
                            const WallShearField& wall, const std::vector<double>& tawss,
                            const std::vector<double>& osi);

/// The wall area each wall point stands for (surface units squared): every triangle of `surface`
/// goes to the wall point nearest its centroid, so the areas partition the surface (a point no
/// triangle is nearest gets 0). A lattice's wall points are denser per area where the wall runs
/// oblique to the grid (a staircase); these areas undo that in area fractions and statistics.
std::vector<double> wall_point_areas(const WallSurface& surface, const std::vector<Vec3>& points);

}  // namespace hemotwin::io
