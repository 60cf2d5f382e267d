// Surfaces through VTK: readers and writers, marching cubes and smoothing.
#include <vtkCellArray.h>
#include <vtkCleanPolyData.h>
#include <vtkClipPolyData.h>
#include <vtkCutter.h>
#include <vtkFloatArray.h>
#include <vtkFlyingEdges3D.h>
#include <vtkIdList.h>
#include <vtkImageData.h>
#include <vtkOBJReader.h>
#include <vtkPLYReader.h>
#include <vtkPlane.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataConnectivityFilter.h>
#include <vtkPolyDataReader.h>
#include <vtkSTLReader.h>
#include <vtkSTLWriter.h>
#include <vtkSmartPointer.h>
#include <vtkStripper.h>
#include <vtkTriangleFilter.h>
#include <vtkWindowedSincPolyDataFilter.h>
#include <vtkXMLPolyDataReader.h>
#include <vtkXMLPolyDataWriter.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <limits>
#include <numbers>
#include <system_error>

#include "hemotwin/core/error.hpp"
#include "hemotwin/geometry/surface.hpp"
#include "surface_checks.hpp"
#include "vtk_mesh.hpp"

namespace fs = std::filesystem;

namespace hemotwin {
namespace {

template <class T>
using Ptr = vtkSmartPointer<T>;

std::string lower_extension(const fs::path& path) {
  std::string e = path.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return std::tolower(c); });
  return e;
}

}  // namespace

namespace vtk_mesh {

Ptr<vtkPolyData> to_poly(const TriangleMesh& m) {
  auto pts = Ptr<vtkPoints>::New();
  pts->SetDataTypeToDouble();
  pts->SetNumberOfPoints(vtkIdType(m.points.size()));
  for (std::size_t i = 0; i < m.points.size(); ++i) pts->SetPoint(vtkIdType(i), m.points[i].data());
  auto cells = Ptr<vtkCellArray>::New();
  cells->AllocateExact(vtkIdType(m.triangles.size()), vtkIdType(3 * m.triangles.size()));
  for (const auto& t : m.triangles) {
    const vtkIdType ids[3] = {t[0], t[1], t[2]};
    cells->InsertNextCell(3, ids);
  }
  auto poly = Ptr<vtkPolyData>::New();
  poly->SetPoints(pts);
  poly->SetPolys(cells);
  return poly;
}

TriangleMesh to_mesh(vtkPolyData* poly) {
  TriangleMesh m;
  vtkPoints* pts = poly->GetPoints();
  if (!pts) return m;
  m.points.resize(std::size_t(pts->GetNumberOfPoints()));
  for (vtkIdType i = 0; i < pts->GetNumberOfPoints(); ++i) {
    double p[3];
    pts->GetPoint(i, p);
    m.points[std::size_t(i)] = Vec3(p[0], p[1], p[2]);
  }
  vtkCellArray* polys = poly->GetPolys();
  auto ids = Ptr<vtkIdList>::New();
  for (polys->InitTraversal(); polys->GetNextCell(ids);) {
    if (ids->GetNumberOfIds() != 3) continue;
    const std::array<std::int32_t, 3> t{std::int32_t(ids->GetId(0)), std::int32_t(ids->GetId(1)),
                                        std::int32_t(ids->GetId(2))};
    if (t[0] == t[1] || t[1] == t[2] || t[2] == t[0]) continue;
    m.triangles.push_back(t);
  }
  return m;
}
}  // namespace vtk_mesh

TriangleMesh read_surface(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec))
    throw Error("no such surface file (STL, VTP, VTK, OBJ or PLY expected)", path.string());
  if (!fs::is_regular_file(path, ec))
    throw Error(
        std::string(fs::is_directory(path, ec) ? "this is a directory"
                                               : "this is not a regular file (a FIFO or device?)") +
            ", not a surface file (STL, VTP, VTK, OBJ or PLY expected)",
        path.string());
  const std::string ext = lower_extension(path);
  vtk_mesh::QuietVtk quiet;
  Ptr<vtkPolyData> poly;
  auto run = [&](auto reader) {
    reader->SetFileName(path.string().c_str());
    reader->Update();
    if (reader->GetErrorCode() != 0)
      throw Error("cannot read this surface: the reader failed", path.string());
    poly = reader->GetOutput();
  };
  if (ext == ".stl") {
    geometry_checks::check_stl(path);
    run(Ptr<vtkSTLReader>::New());
  } else if (ext == ".vtp") {
    geometry_checks::check_vtk_xml(path);
    run(Ptr<vtkXMLPolyDataReader>::New());
  } else if (ext == ".obj") {
    geometry_checks::check_obj(path);
    run(Ptr<vtkOBJReader>::New());
  } else if (ext == ".ply") {
    geometry_checks::check_ply(path);
    run(Ptr<vtkPLYReader>::New());
  } else if (ext == ".vtk") {
    auto reader = Ptr<vtkPolyDataReader>::New();
    reader->SetFileName(path.string().c_str());
    if (!reader->IsFilePolyData())
      throw Error(
          "this legacy VTK file holds no POLYDATA (an image or a volume mesh?); a "
          "surface is expected here, a scan goes in as an image",
          path.string());
    geometry_checks::check_legacy_vtk(path);
    run(reader);
  } else {
    throw Error("unknown surface format '" + ext + "'; use .stl, .vtp, .vtk, .obj or .ply",
                path.string());
  }
  if (!poly || poly->GetNumberOfPolys() + poly->GetNumberOfStrips() == 0)
    throw Error("the file holds no surface triangles (unreadable, empty, or not a surface)",
                path.string());
  auto tri = Ptr<vtkTriangleFilter>::New();
  tri->SetInputData(poly);
  tri->PassLinesOff();
  tri->PassVertsOff();
  auto clean = Ptr<vtkCleanPolyData>::New();  // merge coincident points (STL repeats them)
  clean->SetInputConnection(tri->GetOutputPort());
  clean->PointMergingOn();
  clean->ToleranceIsAbsoluteOn();
  clean->SetAbsoluteTolerance(0.0);
  clean->Update();
  TriangleMesh m = vtk_mesh::to_mesh(clean->GetOutput());
  if (m.triangles.empty()) throw Error("the file's triangles are all degenerate", path.string());
  for (const auto& p : m.points)
    if (!p.allFinite()) throw Error("the surface has a non-finite coordinate", path.string());
  return m;
}

void write_surface(const TriangleMesh& mesh, const fs::path& path) {
  const std::string ext = lower_extension(path);
  if (ext != ".stl" && ext != ".vtp")
    throw Error("cannot write this surface format; use .stl or .vtp", path.string());
  if (mesh.triangles.empty()) throw Error("the surface to write is empty", path.string());
  const fs::path tmp = path.parent_path() / (".partial-" + path.filename().string());
  auto poly = vtk_mesh::to_poly(mesh);
  vtk_mesh::QuietVtk quiet;
  int ok = 0;
  if (ext == ".stl") {
    auto w = Ptr<vtkSTLWriter>::New();
    w->SetFileName(tmp.string().c_str());
    w->SetFileTypeToBinary();
    w->SetInputData(poly);
    ok = w->Write();
  } else {
    auto w = Ptr<vtkXMLPolyDataWriter>::New();
    w->SetFileName(tmp.string().c_str());
    w->SetDataModeToAppended();
    w->SetInputData(poly);
    ok = w->Write();
  }
  std::error_code ec;
  if (ok != 1) {
    fs::remove(tmp, ec);
    throw Error("cannot write the surface (is the folder writable?)", path.string());
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw Error("cannot move the written surface into place: " + ec.message(), path.string());
  }
}

TriangleMesh cut_surface(const TriangleMesh& mesh, const Vec3& point, const Vec3& normal_in) {
  if (!(normal_in.norm() > 0)) throw Error("a cutting plane needs a non-zero normal");
  const Vec3 n = normal_in.normalized();
  auto where = [&] {
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "the plane through (%.2f, %.2f, %.2f) with normal (%.3f, %.3f, %.3f)", point.x(),
                  point.y(), point.z(), n.x(), n.y(), n.z());
    return std::string(buf);
  };
  vtk_mesh::QuietVtk quiet;
  auto poly = vtk_mesh::to_poly(mesh);
  // 1. The cross-section around the point: the loop of the plane's intersection enclosing it.
  auto plane = Ptr<vtkPlane>::New();
  plane->SetOrigin(point.data());
  plane->SetNormal(n.data());
  auto cutter = Ptr<vtkCutter>::New();
  cutter->SetInputData(poly);
  cutter->SetCutFunction(plane);
  auto strip = Ptr<vtkStripper>::New();
  strip->SetInputConnection(cutter->GetOutputPort());
  strip->JoinContiguousSegmentsOn();
  strip->Update();
  vtkPolyData* lines = strip->GetOutput();
  const Vec3 u = n.unitOrthogonal(), v = n.cross(u);
  double reach = -1, best_area = std::numeric_limits<double>::infinity();
  auto ids = Ptr<vtkIdList>::New();
  vtkCellArray* cells = lines->GetLines();
  for (cells->InitTraversal(); cells->GetNextCell(ids);) {
    const vtkIdType m = ids->GetNumberOfIds();
    if (m < 4) continue;
    double a[3], b[3];
    lines->GetPoint(ids->GetId(0), a);
    lines->GetPoint(ids->GetId(m - 1), b);
    if (ids->GetId(0) != ids->GetId(m - 1) &&
        (Vec3(a[0], a[1], a[2]) - Vec3(b[0], b[1], b[2])).norm() > 1e-9)
      continue;  // not closed: the surface itself is open there
    std::vector<Eigen::Vector2d> q;
    double far = 0;
    for (vtkIdType k = 0; k < m; ++k) {
      double p[3];
      lines->GetPoint(ids->GetId(k), p);
      const Vec3 r = Vec3(p[0], p[1], p[2]) - point;
      q.emplace_back(r.dot(u), r.dot(v));
      far = std::max(far, q.back().norm());
    }
    // Winding number of the origin (the point) and the loop's area.
    double winding = 0, area = 0;
    for (std::size_t k = 0; k + 1 < q.size(); ++k) {
      winding += std::atan2(q[k].x() * q[k + 1].y() - q[k].y() * q[k + 1].x(), q[k].dot(q[k + 1]));
      area += 0.5 * (q[k].x() * q[k + 1].y() - q[k].y() * q[k + 1].x());
    }
    if (std::abs(winding) > std::numbers::pi && std::abs(area) < best_area) {
      best_area = std::abs(area);
      reach = far;
    }
  }
  if (reach < 0)
    throw Error(where() +
                " cuts no closed cross-section of the vessel around that point: put "
                "the point inside the lumen and the plane across the vessel");
  reach *= 1.02;

  // 2. Split along the plane (the plane's function is linear along every edge, so the cut is
  // exact), then drop the pieces beyond it that start at this cross-section; pieces beyond the
  // plane elsewhere (another branch) stay.
  auto clip = Ptr<vtkClipPolyData>::New();
  clip->SetInputData(poly);
  clip->SetClipFunction(plane);  // n.(x - point): positive beyond
  clip->InsideOutOn();           // output 0: the side behind the plane
  clip->GenerateClippedOutputOn();
  clip->SetValue(0.0);
  clip->Update();
  auto as_triangles = [](vtkPolyData* p) {
    auto tri = Ptr<vtkTriangleFilter>::New();
    tri->SetInputData(p);
    tri->Update();
    return vtk_mesh::to_mesh(tri->GetOutput());
  };
  TriangleMesh behind = as_triangles(clip->GetOutput());
  TriangleMesh past = as_triangles(clip->GetClippedOutput());
  // Components of the part beyond, by shared vertices.
  std::vector<std::int32_t> parent(past.points.size());
  for (std::size_t i = 0; i < parent.size(); ++i) parent[i] = std::int32_t(i);
  auto find = [&](std::int32_t x) {
    while (parent[std::size_t(x)] != x)
      x = parent[std::size_t(x)] = parent[std::size_t(parent[std::size_t(x)])];
    return x;
  };
  for (const auto& t : past.triangles) {
    parent[std::size_t(find(t[1]))] = find(t[0]);
    parent[std::size_t(find(t[2]))] = find(t[0]);
  }
  const double scale = std::max(mesh.bounds().sizes().maxCoeff(), 1e-12);
  std::vector<char> drop(past.points.size(), 0);
  for (std::size_t i = 0; i < past.points.size(); ++i) {
    const Vec3 r = past.points[i] - point;
    const double along = r.dot(n);
    if (std::abs(along) <= 1e-9 * scale && (r - along * n).norm() <= reach)
      drop[std::size_t(find(std::int32_t(i)))] = 1;
  }
  TriangleMesh joined = behind;
  const auto offset = std::int32_t(joined.points.size());
  joined.points.insert(joined.points.end(), past.points.begin(), past.points.end());
  for (const auto& t : past.triangles)
    if (!drop[std::size_t(find(t[0]))])
      joined.triangles.push_back({t[0] + offset, t[1] + offset, t[2] + offset});
  // Merge the points the two sides share along the plane, keep the largest piece.
  auto clean = Ptr<vtkCleanPolyData>::New();
  clean->SetInputData(vtk_mesh::to_poly(joined));
  clean->PointMergingOn();
  clean->ToleranceIsAbsoluteOn();
  clean->SetAbsoluteTolerance(1e-12 * scale);
  auto largest = Ptr<vtkPolyDataConnectivityFilter>::New();
  largest->SetInputConnection(clean->GetOutputPort());
  largest->SetExtractionModeToLargestRegion();
  auto compact = Ptr<vtkCleanPolyData>::New();  // drop the points of the other regions
  compact->SetInputConnection(largest->GetOutputPort());
  compact->Update();
  TriangleMesh out = vtk_mesh::to_mesh(compact->GetOutput());
  if (out.triangles.empty()) throw Error(where() + " leaves nothing of the surface");
  return out;
}

TriangleMesh isosurface(const Image& field_in, double level, const IsosurfaceOptions& options) {
  if (field_in.grid.voxels() == 0 || std::int64_t(field_in.data.size()) != field_in.grid.voxels())
    throw Error("isosurface: the field is empty or its data does not match its size");
  const int smoothing = options.smoothing;
  if (smoothing < 0) throw Error("isosurface: smoothing iterations must be zero or positive");
  if (!(options.passband > 0 && options.passband < 2))
    throw Error("isosurface: the smoothing passband must lie in (0, 2)");
  // Closed: the field inside one more layer of values below the level.
  Image padded;
  if (options.closed) {
    Grid pg = field_in.grid;
    for (int a = 0; a < 3; ++a) pg.size[a] += 2;
    pg.origin = field_in.grid.point(Vec3(-1, -1, -1));
    // The field's own lowest value (a label field's outside: the wall lands half-way out).
    const float lowest = *std::min_element(field_in.data.begin(), field_in.data.end());
    const float below = lowest < level ? lowest : float(level) - 1.0f;
    padded = Image(pg, below);
    const Grid& fg = field_in.grid;
    for (int k = 0; k < fg.size[2]; ++k)
      for (int j = 0; j < fg.size[1]; ++j)
        for (int i = 0; i < fg.size[0]; ++i) padded.at(i + 1, j + 1, k + 1) = field_in.at(i, j, k);
  }
  const Image& field = options.closed ? padded : field_in;
  const Grid& g = field.grid;
  vtk_mesh::QuietVtk quiet;
  // Index space (spacing 1, origin 0); the grid's placement is applied to the points after.
  auto image = Ptr<vtkImageData>::New();
  image->SetDimensions(g.size[0], g.size[1], g.size[2]);
  auto values = Ptr<vtkFloatArray>::New();
  values->SetArray(const_cast<float*>(field.data.data()), vtkIdType(field.data.size()), 1);
  image->GetPointData()->SetScalars(values);
  auto fe = Ptr<vtkFlyingEdges3D>::New();
  fe->SetInputData(image);
  fe->SetValue(0, level);
  fe->ComputeNormalsOff();
  fe->ComputeGradientsOff();
  fe->ComputeScalarsOff();
  fe->Update();
  TriangleMesh m = vtk_mesh::to_mesh(fe->GetOutput());
  if (m.triangles.empty())
    throw Error("isosurface: the field does not cross the level " + std::to_string(level));

  // Wind outward (towards values below the level): test a sample of triangles in index space.
  auto sample = [&](const Vec3& c) {
    double v = 0;
    int i0[3];
    double t[3];
    for (int a = 0; a < 3; ++a) {
      const double ca = std::clamp(c[a], 0.0, double(g.size[a] - 1));
      i0[a] = std::min(int(std::floor(ca)), std::max(g.size[a] - 2, 0));
      t[a] = g.size[a] > 1 ? ca - i0[a] : 0.0;
    }
    for (int k = 0; k < 8; ++k) {
      const int di = k & 1, dj = (k >> 1) & 1, dk = (k >> 2) & 1;
      const double w = (di ? t[0] : 1 - t[0]) * (dj ? t[1] : 1 - t[1]) * (dk ? t[2] : 1 - t[2]);
      v += w * field.at(std::min(i0[0] + di, g.size[0] - 1), std::min(i0[1] + dj, g.size[1] - 1),
                        std::min(i0[2] + dk, g.size[2] - 1));
    }
    return v;
  };
  int votes = 0;
  const std::size_t stride = std::max<std::size_t>(1, m.triangles.size() / 200);
  for (std::size_t i = 0; i < m.triangles.size(); i += stride) {
    const auto& t = m.triangles[i];
    const Vec3 a = m.points[t[0]], b = m.points[t[1]], c = m.points[t[2]];
    const Vec3 n = (b - a).cross(c - a);
    if (!(n.norm() > 0)) continue;
    const Vec3 centre = (a + b + c) / 3.0;
    const Vec3 step = 0.25 * n.normalized();
    votes += sample(centre + step) < sample(centre - step) ? 1 : -1;
  }
  const Eigen::Matrix3d to_physical = g.direction * g.spacing.asDiagonal();
  if ((votes < 0) != (to_physical.determinant() < 0)) m.flip();
  for (auto& p : m.points) p = g.point(p);
  if (options.largest_piece) {
    auto largest = Ptr<vtkPolyDataConnectivityFilter>::New();
    largest->SetInputData(vtk_mesh::to_poly(m));
    largest->SetExtractionModeToLargestRegion();
    auto compact = Ptr<vtkCleanPolyData>::New();  // drop the points of the other regions
    compact->SetInputConnection(largest->GetOutputPort());
    compact->PointMergingOff();
    compact->Update();
    m = vtk_mesh::to_mesh(compact->GetOutput());
  }

  if (smoothing > 0) {
    auto poly = vtk_mesh::to_poly(m);
    auto smooth = Ptr<vtkWindowedSincPolyDataFilter>::New();
    smooth->SetInputData(poly);
    smooth->SetNumberOfIterations(smoothing);
    smooth->SetPassBand(options.passband);
    smooth->NormalizeCoordinatesOn();
    smooth->BoundarySmoothingOff();  // openings at the grid's edge stay where they are
    smooth->FeatureEdgeSmoothingOff();
    smooth->NonManifoldSmoothingOn();
    smooth->Update();
    TriangleMesh s = vtk_mesh::to_mesh(smooth->GetOutput());
    if (s.triangles.size() == m.triangles.size()) m = std::move(s);
  }
  return m;
}

}  // namespace hemotwin
