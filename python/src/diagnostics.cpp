// hemotwin.Iolet (an inlet or outlet), hemotwin.Section (a measurement section) and
// hemotwin.Diagnostics (the reductions over the fluid and
// the iolets at one instant).
#include "bindings.hpp"
#include "hemotwin/core/fields.hpp"

namespace hemotwin::python {

void init_diagnostics(py::module_& m) {
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

  py::class_<SectionInfo>(m, "Section",
                          "A measurement section (case [sections.NAME]): flow and mean pressure "
                          "are sampled there, nothing is imposed.")
      .def_readonly("name", &SectionInfo::name)
      .def_property_readonly(
          "centre", [](const SectionInfo& s) { return tuple3(s.centre); }, "m")
      .def_property_readonly(
          "normal", [](const SectionInfo& s) { return tuple3(s.normal); },
          "unit normal: the flow direction that counts positive")
      .def_readonly("area", &SectionInfo::area, "m^2 of the fluid cross-section sampled")
      .def("__repr__", [](const SectionInfo& s) { return "<hemotwin.Section " + s.name + ">"; });

  py::class_<Diagnostics>(m, "Diagnostics", R"doc(
Reductions over the fluid at one instant: mass (lattice units), the largest speed (m/s), and per
inlet/outlet (in Simulation.iolets order) the flow (m^3/s, into the domain at inlets, out of it
at outlets), the mean pressure over its cross-section (Pa) and, at pressure outlets, the pressure
the outlet imposes (Pa; NaN elsewhere); per measurement section (Simulation.sections order) the
flow along its normal (m^3/s) and its mean pressure (Pa).
)doc")
      .def_readonly("step", &Diagnostics::step)
      .def_readonly("time", &Diagnostics::time, "s")
      .def_readonly("mass", &Diagnostics::mass)
      .def_readonly("max_speed", &Diagnostics::max_speed, "m/s")
      .def_readonly("iolet_flow", &Diagnostics::iolet_flow, "m^3/s")
      .def_readonly("iolet_pressure", &Diagnostics::iolet_pressure, "Pa")
      .def_readonly("iolet_boundary_pressure", &Diagnostics::iolet_boundary_pressure, "Pa")
      .def_readonly("section_flow", &Diagnostics::section_flow, "m^3/s")
      .def_readonly("section_pressure", &Diagnostics::section_pressure, "Pa");
}

}  // namespace hemotwin::python
