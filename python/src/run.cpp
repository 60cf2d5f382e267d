// hemotwin.run: a case run end to end into a results directory (hemotwin::io::run_case, the same
// code as `hemotwin run`), with the GIL released while it steps. Ctrl-C is not a failure: the run
// stops at the next sample, commits what it computed (summary.json says "stopped_early"), and
// then KeyboardInterrupt is raised.
#include "hemotwin/io/run.hpp"

#include <filesystem>

#include "bindings.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/imaging/case_geometry.hpp"
#include "hemotwin/imaging/file_geometry.hpp"
#include "hemotwin/io/case_file.hpp"

namespace hemotwin::python {

void init_run(py::module_& m) {
  py::class_<io::Progress>(m, "Progress", "How far a run is (passed to run()'s progress callback).")
      .def_readonly("step", &io::Progress::step)
      .def_readonly("total_steps", &io::Progress::total_steps)
      .def_readonly("elapsed_s", &io::Progress::elapsed_s, "wall time since the first step")
      .def_readonly("mlups", &io::Progress::mlups, "million fluid-cell updates per second")
      .def("__repr__", [](const io::Progress& p) {
        return "<hemotwin.Progress step " + std::to_string(p.step) + " of " +
               std::to_string(p.total_steps) + ">";
      });

  py::class_<io::RunResult>(m, "RunResult", "What a run wrote and how fast it ran.")
      .def_readonly("directory", &io::RunResult::directory)
      .def_readonly("hdf5", &io::RunResult::hdf5)
      .def_readonly("xdmf", &io::RunResult::xdmf)
      .def_readonly("summary", &io::RunResult::summary)
      .def_readonly("steps", &io::RunResult::steps)
      .def_readonly("wall_time_s", &io::RunResult::wall_time_s)
      .def_readonly("mlups", &io::RunResult::mlups)
      .def_readonly("stopped_early", &io::RunResult::stopped_early)
      .def_readonly("resumed_at", &io::RunResult::resumed_at,
                    "The step the run went on from (resume=...); -1 when it started afresh.")
      .def("__repr__", [](const io::RunResult& r) {
        return "<hemotwin.RunResult " + r.directory.string() + ": " + std::to_string(r.steps) +
               " steps" + (r.stopped_early ? " (stopped early)" : "") + ">";
      });

  m.def(
      "run",
      [](const Case& c, const py::object& directory, const py::object& progress,
         const py::object& info, const py::object& resume, const py::object& comm) {
        const std::filesystem::path dir = directory.is_none()
                                              ? std::filesystem::path(c.output.directory)
                                              : directory.cast<std::filesystem::path>();
        Interrupts stop;
        io::RunCallbacks callbacks;
        callbacks.communicator = communicator(comm);
        if (is_file_shape(c.geometry.shape))
          callbacks.geometry = [](const Case& k) {
            return imaging::to_file_geometry(imaging::prepare_geometry(k));
          };
        if (!progress.is_none())
          callbacks.on_progress = [&](const io::Progress& p) {
            py::gil_scoped_acquire gil;
            stop.call([&] { progress(p); });  // Ctrl-C in the callback: stop, commit
          };
        if (!info.is_none())
          callbacks.on_info = [&](const std::string& line) {
            py::gil_scoped_acquire gil;
            stop.call([&] { info(line); });
          };
        callbacks.should_stop = [&] { return stop.poll(); };
        const std::filesystem::path from =
            resume.is_none() ? std::filesystem::path() : resume.cast<std::filesystem::path>();
        io::RunResult result;
        try {
          py::gil_scoped_release release;
          result = io::run_case(c, dir, callbacks, from);
        } catch (const py::error_already_set&) {
          throw;  // a callback raised: the run left nothing behind
        } catch (const DivergenceError&) {
          throw;
        } catch (const Error& e) {
          throw io::locate_error(e, {}, c.source_file);
        }
        stop.rethrow();
        return result;
      },
      py::arg("case"), py::arg("directory") = py::none(), py::arg("progress") = py::none(),
      py::arg("info") = py::none(), py::arg("resume") = py::none(), py::arg("comm") = py::none(),
      R"doc(
Runs `case` to the end and writes its results directory (default: the case's output.directory):
results.h5 + results.xdmf, wall.vtp, wall_surface.vtp, iolets.csv, case.toml and summary.json
(docs/file-format.md); hemotwin.load(directory) reads it back. The directory is replaced
atomically: a run that fails leaves an earlier one untouched. progress(p) is called at every
sample with a hemotwin.Progress; info(line) once with the backend and device. Ctrl-C stops the
run at the next sample, commits what was computed (stopped_early) and raises KeyboardInterrupt.
resume: a checkpoint directory (`<directory>.checkpoint`, written by output.checkpoint_interval_s
or _wall_interval_s, or by `hemotwin run` on SIGTERM/SIGUSR1) or its checkpoint.h5: the run goes
on from it, bit for bit as if never stopped (result.resumed_at says from which step).
comm: an mpi4py communicator (MPI.COMM_WORLD under mpirun) to split the run over its processes;
every process calls run() alike, rank 0 writes the results (the same files as one process's) and
alone calls progress (info is called on every process). Under mpirun, start Python as
`python3 -m mpi4py script.py`, so that an error on one process ends all of them.
)doc");
}

}  // namespace hemotwin::python
