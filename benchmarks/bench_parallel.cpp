// Weak scaling of the engine split over MPI processes (docs/performance.md, "Split over
// processes"): a pipe whose length grows with the number of ranks, so that every rank holds the
// same fluid. In the same run, rank 0 first steps one rank's share alone (the baseline; the other
// ranks wait), then every rank steps the whole pipe split. Prints fluid cells and halo
// populations per rank, bytes exchanged per rank per step, and the efficiency t(1) / t(N).
// With --cost, it measures instead what a boundary link costs against a fluid cell (BrickCost):
// one process steps periodic pipes of several radii, whose cells grow as R^2 and links as R, and
// fits t = a cells + b links.
//
//   mpirun -np 2 build/benchmarks/bench_parallel [--radius 12] [--length 96] [--steps 300]
//                                                [--float] [--d3q27]
//   build/benchmarks/bench_parallel --cost
#include <mpi.h>

#include <Eigen/Dense>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "hemotwin/core/engine.hpp"
#include "hemotwin/core/shapes.hpp"
#include "hemotwin/parallel/mpi.hpp"

using namespace hemotwin;

namespace {

struct Options {
  double radius = 12;
  double length = 96;  // per rank
  int steps = 300;
  bool single = false;
  bool d3q27 = false;
  bool cost = false;
};

DomainSpec pipe(const Options& o, int ranks) {
  const double length = o.length * ranks;
  const Vec3 origin(0.5, 0, 0), axis(1, 0, 0);
  auto shape = std::make_shared<PipeShape>(origin, axis, o.radius, length);
  shape->unbounded_length(true);
  DomainSpec spec =
      DomainSpec::around(std::make_shared<PipeShape>(origin, axis, o.radius, length), 1.0, 2);
  spec.shape = shape;
  spec.iolets = {IoletPlane{"inlet", IoletKind::VelocityInlet, origin, -axis, true, o.radius},
                 IoletPlane{"outlet", IoletKind::PressureOutlet, origin + length * axis, axis,
                            false, o.radius}};
  return spec;
}

// Seconds per step of `steps` steps after 20 to warm up.
template <class T, class L>
double seconds_per_step(Engine<T, L>& e, int steps, parallel::MpiCommunicator* comm) {
  e.set_iolet_values({0.02, 1.0});
  e.run(20);
  if (comm) comm->barrier();  // start together
  const auto t0 = std::chrono::steady_clock::now();
  e.run(steps);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (comm) comm->max({&s, 1});
  return s / steps;
}

// The link's cost in fluid cells: t = a cells + b links over periodic pipes of radius 4 to 24.
template <class T, class L>
void link_cost(const Options& o) {
  EngineOptions eo{BackendKind::Cpu, L::Q == 27 ? CollisionModel::Cumulant : CollisionModel::Trt,
                   0.55, 3.0 / 16, WallMethod::Bouzidi};
  eo.streaming = StreamingScheme::TwoLattice;
  Eigen::MatrixXd A(0, 2);
  Eigen::VectorXd t(0);
  std::printf("%s %s, periodic pipes 64 cells long, %d steps each\n", L::name,
              sizeof(T) == 4 ? "float" : "double", o.steps);
  for (double radius : {4.3, 8.3, 12.3, 16.3, 24.3}) {
    const int n = 2 * int(radius) + 6;
    DomainSpec spec;
    auto pipe = std::make_shared<PipeShape>(Vec3(0.5 * n, 0.5 * n, 0), Vec3(0, 0, 1), radius, 1.0);
    pipe->unbounded_length(true);
    spec.shape = pipe;
    spec.cells = {n, n, 64};
    spec.periodic = {false, false, true};
    Engine<T, L> e(spec, eo);
    e.set_force(Vec3(0, 0, 1e-6));
    e.run(20);
    const auto t0 = std::chrono::steady_clock::now();
    e.run(o.steps);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / o.steps;
    const double cells = double(e.lattice().fluid_cells()), links = double(e.links().size());
    A.conservativeResize(A.rows() + 1, 2);
    A.row(A.rows() - 1) << cells, links;
    t.conservativeResize(t.size() + 1);
    t(t.size() - 1) = s;
    std::printf("  radius %5.1f: %8.0f fluid cells, %7.0f links, %.3f ms/step\n", radius, cells,
                links, 1e3 * s);
  }
  const Eigen::Vector2d ab = A.colPivHouseholderQr().solve(t);
  std::printf("  fit: %.2f ns per fluid cell, %.2f ns per link: a link costs %.2f cells\n",
              1e9 * ab(0), 1e9 * ab(1), ab(1) / ab(0));
}

template <class T, class L>
void bench(const Options& o, std::shared_ptr<parallel::MpiCommunicator> comm) {
  const int ranks = comm->size(), rank = comm->rank();
  EngineOptions eo{BackendKind::Cpu, L::Q == 27 ? CollisionModel::Cumulant : CollisionModel::Trt,
                   0.55, 3.0 / 16, WallMethod::Bouzidi};
  eo.streaming = StreamingScheme::TwoLattice;
  double t1 = 0;
  std::int64_t cells1 = 0;
  if (rank == 0) {  // the baseline: one rank's share, alone
    Engine<T, L> alone(pipe(o, 1), eo);
    cells1 = alone.lattice().fluid_cells();
    t1 = seconds_per_step(alone, o.steps, nullptr);
  }
  MPI_Barrier(comm->native());
  eo.communicator = comm;
  Engine<T, L> split(pipe(o, ranks), eo);
  const double tn = seconds_per_step(split, o.steps, comm.get());
  const double cells = double(split.lattice().fluid_cells());
  const double halo = double(split.halo_values());
  double totals[3] = {cells, halo, halo};
  comm->sum({totals, 2});
  comm->max({totals + 2, 1});
  if (rank != 0) return;
  const double bytes = totals[1] / ranks * sizeof(T);
  std::printf(
      "%s %s, pipe radius %.0f, %.0f cells long per rank, %d steps\n"
      "  1 rank alone : %lld fluid cells, %.3f ms/step, %.1f MLUPS\n"
      "  %d ranks     : %.0f fluid cells (%.0f per rank), %.3f ms/step, %.1f MLUPS (%.1f per rank)\n"
      "  halo         : %.0f populations per rank per step on average (max %.0f), %.1f kB\n"
      "  efficiency   : %.1f %% (weak scaling, t(1) / t(%d))\n",
      L::name, sizeof(T) == 4 ? "float" : "double", o.radius, o.length, o.steps,
      (long long)cells1, 1e3 * t1, cells1 / t1 / 1e6, ranks, totals[0], totals[0] / ranks,
      1e3 * tn, totals[0] / tn / 1e6, totals[0] / ranks / tn / 1e6, totals[1] / ranks, totals[2],
      bytes / 1e3, 100.0 * t1 / tn, ranks);
}

}  // namespace

int main(int argc, char** argv) {
  parallel::Environment mpi(argc, argv);
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&] {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bench_parallel: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return std::atof(argv[++i]);
    };
    if (a == "--radius") o.radius = value();
    else if (a == "--length") o.length = value();
    else if (a == "--steps") o.steps = int(value());
    else if (a == "--float") o.single = true;
    else if (a == "--d3q27") o.d3q27 = true;
    else if (a == "--cost") o.cost = true;
    else {
      std::fprintf(stderr,
                   "bench_parallel: unknown argument %s (valid: --radius R --length N --steps N "
                   "--float --d3q27 --cost)\n",
                   a.c_str());
      return 2;
    }
  }
  if (o.cost) {
    if (o.d3q27)
      o.single ? link_cost<float, D3Q27>(o) : link_cost<double, D3Q27>(o);
    else
      o.single ? link_cost<float, D3Q19>(o) : link_cost<double, D3Q19>(o);
    return 0;
  }
  auto comm = std::make_shared<parallel::MpiCommunicator>();
  if (o.d3q27)
    o.single ? bench<float, D3Q27>(o, comm) : bench<double, D3Q27>(o, comm);
  else
    o.single ? bench<float, D3Q19>(o, comm) : bench<double, D3Q19>(o, comm);
  return 0;
}
