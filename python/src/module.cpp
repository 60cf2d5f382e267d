// The _hemotwin extension: the C++ library bound class by class (one file each); the pure-Python
// package hemotwin (python/hemotwin) imports it and adds load() and helpers.
#include <spdlog/spdlog.h>

#include "bindings.hpp"
#include "hemotwin/core/simulation.hpp"
#include "hemotwin/version.hpp"

namespace hemotwin::python {

py::array_t<double> rows3(const std::vector<Vec3>& v) {
  py::array_t<double> a({static_cast<py::ssize_t>(v.size()), py::ssize_t(3)});
  auto r = a.mutable_unchecked<2>();
  for (std::size_t i = 0; i < v.size(); ++i)
    for (int k = 0; k < 3; ++k) r(py::ssize_t(i), k) = v[i][k];
  return a;
}

py::tuple tuple3(const Vec3& v) { return py::make_tuple(v.x(), v.y(), v.z()); }

std::vector<Vec3> to_points(const py::object& o) {
  const auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(o);
  if (!a || !((a.ndim() == 2 && a.shape(1) == 3) || (a.ndim() == 1 && a.shape(0) == 3)))
    throw py::value_error("expected points as an (n, 3) array or one (x, y, z)");
  std::vector<Vec3> out(a.ndim() == 1 ? 1 : std::size_t(a.shape(0)));
  const double* d = a.data();
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = Vec3(d[3 * i], d[3 * i + 1], d[3 * i + 2]);
  return out;
}

Vec3 to_vec3(const py::object& o) {
  const auto p = to_points(o);
  if (p.size() != 1) throw py::value_error("expected one (x, y, z)");
  return p[0];
}

bool Interrupts::poll() {
  if (error_) return true;
  py::gil_scoped_acquire gil;
  if (PyErr_CheckSignals() != 0) {
    error_.emplace();  // fetches the pending KeyboardInterrupt
    return true;
  }
  return false;
}

void Interrupts::rethrow() {
  if (!error_) return;
  py::error_already_set e = std::move(*error_);
  error_.reset();
  throw e;
}

}  // namespace hemotwin::python

PYBIND11_MODULE(_hemotwin, m) {
  using namespace hemotwin::python;
  m.doc() =
      "hemotwin's C++/CUDA library: cases, simulations, runs, scans, phantoms, segmentation and "
      "surfaces. Import the hemotwin package, not this module.";
  m.attr("__version__") = hemotwin::version_string;
  m.attr("git_commit") = hemotwin::git_commit;
  m.attr("built_with_cuda") = hemotwin::built_with_cuda;
  m.attr("PASCAL_PER_MMHG") = 133.322387415;
  m.def("cuda_available", &hemotwin::cuda_device_available,
        "True when this build has the CUDA backend and a CUDA device is visible.");
  m.def("cuda_device", &hemotwin::cuda_device_description,
        "Name of CUDA device 0, or why there is none.");
  m.def(
      "set_log_level",
      [](const std::string& level) {
        const auto l = spdlog::level::from_str(level);
        if (l == spdlog::level::off && level != "off")
          throw py::value_error(
              "log level must be one of trace, debug, info, warning, error, "
              "critical, off; got '" +
              level + "'");
        spdlog::set_level(l);
      },
      py::arg("level"),
      "How much the library logs to stdout (run progress, cycle changes, geometry notes): "
      "'trace', 'debug', 'info' (default), 'warning', 'error', 'critical' or 'off'.");
  init_errors(m);
  init_case(m);
  init_grid(m);
  init_fields(m);
  init_wall_shear(m);
  init_diagnostics(m);
  init_simulation(m);
  init_run(m);
  init_image(m);
  init_phantom(m);
  init_segmentation(m);
  init_surface(m);
  init_prepared_geometry(m);
  init_analysis(m);
  init_centerline(m);
  init_registration(m);
  init_wall_motion(m);
}
