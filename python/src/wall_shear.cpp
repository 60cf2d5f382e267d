// hemotwin.WallShear (the wall shear stress at one instant) and hemotwin.WallShearAverage
// (running TAWSS and OSI).
#include "hemotwin/core/wall_shear.hpp"

#include "bindings.hpp"

namespace hemotwin::python {

namespace {

py::array_t<double> vec3_view(std::vector<Vec3>& v, py::handle owner) {
  static_assert(sizeof(Vec3) == 3 * sizeof(double));
  return view(v.empty() ? nullptr : v[0].data(), {py::ssize_t(v.size()), 3}, {3, 1}, owner, false);
}

}  // namespace

void init_wall_shear(py::module_& m) {
  py::class_<WallShearField>(m, "WallShear", R"doc(
The wall shear stress at one instant, at every wall point (one per fluid cell next to the wall,
on the wall where the Bouzidi distances put it): points (m), unit normals out of the fluid, and
the traction wss (Pa), each an (m, 3) read-only view.
)doc")
      .def_readonly("time", &WallShearField::time, "s")
      .def_property_readonly(
          "points",
          [](py::object self) { return vec3_view(self.cast<WallShearField&>().point, self); })
      .def_property_readonly(
          "normals",
          [](py::object self) { return vec3_view(self.cast<WallShearField&>().normal, self); })
      .def_property_readonly(
          "wss", [](py::object self) { return vec3_view(self.cast<WallShearField&>().wss, self); })
      .def(
          "magnitude",
          [](const WallShearField& w) {
            py::array_t<double> a(py::ssize_t(w.wss.size()));
            for (std::size_t i = 0; i < w.wss.size(); ++i) a.mutable_data()[i] = w.wss[i].norm();
            return a;
          },
          "|WSS| at each wall point, Pa.")
      .def("__len__", [](const WallShearField& w) { return w.point.size(); });

  py::class_<WallShearAverage>(m, "WallShearAverage", R"doc(
Running TAWSS and OSI over WSS samples: add(wss, dt) with the (m, 3) WSS of each sample and the
time it stands for; tawss() = (1/T) sum |wss| dt and osi() = (1 - |sum wss dt| / sum |wss| dt) / 2
(Ku et al. 1985).
)doc")
      .def(py::init<std::size_t>(), py::arg("points"))
      .def(
          "add",
          [](WallShearAverage& a, const py::object& wss, double dt) { a.add(to_points(wss), dt); },
          py::arg("wss"), py::arg("dt"))
      .def_property_readonly("duration", &WallShearAverage::duration, "s averaged so far")
      .def("tawss",
           [](const WallShearAverage& a) {
             return copy_array<double>(a.tawss(), {py::ssize_t(a.tawss().size())});
           })
      .def("osi",
           [](const WallShearAverage& a) {
             return copy_array<double>(a.osi(), {py::ssize_t(a.osi().size())});
           })
      .def("reset", &WallShearAverage::reset);
}

}  // namespace hemotwin::python
