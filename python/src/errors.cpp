// hemotwin.Error and its subclasses: the library's exceptions with where they are about (file,
// key, line) kept as attributes.
//
//   Error (RuntimeError)            every error the library reports
//   CaseError (Error, ValueError)   an error about a key of the case (names the key)
//   DivergenceError (Error)         a run that became unstable
#include <exception>

#include "bindings.hpp"
#include "hemotwin/core/error.hpp"

namespace hemotwin::python {

namespace {

PyObject* error_type = nullptr;
PyObject* case_error_type = nullptr;
PyObject* divergence_error_type = nullptr;

PyObject* make_type(py::module_& m, const char* name, py::tuple bases, const char* doc) {
  py::dict ns;
  ns["__doc__"] = doc;
  ns["__module__"] = "hemotwin";
  py::object type = py::reinterpret_borrow<py::object>(reinterpret_cast<PyObject*>(&PyType_Type))(
      name, bases, ns);
  m.attr(name) = type;
  return type.release().ptr();  // kept for the life of the interpreter
}

void raise(PyObject* type, const Error& e) {
  py::object exc = py::reinterpret_borrow<py::object>(type)(e.what());
  exc.attr("message") = e.message();
  exc.attr("file") = e.file();
  exc.attr("key") = e.key();
  exc.attr("line") = e.line();
  PyErr_SetObject(type, exc.ptr());
}

}  // namespace

void init_errors(py::module_& m) {
  error_type = make_type(m, "Error", py::make_tuple(py::handle(PyExc_RuntimeError)),
                         "An error hemotwin reports: str(e) says what and where; e.message, "
                         "e.file, e.key and e.line hold the parts (empty or 0 when unknown).");
  py::handle error(error_type);
  case_error_type =
      make_type(m, "CaseError", py::make_tuple(error, py::handle(PyExc_ValueError)),
                "An invalid case: e.key names the key (as a dotted path, 'inlet.mean_velocity_m_s')"
                " and the message says what would be valid.");
  divergence_error_type =
      make_type(m, "DivergenceError", py::make_tuple(error),
                "The simulation became unstable (NaN or a speed the lattice cannot carry); the "
                "message names the step, the place and what to change.");
  py::register_exception_translator([](std::exception_ptr p) {
    if (!p) return;
    try {
      std::rethrow_exception(p);
    } catch (const DivergenceError& e) {
      raise(divergence_error_type, e);
    } catch (const Error& e) {
      raise(e.key().empty() ? error_type : case_error_type, e);
    }
  });
}

}  // namespace hemotwin::python
