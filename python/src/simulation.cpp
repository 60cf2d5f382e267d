// hemotwin.Simulation: a case built and run step by step from Python. Steps run with the GIL
// released; Ctrl-C is polled between chunks of steps and stops at a step boundary (the state stays
// consistent) before KeyboardInterrupt is raised.
#include "hemotwin/core/simulation.hpp"

#include <algorithm>
#include <memory>

#include "bindings.hpp"
#include "fields.hpp"
#include "hemotwin/core/lattice.hpp"
#include "hemotwin/imaging/case_geometry.hpp"
#include "hemotwin/io/case_file.hpp"
#include "hemotwin/io/checkpoint.hpp"
#include "hemotwin/io/ranks.hpp"

namespace hemotwin::python {

namespace {

struct PySimulation {
  std::unique_ptr<Simulation> sim;
  std::shared_ptr<GridInfo> grid;
  std::vector<Diagnostics> series;
  std::shared_ptr<Communicator> comm;  // null: this process alone

  PySimulation(const Case& c, std::shared_ptr<Communicator> comm) : comm(comm) {
    try {
      sim = is_file_shape(c.geometry.shape)
                ? Simulation::create(c, imaging::prepare_geometry(c).domain, comm)
                : Simulation::create(c, comm);
    } catch (const Error& e) {
      // A key named but no line: place it in the case file, where there is one.
      throw io::locate_error(e, {}, c.source_file);
    }
    grid = std::make_shared<GridInfo>(sim->grid());
  }

  int chunk() const { return std::max(1, sim->config().output.check_every); }

  /// Advances n steps in chunks, polling Ctrl-C between them.
  std::int64_t advance(std::int64_t n, Interrupts& stop) {
    std::int64_t done = 0;
    {
      py::gil_scoped_release release;
      while (done < n && !stop.poll()) {
        const std::int64_t k = std::min<std::int64_t>(chunk(), n - done);
        sim->advance(k);
        done += k;
      }
    }
    return done;
  }

  void sample() { series.push_back(sim->diagnostics()); }
};

py::dict history(const PySimulation& s) {
  const auto& series = s.series;
  const auto& iolets = s.sim->iolets();
  const py::ssize_t n = py::ssize_t(series.size());
  py::array_t<std::int64_t> step(n);
  py::array_t<double> time(n), mass(n), speed(n);
  for (py::ssize_t i = 0; i < n; ++i) {
    step.mutable_data()[i] = series[std::size_t(i)].step;
    time.mutable_data()[i] = series[std::size_t(i)].time;
    mass.mutable_data()[i] = series[std::size_t(i)].mass;
    speed.mutable_data()[i] = series[std::size_t(i)].max_speed;
  }
  py::dict flow, pressure, boundary;
  for (std::size_t k = 0; k < iolets.size(); ++k) {
    py::array_t<double> q(n), p(n), b(n);
    for (py::ssize_t i = 0; i < n; ++i) {
      const auto& d = series[std::size_t(i)];
      q.mutable_data()[i] = d.iolet_flow[k];
      p.mutable_data()[i] = d.iolet_pressure[k];
      b.mutable_data()[i] = d.iolet_boundary_pressure[k];
    }
    flow[py::str(iolets[k].name)] = q;
    pressure[py::str(iolets[k].name)] = p;
    boundary[py::str(iolets[k].name)] = b;
  }
  const auto& sections = s.sim->sections();
  for (std::size_t k = 0; k < sections.size(); ++k) {
    py::array_t<double> q(n), p(n);
    for (py::ssize_t i = 0; i < n; ++i) {
      const auto& d = series[std::size_t(i)];
      q.mutable_data()[i] = d.section_flow[k];
      p.mutable_data()[i] = d.section_pressure[k];
    }
    flow[py::str(sections[k].name)] = q;
    pressure[py::str(sections[k].name)] = p;
  }
  py::dict out;
  out["step"] = step;
  out["time"] = time;
  out["mass"] = mass;
  out["max_speed"] = speed;
  out["flow"] = flow;
  out["pressure"] = pressure;
  out["boundary_pressure"] = boundary;
  return out;
}

}  // namespace

void init_simulation(py::module_& m) {
  py::class_<PySimulation>(m, "Simulation", R"doc(
A case built and ready to step: geometry, lattice, boundary links and the backend (CPU or CUDA,
as case.backend says).

    sim = hemotwin.Simulation(case)
    sim.run(every=100, callback=lambda s: print(s.time, s.diagnostics().max_speed))
    fields = sim.fields()                  # velocity, pressure (NumPy)
    u = fields.velocity_dense()            # [z][y][x][3], NaN outside the fluid
    wss = sim.wall_shear()                 # points, normals, WSS at the wall
    sim.history()["pressure"]["outlet0"]   # time series, sampled by run()

It writes no files; hemotwin.run(case, directory) runs a case to a results directory.
Steps run without the GIL; Ctrl-C stops advance()/run() at a step boundary and raises
KeyboardInterrupt, leaving the simulation usable.
)doc")
      .def(py::init([](const Case& c, const py::object& comm) {
             return std::make_unique<PySimulation>(c, communicator(comm));
           }),
           py::arg("case"), py::arg("comm") = py::none(),
           "Builds the simulation (for file geometries: reads and voxelises the surface, label "
           "map or scan). Raises hemotwin.CaseError naming the key when the case cannot run as "
           "set. comm: an mpi4py communicator (MPI.COMM_WORLD) to split the lattice over its "
           "processes; every process then makes the same calls in the same order, fields, "
           "populations and the wall come whole to rank 0 (empty elsewhere), checkpoint() is "
           "written and restore() read by rank 0.")
      .def_property_readonly("ranks", [](const PySimulation& s) { return s.sim->ranks(); },
                             "The processes the lattice is split over (1: not split).")
      .def_property_readonly("rank", [](const PySimulation& s) { return s.sim->rank(); })
      .def_property_readonly("case", [](const PySimulation& s) { return s.sim->config(); })
      .def_property_readonly("grid", [](const PySimulation& s) { return s.grid; })
      .def_property_readonly("iolets", [](const PySimulation& s) { return s.sim->iolets(); })
      .def_property_readonly("sections", [](const PySimulation& s) { return s.sim->sections(); })
      .def_property_readonly(
          "backend", [](const PySimulation& s) { return std::string(to_string(s.sim->backend())); })
      .def_property_readonly("device", [](const PySimulation& s) { return s.sim->device(); })
      .def_property_readonly(
          "streaming",
          [](const PySimulation& s) { return std::string(to_string(s.sim->streaming())); })
      .def_property_readonly(
          "dx", [](const PySimulation& s) { return s.sim->units().dx(); }, "m")
      .def_property_readonly(
          "dt", [](const PySimulation& s) { return s.sim->units().dt(); }, "s")
      .def_property_readonly(
          "tau", [](const PySimulation& s) { return s.sim->units().tau(); },
          "Relaxation time (lattice units).")
      .def_property_readonly(
          "density", [](const PySimulation& s) { return s.sim->units().density(); }, "kg/m^3")
      .def_property_readonly("step", [](const PySimulation& s) { return s.sim->step_count(); })
      .def_property_readonly(
          "time", [](const PySimulation& s) { return s.sim->time(); }, "s")
      .def_property_readonly(
          "total_steps", [](const PySimulation& s) { return s.sim->total_steps(); },
          "Steps the case's duration amounts to.")
      .def(
          "advance",
          [](PySimulation& s, std::int64_t steps) {
            if (steps < 0) throw py::value_error("steps must be >= 0");
            Interrupts stop;
            const std::int64_t done = s.advance(steps, stop);
            stop.rethrow();
            return done;
          },
          py::arg("steps"),
          "Advances `steps` steps (checking for divergence every output.check_every steps: "
          "hemotwin.DivergenceError). Returns the steps done.")
      .def(
          "run",
          [](PySimulation& s, std::optional<std::int64_t> steps, std::optional<std::int64_t> every,
             const py::object& callback) {
            const std::int64_t n =
                steps ? *steps
                      : std::max<std::int64_t>(0, s.sim->total_steps() - s.sim->step_count());
            const std::int64_t chunk = every ? *every : s.chunk();
            if (n < 0 || chunk < 1) throw py::value_error("steps must be >= 0 and every >= 1");
            if (s.series.empty()) s.sample();
            Interrupts stop;
            std::int64_t done = 0;
            while (done < n) {
              const std::int64_t k = std::min(chunk, n - done);
              const std::int64_t d = s.advance(k, stop);
              done += d;
              if (d < k) break;  // interrupted
              s.sample();
              if (!callback.is_none()) {
                const py::object r = callback(py::cast(&s, py::return_value_policy::reference));
                if (!r.is_none() && !r.cast<bool>()) break;  // the callback returned False: stop
              }
            }
            stop.rethrow();
            return done;
          },
          py::arg("steps") = py::none(), py::arg("every") = py::none(),
          py::arg("callback") = py::none(),
          "Advances `steps` steps (default: to the end of the case's duration), sampling the "
          "diagnostics every `every` steps (default output.check_every) into history() and "
          "calling callback(sim) after each sample; a callback that returns False stops the "
          "run. Returns the steps done.")
      .def(
          "diagnostics", [](PySimulation& s) { return s.sim->diagnostics(); },
          "Mass, largest speed and the iolets' flow and pressure now.")
      .def_property_readonly(
          "notes", [](const PySimulation& s) { return s.sim->notes(); },
          "What the set-up decided from the case and the geometry, one sentence each (where the "
          "peak velocity is expected and why, how the outlets' Windkessels were split).")
      .def("sample", &PySimulation::sample, "Adds the diagnostics now to history().")
      .def("history", &history,
           "The samples run() (or sample()) took: a dict of arrays step, time (s), mass, "
           "max_speed (m/s), and dicts by iolet name flow (m^3/s), pressure (Pa), "
           "boundary_pressure (Pa).")
      .def(
          "fields",
          [](PySimulation& s) {
            py::gil_scoped_release release;
            return Fields{s.sim->snapshot(), s.grid};
          },
          "Velocity and pressure now (a copy of the device's fields).")
      .def(
          "wall_shear", [](PySimulation& s) { return s.sim->wall_shear(); },
          "The wall shear stress now at every wall point.")
      .def(
          "lattice_moments",
          [](PySimulation& s) {
            std::vector<double> rho, u;
            s.sim->lattice_moments(rho, u);
            return py::make_tuple(copy_array<double>(rho, {py::ssize_t(rho.size())}),
                                  copy_array<double>(u, {py::ssize_t(u.size() / 3), 3}));
          },
          "(rho, u) per stored cell in lattice units (copies).")
      .def(
          "checkpoint",
          [](PySimulation& s, const std::string& path) {
            const Case& c = s.sim->config();
            py::gil_scoped_release release;
            const io::Checkpoint ckpt = io::make_checkpoint(
                *s.sim, c.source_text.empty() ? io::to_toml(c) : c.source_text);  // gathered
            io::on_root(s.comm.get(), [&] { io::write_checkpoint(path, ckpt); });
          },
          py::arg("path"),
          "Writes the simulation's whole state (populations, step, outlets' Windkessel "
          "pressures, the case as run, a hash of the lattice) to one HDF5 file: first under a "
          "temporary name, then renamed, so an earlier checkpoint at path stays whole until the "
          "new "
          "one is.")
      .def(
          "restore",
          [](PySimulation& s, const std::string& path) {
            io::Checkpoint c;
            io::on_root(s.comm.get(), [&] { c = io::read_checkpoint(path); });
            try {
              s.sim->restore(c.simulation);  // rank 0's, on every process
            } catch (const Error& e) {
              throw Error(e.message(), path);
            }
            const std::int64_t step = s.sim->step_count();
            std::erase_if(s.series, [&](const Diagnostics& d) { return d.step > step; });
          },
          py::arg("path"),
          "Goes on from a checkpoint written by checkpoint() on the same lattice (any backend): "
          "bit for bit on the same backend and precision. Refuses another lattice, velocity set or "
          "streaming scheme, changing nothing. history() keeps its samples up to the checkpoint's "
          "step.")
      .def(
          "initialise",
          [](PySimulation& s, const py::object& rho, const py::object& u) {
            const auto values = [](const py::object& o) {
              std::vector<double> out;
              if (o.is_none()) return out;
              auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(o);
              if (!a) throw py::value_error("expected an array of numbers");
              out.assign(a.data(), a.data() + a.size());
              return out;
            };
            const std::vector<double> r = values(rho), v = values(u);
            s.sim->initialise(r, v);
            s.series.clear();
          },
          py::arg("rho") = py::none(), py::arg("u") = py::none(),
          "Sets every fluid cell to equilibrium at lattice density rho and velocity u (per "
          "stored cell; None: rest) and resets the step count and history().")
      .def_property_readonly(
          "populations",
          [](py::object self) {
            auto& s = self.cast<PySimulation&>();
            const PopulationArray a = s.sim->host_populations();
            const py::ssize_t B3 = py::ssize_t(a.brick_size) * a.brick_size * a.brick_size;
            std::vector<py::ssize_t> shape{py::ssize_t(a.bricks), a.q_count, B3};
            std::vector<py::ssize_t> strides{a.q_count * B3, B3, 1};
            if (a.double_precision)
              return py::array(view(static_cast<double*>(a.data), shape, strides, self));
            return py::array(view(static_cast<float*>(a.data), shape, strides, self));
          },
          R"doc(The populations themselves, without a copy (CPU backend, two-lattice streaming):
a writeable (bricks, Q, brick_size^3) array of f_i - w_i (each population less its lattice weight),
the post-collision state the next step streams; brick b's cell c is stored cell b * brick_size^3 + c.
Writing to it changes the simulation. The view is valid until the next step (the solver then
swaps arrays): take it again after advancing. directions gives c_i for each i.)doc")
      .def_property_readonly(
          "directions",
          [](const PySimulation& s) {
            std::vector<std::array<int, 3>> d;
            const auto fill = [&](auto lattice) {
              using L = decltype(lattice);
              for (int q = 0; q < L::Q; ++q) d.push_back({L::c[q][0], L::c[q][1], L::c[q][2]});
            };
            if (s.sim->config().lattice == LatticeKind::D3Q27)
              fill(D3Q27{});
            else
              fill(D3Q19{});
            return d;
          },
          "The lattice velocities c_i, one (x, y, z) per population.")
      .def("__repr__", [](const PySimulation& s) {
        return "<hemotwin.Simulation '" + s.sim->config().name + "': step " +
               std::to_string(s.sim->step_count()) + " of " + std::to_string(s.sim->total_steps()) +
               ", " + std::to_string(s.grid->fluid_cells) + " fluid cells, " +
               to_string(s.sim->backend()) + ">";
      });
}

}  // namespace hemotwin::python
