// Real surfaces from ../shared/data/vampy (label realdata): a patient's internal carotid artery
// (AneuRisk C0015, open at 3 ends) and left atrium (LASC 2013, 4 pulmonary veins + the mitral
// orifice). Their openings are found, checked against VTK's own polygon areas, closed, voxelised
// and run. Skipped, with a message, where ../shared/data is absent.
#include <gtest/gtest.h>
#include <vtkCellArray.h>
#include <vtkFeatureEdges.h>
#include <vtkIdList.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolygon.h>
#include <vtkSmartPointer.h>
#include <vtkStripper.h>
#include <vtkXMLPolyDataReader.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <numbers>

#include "hemotwin/core/engine.hpp"
#include "hemotwin/geometry/surface_shape.hpp"

using namespace hemotwin;
namespace fs = std::filesystem;

namespace {

const fs::path kVampy = fs::path(HEMOTWIN_SHARED_DATA_DIR) / "vampy";

#define REQUIRE_FILE(path)                                   \
  if (!fs::exists(path))                                     \
  GTEST_SKIP() << "real data not found: " << (path).string() \
               << " (../shared/data is absent on this machine; this test needs it)"

/// The areas of a surface's boundary loops as VTK computes them: boundary edges joined into
/// polylines, each measured as a polygon (Newell's normal). Largest first.
std::vector<double> vtk_loop_areas(const fs::path& path) {
  auto reader = vtkSmartPointer<vtkXMLPolyDataReader>::New();
  reader->SetFileName(path.string().c_str());
  auto edges = vtkSmartPointer<vtkFeatureEdges>::New();
  edges->SetInputConnection(reader->GetOutputPort());
  edges->BoundaryEdgesOn();
  edges->FeatureEdgesOff();
  edges->ManifoldEdgesOff();
  edges->NonManifoldEdgesOff();
  auto strip = vtkSmartPointer<vtkStripper>::New();
  strip->SetInputConnection(edges->GetOutputPort());
  strip->JoinContiguousSegmentsOn();
  strip->Update();
  vtkPolyData* lines = strip->GetOutput();
  std::vector<double> areas;
  auto ids = vtkSmartPointer<vtkIdList>::New();
  vtkCellArray* cells = lines->GetLines();
  for (cells->InitTraversal(); cells->GetNextCell(ids);) {
    std::vector<vtkIdType> loop(ids->GetPointer(0), ids->GetPointer(0) + ids->GetNumberOfIds());
    if (loop.size() > 1 && loop.front() == loop.back()) loop.pop_back();
    double normal[3];
    areas.push_back(
        vtkPolygon::ComputeArea(lines->GetPoints(), vtkIdType(loop.size()), loop.data(), normal));
  }
  std::sort(areas.rbegin(), areas.rend());
  return areas;
}

/// Fluid cells reachable from the first one through D3Q19 links.
std::int64_t connected_fluid(const SparseLattice& lat) {
  const std::int64_t n = std::int64_t(lat.cell_type().size());
  std::vector<std::uint8_t> seen(std::size_t(n), 0);
  std::vector<std::int64_t> stack;
  for (std::int64_t c = 0; c < n && stack.empty(); ++c)
    if (lat.is_fluid(c)) stack.push_back(c);
  if (stack.empty()) return 0;
  seen[std::size_t(stack[0])] = 1;
  std::int64_t count = 0;
  while (!stack.empty()) {
    const std::int64_t c = stack.back();
    stack.pop_back();
    ++count;
    const auto ijk = lat.cell_coords(c);
    for (int q = 1; q < D3Q19::Q; ++q) {
      const std::int64_t m =
          lat.cell_at({ijk[0] + D3Q19::c[q][0], ijk[1] + D3Q19::c[q][1], ijk[2] + D3Q19::c[q][2]});
      if (lat.is_fluid(m) && !seen[std::size_t(m)]) {
        seen[std::size_t(m)] = 1;
        stack.push_back(m);
      }
    }
  }
  return count;
}

}  // namespace

TEST(RealSurface, CarotidArteryHasThreeOpeningsAndVoxelisesInOnePiece) {
  const fs::path file = kVampy / "models_artery_artery.vtp";
  REQUIRE_FILE(file);
  const TriangleMesh artery = read_surface(file);
  const auto open = find_openings(artery);
  ASSERT_EQ(open.size(), 3u);
  const auto reference = vtk_loop_areas(file);
  ASSERT_EQ(reference.size(), 3u);
  for (std::size_t i = 0; i < open.size(); ++i) {
    std::printf(
        "%s: area %.3f mm^2 (VTK polygon %.3f), effective radius %.3f mm, centre (%.2f, "
        "%.2f, %.2f), normal (%.3f, %.3f, %.3f), planarity %.3f mm\n",
        open[i].name.c_str(), open[i].area, reference[i], open[i].radius, open[i].centre.x(),
        open[i].centre.y(), open[i].centre.z(), open[i].normal.x(), open[i].normal.y(),
        open[i].normal.z(), open[i].planarity);
    EXPECT_NEAR(open[i].area / reference[i], 1.0, 0.02) << open[i].name;
    // Outward: the centre moved along the normal leaves the closed lumen.
  }
  const ClosedSurface closed = close_openings(artery, open);
  ASSERT_EQ(closed.mesh.boundary_edges(), 0);
  auto shape = std::make_shared<SurfaceShape>(closed.mesh);
  for (const auto& o : open) {
    EXPECT_TRUE(shape->contains(o.centre - 0.5 * o.radius * o.normal)) << o.name;
    EXPECT_FALSE(shape->contains(o.centre + 4 * o.radius * o.normal)) << o.name;
  }

  // 0.1 mm: ~40 cells across the artery.
  const double dx = 0.1;
  const auto t0 = std::chrono::steady_clock::now();
  const DomainSpec spec = surface_domain(closed, dx);
  const SparseLattice lat(spec);
  const LinkList links = build_links<D3Q19>(lat, spec);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto slabs = build_iolet_slabs(lat, spec);
  std::int64_t iolet_links = 0;
  for (std::size_t n = 0; n < links.size(); ++n) iolet_links += links.kind[n] != 0;
  std::printf(
      "artery at %.2f mm: %lld fluid cells, %zu links (%lld at iolets), %.2f s; "
      "lattice volume %.2f mm^3, closed surface %.2f mm^3\n",
      dx, (long long)lat.fluid_cells(), links.size(), (long long)iolet_links, seconds,
      lat.fluid_cells() * dx * dx * dx, closed.mesh.signed_volume());
  EXPECT_EQ(connected_fluid(lat), lat.fluid_cells());
  for (const auto& s : slabs) EXPECT_GT(s.area, 0);
  // The lattice holds the closed surface less the bits beyond the iolet planes (a tenth of a
  // radius at each end): within 2 %.
  EXPECT_NEAR(lat.fluid_cells() * dx * dx * dx / std::abs(closed.mesh.signed_volume()), 1.0, 0.02);
}

TEST(RealSurface, CarotidArteryFlowConservesMass) {
  const fs::path file = kVampy / "models_artery_artery.vtp";
  REQUIRE_FILE(file);
  const TriangleMesh artery = read_surface(file);
  auto open = find_openings(artery);
  ASSERT_EQ(open.size(), 3u);
  for (auto& o : open) o.extension = 1.0;  // one diameter of straight inflow and outflow
  const DomainSpec spec = surface_domain(close_openings(artery, open), 0.2);
  Engine<float, D3Q19> e(
      spec, {BackendKind::Cpu, CollisionModel::Trt, 0.8, 3.0 / 16, WallMethod::Bouzidi});
  e.set_iolet_values({0.01, 1.0, 1.0});
  e.run(3000);
  const auto d = e.diagnostics();
  ASSERT_EQ(d.bad_cell, -1);
  const double out = d.iolet_flow[1] + d.iolet_flow[2];
  std::printf("artery at 0.2 mm: %lld cells; in %.5f, out %.5f + %.5f (%.3f %%)\n",
              (long long)e.lattice().fluid_cells(), d.iolet_flow[0], d.iolet_flow[1],
              d.iolet_flow[2], 100 * (out / d.iolet_flow[0] - 1));
  EXPECT_GT(d.iolet_flow[1], 0);
  EXPECT_GT(d.iolet_flow[2], 0);
  EXPECT_NEAR(out / d.iolet_flow[0], 1.0, 0.01);
}

TEST(RealSurface, LeftAtriumHasFiveOpeningsAndConservesMass) {
  const fs::path file = kVampy / "models_atrium_atrium.vtp";
  REQUIRE_FILE(file);
  const TriangleMesh atrium = read_surface(file);
  auto open = find_openings(atrium);
  ASSERT_EQ(open.size(), 5u);
  const auto reference = vtk_loop_areas(file);
  for (std::size_t i = 0; i < open.size(); ++i) {
    std::printf("%s: area %.2f mm^2 (VTK polygon %.2f), effective radius %.2f mm\n",
                open[i].name.c_str(), open[i].area, reference[i], open[i].radius);
    EXPECT_NEAR(open[i].area / reference[i], 1.0, 0.02) << open[i].name;
  }
  // The mitral orifice is the largest opening: the outlet; the four pulmonary veins are inlets.
  open[0].kind = IoletKind::PressureOutlet;
  for (std::size_t i = 1; i < open.size(); ++i) open[i].kind = IoletKind::VelocityInlet;
  const DomainSpec spec = surface_domain(close_openings(atrium, open), 1.0);
  Engine<float, D3Q19> e(
      spec, {BackendKind::Cpu, CollisionModel::Trt, 0.9, 3.0 / 16, WallMethod::Bouzidi});
  e.set_iolet_values({1.0, 0.01, 0.01, 0.01, 0.01});
  e.run(4000);
  const auto d = e.diagnostics();
  ASSERT_EQ(d.bad_cell, -1);
  double in = 0;
  for (std::size_t i = 1; i < 5; ++i) in += d.iolet_flow[i];
  std::printf("atrium at 1 mm: %lld cells; veins in %.4f, mitral out %.4f (%.3f %%)\n",
              (long long)e.lattice().fluid_cells(), in, d.iolet_flow[0],
              100 * (d.iolet_flow[0] / in - 1));
  EXPECT_NEAR(d.iolet_flow[0] / in, 1.0, 0.01);
}
