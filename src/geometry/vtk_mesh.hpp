#pragma once
// Internal to hemotwin::geometry: VTK polydata to TriangleMesh and back, and VTK's own messages
// silenced while a reader or filter runs (the library reports through exceptions).
#include <vtkObject.h>
#include <vtkPolyData.h>
#include <vtkSmartPointer.h>

#include "hemotwin/geometry/surface.hpp"

namespace hemotwin::vtk_mesh {

struct QuietVtk {
  int was = vtkObject::GetGlobalWarningDisplay();
  QuietVtk() { vtkObject::GlobalWarningDisplayOff(); }
  ~QuietVtk() { vtkObject::SetGlobalWarningDisplay(was); }
};

/// The polydata's points, in order, and its triangles (other cells and degenerate triangles
/// left out).
TriangleMesh to_mesh(vtkPolyData* poly);
/// The mesh as polydata: its points (double) and its triangles.
vtkSmartPointer<vtkPolyData> to_poly(const TriangleMesh& m);

}  // namespace hemotwin::vtk_mesh
