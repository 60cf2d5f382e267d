// Surface series from files: one surface per phase, or one .vtp with a displacement array per
// phase (surface_series.hpp).
#include <vtkDataArray.h>
#include <vtkDoubleArray.h>
#include <vtkFieldData.h>
#include <vtkPointData.h>
#include <vtkSmartPointer.h>
#include <vtkTriangleFilter.h>
#include <vtkXMLPolyDataReader.h>
#include <vtkXMLPolyDataWriter.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string>

#include "hemotwin/core/error.hpp"
#include "hemotwin/geometry/surface_series.hpp"
#include "surface_checks.hpp"
#include "vtk_mesh.hpp"

namespace fs = std::filesystem;

namespace hemotwin {
namespace {

bool starts_with_displacement(const char* name) {
  if (!name) return false;
  std::string n(name);
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
  return n.rfind("displacement", 0) == 0;
}

}  // namespace

std::shared_ptr<const SurfaceSeries> read_surface_series(const std::vector<fs::path>& files,
                                                         double period, double scale) {
  if (files.size() < 3)
    throw Error("surface series: a cycle needs at least 3 surfaces, got " +
                std::to_string(files.size()));
  std::vector<std::vector<Vec3>> phases;
  std::vector<double> times;
  TriangleMesh first;
  for (std::size_t k = 0; k < files.size(); ++k) {
    TriangleMesh mesh = read_surface(files[k]);
    if (k == 0) {
      first = mesh;
    } else if (mesh.points.size() != first.points.size() ||
               mesh.triangles.size() != first.triangles.size()) {
      throw Error(files[k].string() + ": " + std::to_string(mesh.points.size()) + " vertices and " +
                  std::to_string(mesh.triangles.size()) + " triangles, " + files[0].string() +
                  " has " + std::to_string(first.points.size()) + " and " +
                  std::to_string(first.triangles.size()) +
                  ": a surface series moves one mesh, vertex for vertex");
    } else {
      const auto differ =
          std::mismatch(mesh.triangles.begin(), mesh.triangles.end(), first.triangles.begin());
      if (differ.first != mesh.triangles.end())
        throw Error(files[k].string() + ": triangle " +
                    std::to_string(differ.first - mesh.triangles.begin() + 1) +
                    " joins other vertices than in " + files[0].string() +
                    ": a surface series moves one mesh, vertex for vertex");
    }
    for (Vec3& p : mesh.points) p *= scale;
    phases.push_back(std::move(mesh.points));
    times.push_back(period * double(k) / double(files.size()));
  }
  return std::make_shared<SurfaceSeries>(first.triangles, std::move(phases), std::move(times),
                                         period);
}

std::shared_ptr<const SurfaceSeries> read_surface_series(const fs::path& vtp, double period,
                                                         double scale) {
  const std::string file = vtp.string();
  std::error_code ec;
  if (!fs::is_regular_file(vtp, ec)) throw Error("no such surface series (.vtp expected)", file);
  geometry_checks::check_vtk_xml(vtp);
  vtk_mesh::QuietVtk quiet;
  auto reader = vtkSmartPointer<vtkXMLPolyDataReader>::New();
  reader->SetFileName(file.c_str());
  reader->Update();
  if (reader->GetErrorCode() != 0)
    throw Error("cannot read this surface series: the reader failed", file);
  // Triangulated as it is: no point merged or dropped, so the arrays keep their points.
  auto tri = vtkSmartPointer<vtkTriangleFilter>::New();
  tri->SetInputConnection(reader->GetOutputPort());
  tri->PassLinesOff();
  tri->PassVertsOff();
  tri->Update();
  vtkPolyData* poly = tri->GetOutput();
  const TriangleMesh mesh = vtk_mesh::to_mesh(poly);
  if (mesh.triangles.empty()) throw Error("the file holds no surface triangles", file);
  vtkPointData* data = poly->GetPointData();
  std::vector<std::vector<Vec3>> phases;
  for (int a = 0; a < data->GetNumberOfArrays(); ++a) {
    vtkDataArray* d = data->GetArray(a);
    if (!d || !starts_with_displacement(d->GetName())) continue;
    if (d->GetNumberOfComponents() != 3)
      throw Error("point array '" + std::string(d->GetName()) + "' has " +
                      std::to_string(d->GetNumberOfComponents()) +
                      " components; a displacement has 3 (x, y, z)",
                  file);
    std::vector<Vec3> p(mesh.points.size());
    for (std::size_t v = 0; v < p.size(); ++v) {
      double u[3];
      d->GetTuple(vtkIdType(v), u);
      p[v] = scale * (mesh.points[v] + Vec3(u[0], u[1], u[2]));
    }
    phases.push_back(std::move(p));
  }
  if (phases.empty())
    throw Error(
        "no point array named displacement*: a surface series in one .vtp holds one "
        "3-component displacement array per phase, in the cycle's order",
        file);
  vtkFieldData* field = poly->GetFieldData();
  vtkDataArray* p = field ? field->GetArray("period") : nullptr;
  if (p && (p->GetNumberOfTuples() != 1 || p->GetNumberOfComponents() != 1))
    throw Error("field array 'period' holds " +
                    std::to_string(p->GetNumberOfTuples() * p->GetNumberOfComponents()) +
                    " values; the cycle's length is one",
                file);
  const double stored = p ? p->GetTuple1(0) : 0.0;
  if (!(period > 0)) {
    if (!(stored > 0))
      throw Error(
          "no period: give the cycle's length (geometry.period_s) or store it in the file as a "
          "one-value field array 'period'",
          file);
    period = stored;
  }
  std::vector<double> times;
  if (vtkDataArray* t = field ? field->GetArray("times") : nullptr) {
    if (t->GetNumberOfComponents() != 1 || t->GetNumberOfTuples() != vtkIdType(phases.size()))
      throw Error("field array 'times' holds " +
                      std::to_string(t->GetNumberOfTuples() * t->GetNumberOfComponents()) +
                      " values for " + std::to_string(phases.size()) +
                      " displacement arrays (one time per phase expected)",
                  file);
    // Times stored with their own period are fractions of that cycle: a different period given
    // (another heart rate) stretches them with it.
    const double stretch = stored > 0 ? period / stored : 1.0;
    for (vtkIdType k = 0; k < vtkIdType(phases.size()); ++k)
      times.push_back(stretch * t->GetTuple1(k));
  } else {
    for (std::size_t k = 0; k < phases.size(); ++k)
      times.push_back(period * double(k) / double(phases.size()));
  }
  try {
    return std::make_shared<SurfaceSeries>(mesh.triangles, std::move(phases), std::move(times),
                                           period);
  } catch (const Error& e) {
    throw Error(e.message(), file);
  }
}

void write_surface_series(const TriangleMesh& mesh, const std::vector<std::vector<Vec3>>& phases,
                          const std::vector<double>& times, double period, const fs::path& vtp) {
  const std::string file = vtp.string();
  if (mesh.triangles.empty()) throw Error("the surface series to write has no triangles", file);
  if (times.size() != phases.size())
    throw Error(std::to_string(times.size()) + " times for " + std::to_string(phases.size()) +
                    " phases: one time per phase",
                file);
  auto poly = vtk_mesh::to_poly(mesh);
  for (std::size_t k = 0; k < phases.size(); ++k) {
    if (phases[k].size() != mesh.points.size())
      throw Error("phase " + std::to_string(k + 1) + " has " + std::to_string(phases[k].size()) +
                      " vertices, the mesh " + std::to_string(mesh.points.size()),
                  file);
    auto d = vtkSmartPointer<vtkDoubleArray>::New();
    char name[48];
    std::snprintf(name, sizeof name, "displacement_%02d", int(k));
    d->SetName(name);
    d->SetNumberOfComponents(3);
    d->SetNumberOfTuples(vtkIdType(mesh.points.size()));
    for (std::size_t v = 0; v < mesh.points.size(); ++v) {
      const Vec3 u = phases[k][v] - mesh.points[v];
      d->SetTuple(vtkIdType(v), u.data());
    }
    poly->GetPointData()->AddArray(d);
  }
  auto t = vtkSmartPointer<vtkDoubleArray>::New();
  t->SetName("times");
  for (double x : times) t->InsertNextValue(x);
  auto p = vtkSmartPointer<vtkDoubleArray>::New();
  p->SetName("period");
  p->InsertNextValue(period);
  poly->GetFieldData()->AddArray(t);
  poly->GetFieldData()->AddArray(p);

  const fs::path tmp = vtp.parent_path() / (".partial-" + vtp.filename().string());
  vtk_mesh::QuietVtk quiet;
  auto w = vtkSmartPointer<vtkXMLPolyDataWriter>::New();
  w->SetFileName(tmp.string().c_str());
  w->SetDataModeToAppended();
  w->SetInputData(poly);
  std::error_code ec;
  if (w->Write() != 1) {
    fs::remove(tmp, ec);
    throw Error("cannot write the surface series (is the folder writable?)", file);
  }
  fs::rename(tmp, vtp, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw Error("cannot move the written surface series into place: " + ec.message(), file);
  }
}

}  // namespace hemotwin
