// Scan and surface to lattice, timed phase by phase, with the process's peak memory. One
// scenario per run (peak memory is per process):
//
//   bench_geometry surface [TRIANGLES] [FLUID_CELLS]   a closed-off helical vessel of ~1 M
//       triangles with two openings -> openings, closing, lattice and D3Q19 links (~20 M cells)
//   bench_geometry scan [NX NY NZ] [DX_MM]            a 512 x 300 x 512 CT phantom of a carotid
//       bifurcation running out of the field of view -> segmentation of the whole volume,
//       wall surface, its 3 openings, lattice at 0.25 mm
//
// Results go into docs/performance.md with the machine and the command.
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numbers>
#include <string>

#include "hemotwin/core/lattice.hpp"
#include "hemotwin/geometry/surface_shape.hpp"
#include "hemotwin/imaging/case_geometry.hpp"
#include "hemotwin/imaging/phantom.hpp"
#include "hemotwin/imaging/segment.hpp"

using namespace hemotwin;
using Clock = std::chrono::steady_clock;

namespace {

double peak_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) / 1024.0;  // kB on Linux
}

struct Timer {
  Clock::time_point t0 = Clock::now();
  double total = 0;
  double lap(const char* what) {
    const auto t1 = Clock::now();
    const double s = std::chrono::duration<double>(t1 - t0).count();
    total += s;
    std::printf("  %-44s %8.2f s   (peak memory so far %7.0f MiB)\n", what, s, peak_mib());
    std::fflush(stdout);
    t0 = Clock::now();
    return s;
  }
};

/// A tube of radius r swept along a helix (radius a, rise per turn p, `turns` turns), open at
/// both ends: `rings` circles of `segments` points.
TriangleMesh helix_tube(double a, double p, double turns, double r, int rings, int segments) {
  TriangleMesh m;
  const double len = turns * 2 * std::numbers::pi;
  for (int i = 0; i < rings; ++i) {
    const double t = len * i / (rings - 1);
    const Vec3 c(a * std::cos(t), a * std::sin(t), p * t / (2 * std::numbers::pi));
    const Vec3 tangent =
        Vec3(-a * std::sin(t), a * std::cos(t), p / (2 * std::numbers::pi)).normalized();
    const Vec3 n = Vec3(std::cos(t), std::sin(t), 0);  // towards the outside of the helix
    const Vec3 b = tangent.cross(n);
    for (int j = 0; j < segments; ++j) {
      const double th = 2 * std::numbers::pi * j / segments;
      m.points.push_back(c + r * (std::cos(th) * n + std::sin(th) * b));
    }
  }
  for (int i = 0; i + 1 < rings; ++i)
    for (int j = 0; j < segments; ++j) {
      const int a0 = i * segments + j, a1 = i * segments + (j + 1) % segments;
      const int b0 = a0 + segments, b1 = a1 + segments;
      m.triangles.push_back({a0, a1, b1});
      m.triangles.push_back({a0, b1, b0});
    }
  return m;
}

int surface(long triangles, double cells) {
  // Tube radius r; fluid ~ pi r^2 L / dx^3. Segments around : rings along = 1 : 8.
  const double r = 3.0, a = 12.0, p = 14.0, turns = 4.0;  // mm
  const double L = turns * std::hypot(2 * std::numbers::pi * a, p);
  const int segments = int(std::sqrt(triangles / 2.0 / 8.0));
  const int rings = int(triangles / 2 / segments) + 1;
  const double dx = std::cbrt(std::numbers::pi * r * r * L / cells);
  std::printf(
      "surface: helical vessel, r %.1f mm, length %.0f mm, %d rings x %d segments; "
      "dx %.4f mm (%.1f cells across)\n",
      r, L, rings, segments, dx, 2 * r / dx);
  Timer t;
  const TriangleMesh tube = helix_tube(a, p, turns, r, rings, segments);
  t.lap("make the mesh");
  const auto open = find_openings(tube);
  t.lap("find openings");
  const ClosedSurface closed = close_openings(tube, open);
  std::printf("  %zu triangles, %zu openings (%.2f mm^2 each)\n", closed.mesh.triangles.size(),
              open.size(), open[0].area);
  t.total = 0;
  t.t0 = Clock::now();
  auto shape = std::make_shared<SurfaceShape>(closed.mesh);
  t.lap("surface shape (bucket grids)");
  DomainSpec spec = DomainSpec::around(shape, dx);
  spec.iolets = closed.iolets;
  const SparseLattice lat(spec);
  t.lap("sparse lattice (row rays, bricks)");
  const LinkList links = build_links<D3Q19>(lat, spec);
  t.lap("D3Q19 boundary links (ray-triangle q)");
  const auto slabs = build_iolet_slabs(lat, spec);
  t.lap("iolet slabs");
  std::printf(
      "  => %lld fluid cells in a %d x %d x %d box (%.1f %% full), %zu links; "
      "voxelisation %.1f s, peak memory %.0f MiB\n",
      (long long)lat.fluid_cells(), lat.cells()[0], lat.cells()[1], lat.cells()[2],
      100.0 * lat.fluid_cells() / (double(lat.cells()[0]) * lat.cells()[1] * lat.cells()[2]),
      links.size(), t.total, peak_mib());
  return slabs.empty() ? 1 : 0;
}

int scan(int nx, int ny, int nz, double dx) {
  using namespace hemotwin::imaging;
  // A carotid bifurcation (6 mm common carotid, 50 % internal carotid stenosis) in a CT field
  // of view of nx x ny x nz voxels (default 512 x 300 x 512: 300 slices along the vessel) that
  // the vessel runs out of: the common carotid leaves it at y = 2 mm, both branches at y = 62 mm
  // (y spans 60 mm; x 120 mm, z 90 mm around the vessel).
  const VesselModel model = VesselModel::carotid_bifurcation(Vec3::Zero(), 0.5);
  RenderOptions o;
  const Vec3 lo(-60, 2, -45), fov(120, 60, 90);
  o.grid.size = {nx, ny, nz};
  o.grid.spacing = Vec3(fov.x() / (nx - 1), fov.y() / (ny - 1), fov.z() / (nz - 1));
  o.grid.origin = lo;
  std::printf(
      "scan: CT phantom %d x %d x %d, spacing %.3f x %.3f x %.3f mm; lattice at %.3f "
      "mm\n",
      nx, ny, nz, o.grid.spacing.x(), o.grid.spacing.y(), o.grid.spacing.z(), dx);
  Timer t;
  const Phantom ph = render(model, o);
  std::printf("  rendered %d x %d x %d voxels\n", ph.image.grid.size[0], ph.image.grid.size[1],
              ph.image.grid.size[2]);
  t.lap("render the phantom (not counted)");
  t.total = 0;
  // The pipeline, as `hemotwin run` does it for shape = "scan": the whole volume is segmented;
  // the lumen leaves it at its three ends, which become the openings.
  ThresholdOptions th;
  th.seeds = {Vec3(0, 5, 0)};
  const Segmentation s = threshold_connected(ph.image, th);
  t.lap("segment (curvature flow, threshold, holes)");
  std::printf("  dice against the phantom %.4f, %.0f mm^3\n", dice(s.labels, ph.labels),
              s.volume_mm3);
  const TriangleMesh wall = lumen_surface(s.labels);
  t.lap("wall surface (blur, marching cubes)");
  auto open = find_openings(wall);
  t.lap("find openings");
  std::printf("  %zu triangles, %zu openings\n", wall.triangles.size(), open.size());
  const ClosedSurface closed = close_openings(wall, open);
  auto shape = std::make_shared<SurfaceShape>(closed.mesh);
  DomainSpec spec = DomainSpec::around(shape, dx);
  spec.iolets = closed.iolets;
  const SparseLattice lat(spec);
  const LinkList links = build_links<D3Q19>(lat, spec);
  t.lap("voxelise (shape, lattice, D3Q19 links)");
  std::printf(
      "  => %lld fluid cells, %zu links; segmentation + voxelisation %.1f s, peak "
      "memory %.0f MiB\n",
      (long long)lat.fluid_cells(), links.size(), t.total, peak_mib());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string what = argc > 1 ? argv[1] : "";
  if (what == "surface")
    return surface(argc > 2 ? std::atol(argv[2]) : 1000000, argc > 3 ? std::atof(argv[3]) : 2e7);
  if (what == "scan")
    return scan(argc > 2 ? std::atoi(argv[2]) : 512, argc > 3 ? std::atoi(argv[3]) : 300,
                argc > 4 ? std::atoi(argv[4]) : 512, argc > 5 ? std::atof(argv[5]) : 0.25);
  std::fprintf(stderr,
               "usage: bench_geometry surface [TRIANGLES] [FLUID_CELLS]\n"
               "       bench_geometry scan [NX NY NZ] [DX_MM]\n");
  return 2;
}
