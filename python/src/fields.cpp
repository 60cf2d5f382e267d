// hemotwin.Fields (velocity and pressure at one instant), hemotwin.WallShear, hemotwin.Iolet and
// hemotwin.Diagnostics: what a simulation reports, as NumPy arrays over the C++ vectors.
#include "fields.hpp"

#include "grid.hpp"
#include "hemotwin/core/wall_shear.hpp"

namespace hemotwin::python {

namespace {

py::array_t<double> vec3_view(std::vector<Vec3>& v, py::handle owner) {
  static_assert(sizeof(Vec3) == 3 * sizeof(double));
  return view(v.empty() ? nullptr : v[0].data(), {py::ssize_t(v.size()), 3}, {3, 1}, owner, false);
}

py::tuple tuple3(const Vec3& v) { return py::make_tuple(v.x(), v.y(), v.z()); }

}  // namespace

void init_fields(py::module_& m) {
  py::class_<Fields>(m, "Fields", R"doc(
Velocity (m/s) and gauge pressure (Pa) of every stored cell at one instant, brick by brick as
the solver stores them (see hemotwin.Grid); 0 outside the fluid. velocity and pressure are
read-only NumPy views of this snapshot (no copy); velocity_dense() and pressure_dense() scatter
them onto the [z][y][x] box, NaN outside the fluid, ready for matplotlib.
)doc")
      .def_property_readonly("step", [](const Fields& f) { return f.snapshot.step; })
      .def_property_readonly(
          "time", [](const Fields& f) { return f.snapshot.time; }, "s")
      .def_property_readonly("grid", [](const Fields& f) { return f.grid; })
      .def_property_readonly(
          "velocity",
          [](py::object self) {
            auto& f = self.cast<Fields&>();
            return view(f.snapshot.velocity.data(),
                        {py::ssize_t(f.snapshot.velocity.size() / 3), 3}, {3, 1}, self, false);
          },
          "(stored_cells, 3) float32, m/s.")
      .def_property_readonly(
          "pressure",
          [](py::object self) {
            auto& f = self.cast<Fields&>();
            return view(f.snapshot.pressure.data(), {py::ssize_t(f.snapshot.pressure.size())}, {1},
                        self, false);
          },
          "(stored_cells,) float32, Pa (gauge).")
      .def(
          "velocity_dense",
          [](const Fields& f, double fill) {
            return dense(*f.grid, f.snapshot.velocity.data(), true, 3, fill);
          },
          py::arg("fill") = std::numeric_limits<double>::quiet_NaN(),
          "[z][y][x][3] float64 over the bounding box, `fill` outside the fluid.")
      .def(
          "pressure_dense",
          [](const Fields& f, double fill) {
            return dense(*f.grid, f.snapshot.pressure.data(), true, 1, fill);
          },
          py::arg("fill") = std::numeric_limits<double>::quiet_NaN(),
          "[z][y][x] float64 over the bounding box, `fill` outside the fluid.")
      .def("__repr__", [](const Fields& f) {
        return "<hemotwin.Fields step " + std::to_string(f.snapshot.step) +
               ", t = " + std::to_string(f.snapshot.time) + " s>";
      });

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

  py::class_<IoletInfo>(m, "Iolet", "An inlet or outlet: its plane and cross-section.")
      .def_readonly("name", &IoletInfo::name)
      .def_property_readonly(
          "kind", [](const IoletInfo& i) { return std::string(to_string(i.kind)); },
          "'velocity_inlet', 'pressure_outlet' or 'velocity_outlet'.")
      .def_property_readonly("is_outlet", [](const IoletInfo& i) { return is_outlet(i.kind); })
      .def_property_readonly(
          "centre", [](const IoletInfo& i) { return tuple3(i.centre); }, "m")
      .def_property_readonly(
          "normal", [](const IoletInfo& i) { return tuple3(i.normal); }, "outward unit normal")
      .def_readonly("area", &IoletInfo::area, "m^2 of the fluid cross-section")
      .def("__repr__", [](const IoletInfo& i) {
        return "<hemotwin.Iolet " + i.name + " (" + to_string(i.kind) + ")>";
      });

  py::class_<Diagnostics>(m, "Diagnostics", R"doc(
Reductions over the fluid at one instant: mass (lattice units), the largest speed (m/s), and per
inlet/outlet (in Simulation.iolets order) the flow (m^3/s, into the domain at inlets, out of it
at outlets), the mean pressure over its cross-section (Pa) and, at pressure outlets, the pressure
the outlet imposes (Pa; NaN elsewhere).
)doc")
      .def_readonly("step", &Diagnostics::step)
      .def_readonly("time", &Diagnostics::time, "s")
      .def_readonly("mass", &Diagnostics::mass)
      .def_readonly("max_speed", &Diagnostics::max_speed, "m/s")
      .def_readonly("iolet_flow", &Diagnostics::iolet_flow, "m^3/s")
      .def_readonly("iolet_pressure", &Diagnostics::iolet_pressure, "Pa")
      .def_readonly("iolet_boundary_pressure", &Diagnostics::iolet_boundary_pressure, "Pa");
}

}  // namespace hemotwin::python
