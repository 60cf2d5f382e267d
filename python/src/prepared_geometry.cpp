// hemotwin.PreparedGeometry and prepare_geometry: what a surface, label map or scan case becomes
// before the lattice (its wall, openings and the voxelised grid).
#include <memory>

#include "bindings.hpp"
#include "hemotwin/core/sparse_lattice.hpp"
#include "hemotwin/imaging/case_geometry.hpp"

namespace hemotwin::python {

void init_prepared_geometry(py::module_& m) {
  py::class_<imaging::PreparedGeometry>(m, "PreparedGeometry",
                                        "A file case's geometry before the lattice.")
      .def_readonly("wall", &imaging::PreparedGeometry::wall, "The open wall surface (mm).")
      .def_readonly("openings", &imaging::PreparedGeometry::openings)
      .def_readonly("file", &imaging::PreparedGeometry::file)
      .def_readonly("spacing_mm", &imaging::PreparedGeometry::spacing_mm)
      .def_readonly("segmented_volume_mm3", &imaging::PreparedGeometry::segmented_volume_mm3)
      .def_readonly("notes", &imaging::PreparedGeometry::notes)
      .def_property_readonly(
          "grid",
          [](const imaging::PreparedGeometry& g) {
            return std::make_shared<GridInfo>(SparseLattice(g.domain).grid_info());
          },
          "The voxelised lattice (hemotwin.Grid): which cells are fluid.");
  m.def(
      "prepare_geometry",
      [](const Case& c) {
        py::gil_scoped_release release;
        return imaging::prepare_geometry(c);
      },
      py::arg("case"),
      "Reads, segments (scans), opens and closes the geometry of a surface, label_map or scan "
      "case: the wall, its openings and the lattice it voxelises to.");
}

}  // namespace hemotwin::python
