// hemotwin.TriangleMesh and hemotwin.Opening: surfaces read, written, cut and opened, and lumen
// surfaces from label maps.
#include "hemotwin/geometry/surface.hpp"

#include "bindings.hpp"
#include "hemotwin/geometry/chamber_phantom.hpp"
#include "hemotwin/imaging/case_geometry.hpp"

namespace hemotwin::python {

namespace {

TriangleMesh mesh_from(const py::object& points, const py::object& triangles) {
  TriangleMesh m;
  m.points = to_points(points);
  const auto t =
      py::array_t<std::int32_t, py::array::c_style | py::array::forcecast>::ensure(triangles);
  if (!t || t.ndim() != 2 || t.shape(1) != 3)
    throw py::value_error("triangles must be (m, 3) indices");
  for (py::ssize_t i = 0; i < t.shape(0); ++i) {
    std::array<std::int32_t, 3> tri{t.at(i, 0), t.at(i, 1), t.at(i, 2)};
    for (int k = 0; k < 3; ++k)
      if (tri[std::size_t(k)] < 0 || std::size_t(tri[std::size_t(k)]) >= m.points.size())
        throw py::value_error("triangle " + std::to_string(i) +
                              " indexes a point that does not exist");
    m.triangles.push_back(tri);
  }
  return m;
}

}  // namespace

void init_surface(py::module_& m) {
  py::class_<TriangleMesh>(m, "TriangleMesh", "An indexed triangle mesh (mm, LPS for scans).")
      .def(py::init(&mesh_from), py::arg("points"), py::arg("triangles"))
      .def_property_readonly(
          "points",
          [](py::object self) {
            auto& t = self.cast<TriangleMesh&>();
            return view(t.points.empty() ? nullptr : t.points[0].data(),
                        {py::ssize_t(t.points.size()), 3}, {3, 1}, self);
          },
          "(n, 3) float64, writeable view.")
      .def_property_readonly(
          "triangles",
          [](py::object self) {
            auto& t = self.cast<TriangleMesh&>();
            return view(t.triangles.empty() ? nullptr : t.triangles[0].data(),
                        {py::ssize_t(t.triangles.size()), 3}, {3, 1}, self);
          },
          "(m, 3) int32 point indices, writeable view.")
      .def_property_readonly("area", &TriangleMesh::area)
      .def_property_readonly("signed_volume", &TriangleMesh::signed_volume)
      .def_property_readonly("boundary_edges", &TriangleMesh::boundary_edges)
      .def("flip", &TriangleMesh::flip)
      .def("__repr__", [](const TriangleMesh& t) {
        return "<hemotwin.TriangleMesh " + std::to_string(t.points.size()) + " points, " +
               std::to_string(t.triangles.size()) + " triangles>";
      });

  py::class_<Opening>(m, "Opening", "An open end of a surface: where a vessel was cut.")
      .def_readonly("name", &Opening::name)
      .def_property_readonly("kind",
                             [](const Opening& o) { return std::string(to_string(o.kind)); })
      .def_property_readonly("centre", [](const Opening& o) { return tuple3(o.centre); })
      .def_property_readonly("normal", [](const Opening& o) { return tuple3(o.normal); })
      .def_readonly("area", &Opening::area)
      .def_readonly("radius", &Opening::radius)
      .def_readonly("extension", &Opening::extension)
      .def("__repr__", [](const Opening& o) {
        return "<hemotwin.Opening " + o.name + ", radius " + std::to_string(o.radius) + ">";
      });

  m.def("read_surface", &read_surface, py::arg("path"),
        "Reads .stl, .vtp, .vtk, .obj or .ply; triangulates, merges coincident points.");
  m.def("write_surface", &write_surface, py::arg("mesh"), py::arg("path"),
        "Writes .stl or .vtp, atomically.");
  m.def("prolate_cavity_mesh", &prolate_cavity_mesh, py::arg("a"), py::arg("b"), py::arg("beta"),
        py::arg("rings") = 16, py::arg("segments") = 32,
        "The left-ventricle phantom's closed cavity (long semi-axis a, short b, base plane beta a "
        "above the centre, at z = 0; apex towards -z), wound outward: a chamber's wall to move.");
  m.def("find_openings", &find_openings, py::arg("mesh"),
        "The boundary loops of an open surface, largest first.");
  m.def(
      "cut_surface",
      [](const TriangleMesh& mesh, const py::object& point, const py::object& normal) {
        return cut_surface(mesh, to_vec3(point), to_vec3(normal));
      },
      py::arg("mesh"), py::arg("point"), py::arg("normal"),
      "Cuts the vessel through `point` open with a plane (normal towards the part removed).");
  m.def(
      "lumen_surface",
      [](const LabelMap& labels, int label, double sigma_mm, int smoothing_iterations) {
        py::gil_scoped_release release;
        return imaging::lumen_surface(labels, label, sigma_mm, smoothing_iterations);
      },
      py::arg("labels"), py::arg("label") = 0, py::arg("sigma_mm") = 0.0,
      py::arg("smoothing_iterations") = 0,
      "The wall of a lumen mask by marching cubes on its blurred indicator (mm); open where the "
      "lumen meets the grid's edge.");
}

}  // namespace hemotwin::python
