// hemotwin.Fields: velocity and pressure at one instant, as NumPy arrays over the snapshot.
#include "fields.hpp"

#include "grid.hpp"

namespace hemotwin::python {

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
}

}  // namespace hemotwin::python
