#pragma once
// The front of the core: a Simulation built from a Case. Precision, lattice and backend are chosen
// at run time here and become template arguments in exactly one switch (src/core/simulation.cpp).
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hemotwin/core/case.hpp"
#include "hemotwin/core/decomposition.hpp"
#include "hemotwin/core/fields.hpp"
#include "hemotwin/core/sparse_lattice.hpp"
#include "hemotwin/core/units.hpp"
#include "hemotwin/core/wall_shear.hpp"

namespace hemotwin {

/// True when this build has the CUDA backend and a CUDA device is visible.
bool cuda_device_available();
/// Name of CUDA device 0, or an explanation of why there is none.
std::string cuda_device_description();

/// The populations of the CPU backend where they live (no copy): f_i - w_i (each population less
/// its lattice weight) of the post-collision state the next step streams, stored brick by brick,
/// population q of cell c (c in 0..brick_size^3, x fastest) of brick b at
/// data[(b * q_count + q) * brick_size^3 + c]. Valid until the next step.
struct PopulationArray {
  void* data = nullptr;
  bool double_precision = false;  // double, else float
  int q_count = 0;                // 19 (D3Q19) or 27 (D3Q27)
  std::int64_t bricks = 0;        // stored bricks (the lattice's ghost brick left out)
  int brick_size = 0;
  std::vector<std::array<int, 3>> directions;  // c_q, q = 0 .. q_count - 1
};

/// What a simulation needs to go on exactly where it was (the core of a checkpoint): every
/// population slot as the engine stores it, the step, and the outlets' own state.
struct SimulationState {
  std::int64_t step = 0;
  int layout = 0;  // kernels::Layout of the populations (0 plain, 1 swapped, 2 pushed)
  bool double_precision = false;  // populations holds doubles, else floats
  int q_count = 0;                // 19 or 27
  std::vector<std::byte> populations;
  /// Per outlet (in the order of the case's outlets): the pressure imposed now (Pa) and a
  /// Windkessel's capacitor pressure (Pa; NaN where the outlet has none).
  std::vector<double> outlet_pressure, outlet_capacitor_pressure;
  /// Per valve (in the order of the case's valves): 1 where a diode valve is open now, 0 where it
  /// is closed or not a diode; empty for a case without valves (and in checkpoints from before
  /// diodes, whose restore starts the diodes as `open_during` has them then).
  std::vector<std::uint8_t> valve_open;
  std::uint64_t lattice_hash = 0;  // Simulation::lattice_hash() of the run that took it
};

class Simulation {
 public:
  virtual ~Simulation() = default;

  /// Builds geometry, units, boundary links and the backend from `c`. Throws hemotwin::Error when
  /// the case is invalid or unstable as set (naming the key and what to change).
  ///
  /// With a `communicator` of more than one process (hemotwin::parallel::MpiCommunicator), the
  /// lattice is split between them (EngineOptions::communicator): every process creates the
  /// Simulation from the same case and calls the same methods in the same order. grid() is then
  /// the whole lattice's; snapshot(), lattice_moments(), wall_shear() and state() gather onto
  /// rank 0 (empty elsewhere); restore() takes rank 0's state; initialise() takes the whole
  /// lattice's values on every rank. Fields and populations are bit-identical to one process's.
  /// Each process takes the CUDA device of its place on the node (node_rank modulo devices).
  static std::unique_ptr<Simulation> create(const Case& c,
                                            std::shared_ptr<Communicator> communicator = nullptr);
  /// As create(c), on a domain built elsewhere (in metres): file geometries, whose domain
  /// hemotwin::imaging::prepare_geometry builds. Inlet velocities and outlet pressures come
  /// from the case; the velocity inlets share inlet.mean_velocity (or inlet.flow_rate, divided
  /// by their total area).
  static std::unique_ptr<Simulation> create(const Case& c, DomainSpec domain,
                                            std::shared_ptr<Communicator> communicator = nullptr);

  virtual const Case& config() const = 0;
  virtual const Units& units() const = 0;
  virtual const GridInfo& grid() const = 0;
  virtual const std::vector<IoletInfo>& iolets() const = 0;
  /// The measurement sections (Case::sections), in the case's order.
  virtual const std::vector<SectionInfo>& sections() const = 0;
  /// The processes the lattice is split over (1 when it is not) and this one's rank.
  virtual int ranks() const = 0;
  virtual int rank() const = 0;
  /// The backend actually in use (never Auto) and a description of its device (this process's).
  virtual BackendKind backend() const = 0;
  virtual std::string device() const = 0;
  /// The streaming scheme in use (never Auto).
  virtual StreamingScheme streaming() const = 0;
  /// What the set-up decided from the case and the geometry, one sentence each, for `hemotwin
  /// check` and the run's log: where the peak velocity is expected and why, how the outlets'
  /// Windkessels were split.
  virtual const std::vector<std::string>& notes() const = 0;

  /// Steps that `config().time.duration` amounts to.
  virtual std::int64_t total_steps() const = 0;
  virtual std::int64_t step_count() const = 0;
  double time() const { return static_cast<double>(step_count()) * units().dt(); }

  /// Advances `n` steps. Every `output.check_every` steps (and at the end) it checks for NaN and
  /// runaway speeds and throws hemotwin::DivergenceError with the step, the place and what to
  /// change.
  virtual void advance(std::int64_t n) = 0;

  /// Reductions over the fluid (mass, maximum speed, iolet flow and pressure), done on the device.
  virtual Diagnostics diagnostics() = 0;

  /// Density and velocity of every stored cell, converted to physical units (copies to the host).
  virtual FieldSnapshot snapshot() = 0;

  /// The wall shear stress now at every wall point (fluid cells with wall links), from the
  /// velocity along the wall normal (hemotwin::wall_shear_rate) and the blood's viscosity at that
  /// shear rate. Copies the velocity field to the host.
  virtual WallShearField wall_shear() = 0;

  /// Lattice-unit access for tests and Python: density and velocity per stored cell (brick order).
  virtual void lattice_moments(std::vector<double>& rho, std::vector<double>& u) = 0;

  /// The population array itself (see PopulationArray). Throws hemotwin::Error on the CUDA
  /// backend (the memory is on the device: use lattice_moments or snapshot) and with the AA
  /// pattern (populations stored swapped or at their neighbours: set case.streaming =
  /// "two-lattice").
  virtual PopulationArray host_populations() = 0;

  /// Sets every fluid cell to equilibrium at the given lattice density and velocity (one value, or
  /// three, per stored cell in brick order; empty = rest). Resets the step count.
  virtual void initialise(const std::vector<double>& rho, const std::vector<double>& u) = 0;

  /// A fingerprint of the lattice (bricks, cell types, boundary links and their q, iolets,
  /// velocity set, dx): two runs with the same hash step the same cells the same way.
  virtual std::uint64_t lattice_hash() const = 0;
  /// The state now (copies the populations to the host).
  virtual SimulationState state() = 0;
  /// Goes on from a state taken by state() on the same lattice, on either backend: bit for bit
  /// where backend and precision are the same. Throws hemotwin::Error, changing nothing, when the
  /// lattice hash, the velocity set, the streaming scheme or the outlets differ.
  virtual void restore(const SimulationState& s) = 0;
};

}  // namespace hemotwin
