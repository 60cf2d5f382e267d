#pragma once
// Shared by the binding files: one init_<Class> per bound class (see python/README.md), and the
// helpers they share (NumPy views without copies, Ctrl-C polling while the GIL is released).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "hemotwin/core/decomposition.hpp"
#include "hemotwin/geometry/volume.hpp"

namespace hemotwin::python {

namespace py = pybind11;

/// The Communicator an mpi4py communicator stands for (comm=MPI.COMM_WORLD); null for None or a
/// communicator of one process. Raises TypeError for another object, hemotwin.Error when this
/// build has no MPI.
std::shared_ptr<Communicator> communicator(const py::object& comm);

void init_errors(py::module_& m);
void init_case(py::module_& m);
void init_grid(py::module_& m);
void init_fields(py::module_& m);
void init_wall_shear(py::module_& m);
void init_diagnostics(py::module_& m);
void init_simulation(py::module_& m);
void init_run(py::module_& m);
void init_image(py::module_& m);
void init_phantom(py::module_& m);
void init_segmentation(py::module_& m);
void init_surface(py::module_& m);
void init_prepared_geometry(py::module_& m);
void init_analysis(py::module_& m);
void init_centerline(py::module_& m);
void init_registration(py::module_& m);
void init_wall_motion(py::module_& m);

/// A NumPy array over `data` (shape, strides in elements) that keeps `owner` alive: no copy.
template <class T>
py::array_t<T> view(T* data, std::vector<py::ssize_t> shape, std::vector<py::ssize_t> strides,
                    py::handle owner, bool writeable = true) {
  for (auto& s : strides) s *= static_cast<py::ssize_t>(sizeof(T));
  py::array_t<T> a(std::move(shape), std::move(strides), data, owner);
  if (!writeable)
    py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return a;
}

/// A copy of `values` as a NumPy array of `shape` (C order).
template <class T, class U = T>
py::array_t<T> copy_array(const std::vector<U>& values, std::vector<py::ssize_t> shape) {
  py::array_t<T> a(std::move(shape));
  T* out = a.mutable_data();
  for (std::size_t i = 0; i < values.size(); ++i) out[i] = static_cast<T>(values[i]);
  return a;
}

/// Rows of 3-vectors (points, normals, WSS) as an (n, 3) float64 array.
py::array_t<double> rows3(const std::vector<Vec3>& v);
/// A 3-vector as the tuple (x, y, z).
py::tuple tuple3(const Vec3& v);
/// An (n, 3) array (or one 3-vector) as points.
std::vector<Vec3> to_points(const py::object& o);
Vec3 to_vec3(const py::object& o);

/// Watches for Ctrl-C while the GIL is released: poll() takes the GIL, runs Python's signal
/// handlers, and keeps a KeyboardInterrupt (or any exception a handler raised) to raise once the
/// library has stopped cleanly.
class Interrupts {
 public:
  bool poll();
  bool raised() const { return error_.has_value(); }
  /// Raises the kept exception, if any (with the GIL held).
  void rethrow();
  /// Runs f (a Python callback; the GIL held) and keeps a KeyboardInterrupt raised in it as a
  /// stop request instead of letting it unwind through the library; other exceptions propagate.
  template <class F>
  void call(F&& f) {
    try {
      f();
    } catch (py::error_already_set& e) {
      if (!e.matches(PyExc_KeyboardInterrupt)) throw;
      if (!error_) error_.emplace(std::move(e));
    }
  }

 private:
  std::optional<py::error_already_set> error_;
};

}  // namespace hemotwin::python
