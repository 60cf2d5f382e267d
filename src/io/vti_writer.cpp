#include "hemotwin/io/vti_writer.hpp"

#include <vtkCallbackCommand.h>
#include <vtkCellArray.h>
#include <vtkCommand.h>
#include <vtkDoubleArray.h>
#include <vtkErrorCode.h>
#include <vtkExecutive.h>
#include <vtkFieldData.h>
#include <vtkFloatArray.h>
#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPointInterpolator.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkShepardKernel.h>
#include <vtkSmartPointer.h>
#include <vtkStaticPointLocator.h>
#include <vtkUnsignedCharArray.h>
#include <vtkXMLImageDataWriter.h>
#include <vtkXMLPolyDataWriter.h>

#include <string>
#include <utility>

#include "grid_checks.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/core/flow_fields.hpp"

namespace hemotwin::io {

namespace {

/// Collects the messages of VTK error events instead of letting VTK print them.
void collect_vtk_error(vtkObject*, unsigned long, void* client, void* call) {
  auto* text = static_cast<std::string*>(client);
  // VTK's text is "ERROR: In FILE, line N\nCLASS (0xADDRESS): message"; keep the message.
  std::string message = call ? static_cast<const char*>(call) : "unknown VTK error";
  const auto address_end = message.find("): ");
  if (address_end != std::string::npos) message = message.substr(address_end + 3);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (!text->empty()) *text += "; ";
  *text += message;
}

// Runs a VTK XML writer into `path` (binary appended data, zlib, 64-bit headers); throws with
// VTK's own message when it fails.
void write_with(vtkXMLWriter* writer, const std::filesystem::path& path, const char* what) {
  std::string errors;
  vtkNew<vtkCallbackCommand> on_error;
  on_error->SetCallback(collect_vtk_error);
  on_error->SetClientData(&errors);

  // The pipeline repeats a failure as "returned failure for request"; the writer's own message
  // says what failed, so the executive's goes to `pipeline_errors` and is used only without it.
  std::string pipeline_errors;
  vtkNew<vtkCallbackCommand> on_pipeline_error;
  on_pipeline_error->SetCallback(collect_vtk_error);
  on_pipeline_error->SetClientData(&pipeline_errors);

  writer->AddObserver(vtkCommand::ErrorEvent, on_error);
  writer->GetExecutive()->AddObserver(vtkCommand::ErrorEvent, on_pipeline_error);
  writer->SetFileName(path.c_str());
  writer->SetDataModeToAppended();
  writer->EncodeAppendedDataOff();  // raw binary, not base64
  writer->SetCompressorTypeToZLib();
  writer->SetHeaderTypeToUInt64();  // arrays beyond 4 GiB
  const int ok = writer->Write();
  // A full disk leaves only the error code (and the executive's dump of its request).
  const unsigned long code = writer->GetErrorCode();
  if (errors.empty() && code == vtkErrorCode::OutOfDiskSpaceError)
    errors = "No space left on device";
  else if (errors.empty() && code != 0)
    errors = vtkErrorCode::GetStringFromErrorCode(code);
  if (errors.empty() && ok != 1 &&
      pipeline_errors.find("returned failure for request") == std::string::npos)
    errors = pipeline_errors;
  if (ok != 1 || writer->GetErrorCode() != 0 || !errors.empty())
    throw Error(
        std::string("VTK: cannot write ") + what + (errors.empty() ? std::string() : ": " + errors),
        path.string());
}

// f(cell, point) for every fluid cell: its index in the snapshot and in the dense image.
template <class F>
void for_each_fluid_cell(const GridInfo& grid, F&& f) {
  const vtkIdType nx = grid.cells[0], ny = grid.cells[1];
  const int b = grid.brick_size;
  const std::int64_t brick_cells = static_cast<std::int64_t>(b) * b * b;
  for (std::size_t brick = 0; brick < grid.brick_origins.size(); ++brick) {
    const auto& o = grid.brick_origins[brick];
    for (int z = 0; z < b; ++z)
      for (int y = 0; y < b; ++y)
        for (int x = 0; x < b; ++x) {
          const std::int64_t cell =
              static_cast<std::int64_t>(brick) * brick_cells + x + b * (y + b * z);
          if (grid.cell_type[cell] != static_cast<std::uint8_t>(CellType::Fluid)) continue;
          f(cell, (o[0] + x) + nx * ((o[1] + y) + ny * static_cast<vtkIdType>(o[2] + z)));
        }
  }
}

}  // namespace

void write_vti(const std::filesystem::path& path, const GridInfo& grid,
               const FieldSnapshot& snapshot, bool vortex_fields) {
  detail::check_grid(grid, path.string());
  detail::check_snapshot(grid, snapshot, path.string());
  const vtkIdType nx = grid.cells[0], ny = grid.cells[1], nz = grid.cells[2];
  const vtkIdType points = nx * ny * nz;

  vtkNew<vtkImageData> image;
  image->SetDimensions(static_cast<int>(nx), static_cast<int>(ny), static_cast<int>(nz));
  image->SetOrigin(grid.origin.x(), grid.origin.y(), grid.origin.z());
  image->SetSpacing(grid.dx, grid.dx, grid.dx);

  vtkNew<vtkFloatArray> velocity;
  velocity->SetName("velocity");
  velocity->SetNumberOfComponents(3);
  velocity->SetNumberOfTuples(points);
  velocity->FillValue(0.0f);
  vtkNew<vtkFloatArray> pressure;
  pressure->SetName("pressure");
  pressure->SetNumberOfTuples(points);
  pressure->FillValue(0.0f);
  vtkNew<vtkUnsignedCharArray> mask;
  mask->SetName("fluid_mask");
  mask->SetNumberOfTuples(points);
  mask->FillValue(0);

  float* v = velocity->GetPointer(0);
  float* p = pressure->GetPointer(0);
  unsigned char* f = mask->GetPointer(0);
  for_each_fluid_cell(grid, [&](std::int64_t cell, vtkIdType id) {
    for (int k = 0; k < 3; ++k) v[3 * id + k] = snapshot.velocity[3 * cell + k];
    p[id] = snapshot.pressure[cell];
    f[id] = 1;
  });
  image->GetPointData()->AddArray(velocity);
  image->GetPointData()->SetActiveVectors("velocity");
  image->GetPointData()->AddArray(pressure);
  image->GetPointData()->SetActiveScalars("pressure");
  image->GetPointData()->AddArray(mask);
  if (vortex_fields && !snapshot.velocity.empty()) {
    const VortexFields vf = hemotwin::vortex_fields(grid, snapshot.velocity);
    for (const auto& [name, field] : {std::pair{"q_criterion", &vf.q}, {"lambda2", &vf.lambda2}}) {
      const auto* values = field;  // clang 14 cannot capture a structured binding
      vtkNew<vtkFloatArray> a;
      a->SetName(name);
      a->SetNumberOfTuples(points);
      a->FillValue(0.0f);
      float* out = a->GetPointer(0);
      for_each_fluid_cell(grid,
                          [&](std::int64_t cell, vtkIdType id) { out[id] = (*values)[cell]; });
      image->GetPointData()->AddArray(a);
    }
  }

  vtkNew<vtkDoubleArray> time;
  time->SetName("TimeValue");
  time->InsertNextValue(snapshot.time);
  image->GetFieldData()->AddArray(time);

  vtkNew<vtkXMLImageDataWriter> writer;
  writer->SetInputData(image);
  write_with(writer, path, "the image");
}

namespace {

// The wall points as polydata: one vertex per point, with the wall quantities as point arrays.
vtkSmartPointer<vtkPolyData> wall_points(const WallShearField& wall,
                                         const std::vector<double>& tawss,
                                         const std::vector<double>& osi,
                                         const std::filesystem::path& path) {
  const vtkIdType n = static_cast<vtkIdType>(wall.point.size());
  if (wall.normal.size() != wall.point.size() || wall.wss.size() != wall.point.size() ||
      (!tawss.empty() && tawss.size() != wall.point.size()) ||
      (!osi.empty() && osi.size() != wall.point.size()))
    throw Error("the wall's arrays do not match its " + std::to_string(n) + " points",
                path.string());
  vtkNew<vtkPoints> points;
  points->SetDataTypeToDouble();
  points->SetNumberOfPoints(n);
  vtkNew<vtkCellArray> vertices;
  for (vtkIdType k = 0; k < n; ++k) {
    points->SetPoint(k, wall.point[k].data());
    vertices->InsertNextCell(1, &k);
  }
  auto poly = vtkSmartPointer<vtkPolyData>::New();
  poly->SetPoints(points);
  poly->SetVerts(vertices);
  const auto vectors = [&](const char* name, const std::vector<Vec3>& v) {
    vtkNew<vtkDoubleArray> a;
    a->SetName(name);
    a->SetNumberOfComponents(3);
    a->SetNumberOfTuples(n);
    for (vtkIdType k = 0; k < n; ++k) a->SetTuple(k, v[k].data());
    poly->GetPointData()->AddArray(a);
  };
  const auto scalars = [&](const char* name, const std::vector<double>& v) {
    vtkNew<vtkDoubleArray> a;
    a->SetName(name);
    a->SetNumberOfTuples(n);
    for (vtkIdType k = 0; k < n; ++k) a->SetValue(k, v[k]);
    poly->GetPointData()->AddArray(a);
  };
  vectors("wss", wall.wss);
  vectors("normal", wall.normal);
  std::vector<double> magnitude(wall.wss.size());
  for (std::size_t k = 0; k < magnitude.size(); ++k) magnitude[k] = wall.wss[k].norm();
  scalars("wss_magnitude", magnitude);
  if (!tawss.empty()) scalars("tawss", tawss);
  if (!osi.empty()) scalars("osi", osi);
  poly->GetPointData()->SetActiveVectors("wss");
  return poly;
}

void add_time(vtkPolyData* poly, double t) {
  vtkNew<vtkDoubleArray> time;
  time->SetName("TimeValue");
  time->InsertNextValue(t);
  poly->GetFieldData()->AddArray(time);
}

}  // namespace

void write_wall_vtp(const std::filesystem::path& path, const WallShearField& wall,
                    const std::vector<double>& tawss, const std::vector<double>& osi) {
  const auto poly = wall_points(wall, tawss, osi, path);
  add_time(poly, wall.time);
  vtkNew<vtkXMLPolyDataWriter> writer;
  writer->SetInputData(poly);
  write_with(writer, path, "the wall");
}

void write_wall_surface_vtp(const std::filesystem::path& path, const WallSurface& surface,
                            const WallShearField& wall, const std::vector<double>& tawss,
                            const std::vector<double>& osi) {
  if (wall.point.empty()) throw Error("the wall has no points to map onto its surface", path);
  const vtkIdType n = static_cast<vtkIdType>(surface.points.size());
  vtkNew<vtkPoints> points;
  points->SetDataTypeToDouble();
  points->SetNumberOfPoints(n);
  for (vtkIdType k = 0; k < n; ++k) points->SetPoint(k, surface.points[std::size_t(k)].data());
  vtkNew<vtkCellArray> triangles;
  std::vector<Vec3> normal(surface.points.size(), Vec3::Zero());
  for (const auto& t : surface.triangles) {
    for (const auto i : t)
      if (i < 0 || i >= n)
        throw Error("the wall surface has a triangle with a vertex index out of range", path);
    const vtkIdType ids[3] = {t[0], t[1], t[2]};
    triangles->InsertNextCell(3, ids);
    // Area-weighted vertex normals (the cross product's length is twice the area).
    const Vec3& a = surface.points[std::size_t(t[0])];
    const Vec3 c =
        (surface.points[std::size_t(t[1])] - a).cross(surface.points[std::size_t(t[2])] - a);
    for (const auto i : t) normal[std::size_t(i)] += c;
  }
  vtkNew<vtkPolyData> poly;
  poly->SetPoints(points);
  poly->SetPolys(triangles);

  // Each vertex takes the inverse-distance (Shepard) mean of its nearest wall points.
  vtkNew<vtkStaticPointLocator> locator;
  const auto source = wall_points(wall, tawss, osi, path);
  locator->SetDataSet(source);
  locator->BuildLocator();
  vtkNew<vtkShepardKernel> kernel;
  kernel->SetPowerParameter(2);
  kernel->SetKernelFootprintToNClosest();
  kernel->SetNumberOfPoints(kWallSurfaceNeighbours);
  vtkNew<vtkPointInterpolator> interpolate;
  interpolate->SetInputData(poly);
  interpolate->SetSourceData(source);
  interpolate->SetLocator(locator);
  interpolate->SetKernel(kernel);
  interpolate->AddExcludedArray("normal");
  interpolate->PassPointArraysOff();
  interpolate->Update();
  vtkPolyData* out = vtkPolyData::SafeDownCast(interpolate->GetOutput());
  if (!out || out->GetNumberOfPoints() != n)
    throw Error("mapping the wall shear stress onto the wall surface failed", path);

  // The interpolated stress is tangential to the wall points' planes; made tangential to the
  // surface's, and its magnitude taken again.
  auto* wss = vtkDoubleArray::SafeDownCast(out->GetPointData()->GetArray("wss"));
  auto* magnitude = vtkDoubleArray::SafeDownCast(out->GetPointData()->GetArray("wss_magnitude"));
  vtkNew<vtkDoubleArray> normals;
  normals->SetName("normal");
  normals->SetNumberOfComponents(3);
  normals->SetNumberOfTuples(n);
  for (vtkIdType k = 0; k < n; ++k) {
    Vec3 nk = normal[std::size_t(k)];
    if (nk.norm() > 0) nk.normalize();
    normals->SetTuple(k, nk.data());
    if (!wss) continue;
    Vec3 w;
    wss->GetTuple(k, w.data());
    w -= w.dot(nk) * nk;
    wss->SetTuple(k, w.data());
    if (magnitude) magnitude->SetValue(k, w.norm());
  }
  out->GetPointData()->AddArray(normals);
  out->GetPointData()->SetActiveVectors("wss");
  add_time(out, wall.time);
  vtkNew<vtkXMLPolyDataWriter> writer;
  writer->SetInputData(out);
  write_with(writer, path, "the wall surface");
}

std::vector<double> wall_point_areas(const WallSurface& surface, const std::vector<Vec3>& points) {
  std::vector<double> area(points.size(), 0.0);
  if (points.empty() || surface.empty()) return area;
  vtkNew<vtkPoints> pts;
  pts->SetDataTypeToDouble();
  pts->SetNumberOfPoints(static_cast<vtkIdType>(points.size()));
  for (std::size_t k = 0; k < points.size(); ++k)
    pts->SetPoint(static_cast<vtkIdType>(k), points[k].data());
  vtkNew<vtkPolyData> cloud;
  cloud->SetPoints(pts);
  vtkNew<vtkStaticPointLocator> locator;
  locator->SetDataSet(cloud);
  locator->BuildLocator();
  const auto n = static_cast<std::int64_t>(surface.points.size());
  for (const auto& t : surface.triangles) {
    if (t[0] < 0 || t[1] < 0 || t[2] < 0 || t[0] >= n || t[1] >= n || t[2] >= n)
      throw Error("the wall surface has a triangle with a vertex index out of range");
    const Vec3& a = surface.points[std::size_t(t[0])];
    const Vec3& b = surface.points[std::size_t(t[1])];
    const Vec3& c = surface.points[std::size_t(t[2])];
    const Vec3 centroid = (a + b + c) / 3.0;
    const vtkIdType nearest = locator->FindClosestPoint(centroid.data());
    if (nearest >= 0) area[std::size_t(nearest)] += 0.5 * (b - a).cross(c - a).norm();
  }
  return area;
}

}  // namespace hemotwin::io
