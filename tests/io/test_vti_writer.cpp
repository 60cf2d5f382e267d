// write_vti read back through vtkXMLImageDataReader: geometry, arrays, values, time, compression.
#include <gtest/gtest.h>
#include <vtkDataArray.h>
#include <vtkFieldData.h>
#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPolyData.h>
#include <vtkXMLImageDataReader.h>
#include <vtkXMLPolyDataReader.h>

#include <cmath>
#include <fstream>
#include <numbers>
#include <sstream>

#include "hemotwin/core/error.hpp"
#include "hemotwin/core/flow_fields.hpp"
#include "hemotwin/io/vti_writer.hpp"
#include "synthetic.hpp"

namespace hemotwin::io {
namespace {

namespace fs = std::filesystem;

TEST(VtiWriter, RoundTripsThroughVtkXmlImageDataReader) {
  test::TempDir dir("vti");
  const GridInfo g = test::make_grid({24, 16, 32}, {{0, 0, 0}, {2, 1, 3}, {1, 0, 2}, {2, 0, 0}});
  const FieldSnapshot s = test::make_snapshot(g, 42, 0.125, 1.5);
  const fs::path file = dir / "results.vti";
  write_vti(file, g, s);

  // Binary appended, zlib compressed.
  std::ifstream raw(file, std::ios::binary);
  std::stringstream text;
  text << raw.rdbuf();
  EXPECT_NE(text.str().find("compressor=\"vtkZLibDataCompressor\""), std::string::npos);
  EXPECT_NE(text.str().find("<AppendedData encoding=\"raw\">"), std::string::npos);

  vtkNew<vtkXMLImageDataReader> reader;
  reader->SetFileName(file.c_str());
  reader->Update();
  vtkImageData* image = reader->GetOutput();
  ASSERT_NE(image, nullptr);
  int dims[3];
  image->GetDimensions(dims);
  EXPECT_EQ(dims[0], 24);
  EXPECT_EQ(dims[1], 16);
  EXPECT_EQ(dims[2], 32);
  double origin[3], spacing[3];
  image->GetOrigin(origin);
  image->GetSpacing(spacing);
  for (int a = 0; a < 3; ++a) {
    EXPECT_DOUBLE_EQ(origin[a], g.origin[a]);
    EXPECT_DOUBLE_EQ(spacing[a], g.dx);
  }
  vtkDataArray* u = image->GetPointData()->GetArray("velocity");
  vtkDataArray* p = image->GetPointData()->GetArray("pressure");
  vtkDataArray* m = image->GetPointData()->GetArray("fluid_mask");
  ASSERT_NE(u, nullptr);
  ASSERT_NE(p, nullptr);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(u->GetNumberOfComponents(), 3);
  EXPECT_EQ(u->GetNumberOfTuples(), 24 * 16 * 32);
  EXPECT_EQ(u->GetDataType(), VTK_FLOAT);
  EXPECT_EQ(m->GetDataType(), VTK_UNSIGNED_CHAR);
  std::int64_t fluid = 0;
  for (int z = 0; z < 32; ++z)
    for (int y = 0; y < 16; ++y)
      for (int x = 0; x < 24; ++x) {
        const vtkIdType id = x + 24 * (y + 16 * z);
        const bool f = test::stored_fluid(g, x, y, z);
        fluid += f;
        ASSERT_EQ(m->GetComponent(id, 0), f ? 1.0 : 0.0);
        for (int k = 0; k < 3; ++k)
          ASSERT_EQ(static_cast<float>(u->GetComponent(id, k)),
                    f ? test::velocity_value(x, y, z, k, 1.5) : 0.0f);
        ASSERT_EQ(static_cast<float>(p->GetComponent(id, 0)),
                  f ? test::pressure_value(x, y, z, 1.5) : 0.0f);
      }
  EXPECT_EQ(fluid, g.fluid_cells);
  // The vortex criteria as flow_fields computes them, at the same points.
  const VortexFields vf = vortex_fields(g, s.velocity);
  vtkDataArray* q = image->GetPointData()->GetArray("q_criterion");
  vtkDataArray* l2 = image->GetPointData()->GetArray("lambda2");
  ASSERT_NE(q, nullptr);
  ASSERT_NE(l2, nullptr);
  std::int64_t nonzero = 0;
  for (std::size_t b = 0; b < g.brick_origins.size(); ++b)
    for (int k = 0; k < 512; ++k) {
      const std::int64_t cell = std::int64_t(b) * 512 + k;
      if (g.cell_type[std::size_t(cell)] != 1) continue;
      const auto& o = g.brick_origins[b];
      const vtkIdType id = (o[0] + k % 8) + 24 * ((o[1] + k / 8 % 8) + 16 * (o[2] + k / 64));
      ASSERT_EQ(float(q->GetComponent(id, 0)), vf.q[std::size_t(cell)]);
      ASSERT_EQ(float(l2->GetComponent(id, 0)), vf.lambda2[std::size_t(cell)]);
      nonzero += vf.q[std::size_t(cell)] != 0;
    }
  EXPECT_GT(nonzero, 0);
  vtkDataArray* t = image->GetFieldData()->GetArray("TimeValue");
  ASSERT_NE(t, nullptr);
  EXPECT_DOUBLE_EQ(t->GetComponent(0, 0), 0.125);
}

TEST(VtiWriter, ErrorsNameTheFile) {
  test::TempDir dir("vti-errors");
  const GridInfo g = test::make_grid({8, 8, 8}, {{0, 0, 0}});
  FieldSnapshot s = test::make_snapshot(g, 1, 0.1, 1.0);
  const fs::path missing = dir / "missing" / "results.vti";
  try {
    write_vti(missing, g, s);
    FAIL() << "no error writing into a missing directory";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(missing.string()), std::string::npos) << e.what();
  }
  s.velocity.resize(5);
  EXPECT_THROW(write_vti(dir / "results.vti", g, s), Error);
}

// A triangulated cylinder of radius R along z: n around, m along (0 <= z <= h).
WallSurface cylinder(double R, double h, int n, int m) {
  WallSurface s;
  for (int j = 0; j <= m; ++j)
    for (int i = 0; i < n; ++i) {
      const double a = 2 * std::numbers::pi * i / n;
      s.points.push_back(Vec3(R * std::cos(a), R * std::sin(a), h * j / m));
    }
  for (int j = 0; j < m; ++j)
    for (int i = 0; i < n; ++i) {
      const std::int64_t a = j * n + i, b = j * n + (i + 1) % n, c = a + n, d = b + n;
      s.triangles.push_back({a, b, d});
      s.triangles.push_back({a, d, c});
    }
  return s;
}

TEST(WallSurfaceVtp, MapsTheWallPointsOntoTheSurface) {
  // Wall points a lattice would give: every 0.1 along z and around, 0.02 inside the wall, with a
  // stress along the axis that grows with z and a small part along the normal (a fitted plane's
  // error) that the mapping removes; TAWSS and OSI linear in z.
  const double R = 1.0, h = 2.0;
  WallShearField wall;
  wall.time = 0.75;
  std::vector<double> tawss, osi;
  for (int j = 0; j <= 20; ++j)
    for (int i = 0; i < 63; ++i) {
      const double a = 2 * std::numbers::pi * i / 63, z = 0.1 * j;
      const Vec3 n(std::cos(a), std::sin(a), 0);
      wall.point.push_back((R - 0.02) * n + Vec3(0, 0, z));
      wall.normal.push_back(n);
      wall.wss.push_back(Vec3(0, 0, 1 + z) + 0.05 * n);
      tawss.push_back(2 + z);
      osi.push_back(0.1 * z);
    }
  test::TempDir dir("wall-surface");
  const fs::path file = dir / "wall_surface.vtp";
  const WallSurface surface = cylinder(R, h, 48, 30);
  write_wall_surface_vtp(file, surface, wall, tawss, osi);

  vtkNew<vtkXMLPolyDataReader> reader;
  reader->SetFileName(file.c_str());
  reader->Update();
  vtkPolyData* out = reader->GetOutput();
  ASSERT_EQ(out->GetNumberOfPoints(), vtkIdType(surface.points.size()));
  ASSERT_EQ(out->GetNumberOfPolys(), vtkIdType(surface.triangles.size()));
  auto* pd = out->GetPointData();
  for (const char* name : {"wss", "wss_magnitude", "normal", "tawss", "osi"})
    ASSERT_NE(pd->GetArray(name), nullptr) << name;
  EXPECT_DOUBLE_EQ(out->GetFieldData()->GetArray("TimeValue")->GetTuple1(0), 0.75);
  double worst = 0;
  for (vtkIdType k = 0; k < out->GetNumberOfPoints(); ++k) {
    const double z = surface.points[std::size_t(k)].z();
    Vec3 w, n;
    pd->GetArray("wss")->GetTuple(k, w.data());
    pd->GetArray("normal")->GetTuple(k, n.data());
    const Vec3 radial =
        Vec3(surface.points[std::size_t(k)].x(), surface.points[std::size_t(k)].y(), 0)
            .normalized();
    EXPECT_NEAR(std::abs(n.dot(radial)), 1.0, 1e-3);  // the surface's normal
    EXPECT_NEAR(w.dot(n), 0.0, 1e-12);                // tangential
    // Inverse-distance means of points 0.1 apart on a linear field: within the spread of the
    // nearest points' values (0.05 along z at the most).
    worst = std::max(worst, std::abs(w.z() - (1 + z)));
    EXPECT_NEAR(pd->GetArray("wss_magnitude")->GetTuple1(k), w.norm(), 1e-12);
    EXPECT_NEAR(pd->GetArray("tawss")->GetTuple1(k), 2 + z, 0.05);
    EXPECT_NEAR(pd->GetArray("osi")->GetTuple1(k), 0.1 * z, 0.005);
  }
  EXPECT_LT(worst, 0.05);
  std::printf("largest axial WSS error on the surface: %.4f (of 1 to 3)\n", worst);
}

TEST(WallSurfaceVtp, RefusesBadInputNamingTheFile) {
  test::TempDir dir("wall-surface-errors");
  WallShearField wall;
  const fs::path file = dir / "wall_surface.vtp";
  WallSurface surface = cylinder(1, 1, 8, 2);
  try {
    write_wall_surface_vtp(file, surface, wall, {}, {});
    FAIL() << "no error without wall points";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
  }
  wall.point = {Vec3(0.9, 0, 0)};
  wall.normal = {Vec3(1, 0, 0)};
  wall.wss = {Vec3(0, 0, 1)};
  surface.triangles.push_back({0, 1, 999});
  EXPECT_THROW(write_wall_surface_vtp(file, surface, wall, {}, {}), Error);
  EXPECT_FALSE(fs::exists(file));
}

}  // namespace
}  // namespace hemotwin::io
