// hemotwin.centerlines and hemotwin.Centerline: minimal-path centerlines of a label map's lumen
// with the radius along them (hemotwin::imaging, ITK fast marching); hemotwin.open_stenosis and
// hemotwin.exclude_sac, the virtual interventions placed along them.
#include "hemotwin/imaging/centerline.hpp"

#include "bindings.hpp"
#include "hemotwin/imaging/intervention.hpp"

namespace hemotwin::python {

void init_centerline(py::module_& m) {
  using imaging::Centerline;
  py::class_<Centerline>(m, "Centerline", R"doc(
A centerline from the source to one target: points (n, 3) in mm (LPS), the radius of the largest
ball inside the lumen at each (mm), and the arc length from the source (mm).
)doc")
      .def_property_readonly("points", [](const Centerline& c) { return rows3(c.points); })
      .def_property_readonly("radius",
                             [](const Centerline& c) {
                               return py::array_t<double>(py::ssize_t(c.radius.size()),
                                                          c.radius.data());
                             })
      .def_property_readonly("arc_length",
                             [](const Centerline& c) {
                               return py::array_t<double>(py::ssize_t(c.arc_length.size()),
                                                          c.arc_length.data());
                             })
      .def_property_readonly("length", &Centerline::length, "mm")
      .def(
          "point_at", [](const Centerline& c, double s) { return tuple3(c.point_at(s)); },
          py::arg("s"), "The point at arc length s (mm).")
      .def("radius_at", &Centerline::radius_at, py::arg("s"), "The radius at arc length s (mm).")
      .def(
          "tangent_at", [](const Centerline& c, double s) { return tuple3(c.tangent_at(s)); },
          py::arg("s"), "The unit tangent at arc length s, from the source towards the target.")
      .def(
          "project", [](const Centerline& c, const py::object& p) { return c.project(to_vec3(p)); },
          py::arg("point"), "Arc length of the line's point nearest to `point` (mm).")
      .def("narrowest", &Centerline::narrowest, py::arg("s0") = 0.0, py::arg("s1") = 1e300,
           "Index of the point of smallest radius with arc length in [s0, s1].")
      .def("__len__", [](const Centerline& c) { return c.points.size(); })
      .def("__repr__", [](const Centerline& c) {
        return "<hemotwin.Centerline " + std::to_string(c.points.size()) + " points, " +
               std::to_string(c.length()) + " mm>";
      });

  m.def(
      "centerlines",
      [](const LabelMap& labels, const py::object& source, const py::object& targets, int label,
         double speed_power, double step, int smoothing, double snap) {
        imaging::CenterlineOptions o;
        o.label = label;
        o.speed_power = speed_power;
        o.step = step;
        o.smoothing = smoothing;
        o.snap = snap;
        const Vec3 s = to_vec3(source);
        const std::vector<Vec3> t = to_points(targets);
        py::gil_scoped_release release;
        return imaging::centerlines(labels, s, t, o);
      },
      py::arg("labels"), py::arg("source"), py::arg("targets"), py::arg("label") = 0,
      py::arg("speed_power") = 2.0, py::arg("step") = 0.0, py::arg("smoothing") = 20,
      py::arg("snap") = 0.0, R"doc(
Centerlines of the lumen from `source` to each of `targets` (points in mm, LPS): minimal paths
of ITK's fast marching on a speed that peaks on the medial axis, smoothed and resampled every
`step` mm (0: half a voxel), with the inscribed radius along them. Points up to `snap` mm (0: two
voxels) outside the lumen are moved onto it; beyond that, or when a target is not connected to
the source, hemotwin.Error names the point.
)doc");

  py::class_<imaging::Intervention>(m, "Intervention",
                                    "A virtual intervention's result: the new label map and what "
                                    "changed.")
      .def_readonly("labels", &imaging::Intervention::labels)
      .def_readonly("voxels_added", &imaging::Intervention::voxels_added)
      .def_readonly("voxels_removed", &imaging::Intervention::voxels_removed)
      .def_readonly("radius", &imaging::Intervention::radius, "mm, the target radius used")
      .def_readonly("reference_radius", &imaging::Intervention::reference_radius,
                    "mm, the vessel's radius either side of the stretch");

  m.def(
      "open_stenosis",
      [](const LabelMap& labels, const Centerline& c, double s0, double s1, double radius) {
        py::gil_scoped_release release;
        return imaging::open_stenosis(labels, c, s0, s1, radius);
      },
      py::arg("labels"), py::arg("centerline"), py::arg("s0"), py::arg("s1"),
      py::arg("radius") = 0.0, R"doc(
Virtual angioplasty: the lumen between arc lengths s0 and s1 (mm) of the centerline becomes at
least a tube of `radius` mm about it (0: the reference radius, the median radii either side).
Returns an Intervention; `labels` is left as it was.
)doc");
  m.def(
      "exclude_sac",
      [](const LabelMap& labels, const Centerline& parent, const py::object& centre,
         double radius) {
        const Vec3 p = to_vec3(centre);
        py::gil_scoped_release release;
        return imaging::exclude_sac(labels, parent, p, radius);
      },
      py::arg("labels"), py::arg("parent"), py::arg("sac_centre"), py::arg("sac_radius"), R"doc(
Virtual coiling: the lumen inside the ball (sac_centre, sac_radius) (mm) beyond the parent
vessel (farther from its centerline than its radius) is removed, with what no longer connects.
)doc");
}

}  // namespace hemotwin::python
