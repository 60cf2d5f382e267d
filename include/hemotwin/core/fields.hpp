#pragma once
// Host-side copies of the lattice layout and of the macroscopic fields, in physical units, handed
// to writers (HDF5/XDMF, VTK) and to Python. Fields are stored brick by brick: value v of cell
// (x, y, z) of brick b sits at [(b * B^3 + x + B * (y + B * z)) * components + v], B = brick_size.
#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace hemotwin {

enum class CellType : std::uint8_t { Solid = 0, Fluid = 1 };

struct GridInfo {
  double dx = 0;                    // m
  Eigen::Vector3d origin{0, 0, 0};  // m, centre of cell (0, 0, 0)
  std::array<int, 3> cells{};       // bounding extent in cells (a multiple of brick_size)
  int brick_size = 0;
  std::vector<std::array<std::int32_t, 3>> brick_origins;  // first cell of each stored brick
  std::vector<std::uint8_t> cell_type;                     // CellType per stored cell
  std::int64_t fluid_cells = 0;
  std::int64_t stored_cells() const { return static_cast<std::int64_t>(cell_type.size()); }
};

struct FieldSnapshot {
  std::int64_t step = 0;
  double time = 0;              // s
  std::vector<float> velocity;  // m/s, 3 components per stored cell, 0 in solid cells
  std::vector<float> pressure;  // Pa (gauge), one per stored cell, 0 in solid cells
};

/// VelocityOutlet: an outlet whose outflow is prescribed (a flow split); it takes velocity links
/// as an inlet does, with the flow leaving.
enum class IoletKind { VelocityInlet, PressureOutlet, VelocityOutlet };
inline bool is_velocity_iolet(IoletKind k) { return k != IoletKind::PressureOutlet; }
inline bool is_outlet(IoletKind k) { return k != IoletKind::VelocityInlet; }
inline const char* to_string(IoletKind k) {
  return k == IoletKind::VelocityInlet    ? "velocity_inlet"
         : k == IoletKind::VelocityOutlet ? "velocity_outlet"
                                          : "pressure_outlet";
}

struct IoletInfo {
  std::string name;  // "inlet0", "outlet0", ...
  IoletKind kind = IoletKind::VelocityInlet;
  Eigen::Vector3d centre{0, 0, 0};  // m
  Eigen::Vector3d normal{0, 0, 0};  // outward unit normal
  double area = 0;                  // m^2, of the fluid cross-section
};

/// A measurement section (Case::sections) as the lattice samples it.
struct SectionInfo {
  std::string name;
  Eigen::Vector3d centre{0, 0, 0};  // m
  Eigen::Vector3d normal{0, 0, 0};  // unit, the positive flow direction
  double area = 0;                  // m^2, of the fluid cross-section sampled
};

/// Reductions taken on the device every `check_every` steps.
struct Diagnostics {
  std::int64_t step = 0;
  double time = 0;            // s
  double mass = 0;            // lattice units: sum of densities over fluid cells
  double max_speed = 0;       // m/s
  double fluid_volume = 0;    // m^3: the fluid cells now (a moving wall changes them)
  double kinetic_energy = 0;  // J: rho0 |u|^2 / 2 summed over the fluid cells, times dx^3
  /// A moving wall that knows its volume (a chamber): m^3, that volume now; NaN otherwise.
  double wall_volume = std::numeric_limits<double>::quiet_NaN();
  /// A moving wall (a chamber): W, 2 mu(gamma) S:S summed over the fluid cells times dx^3, from
  /// the velocity gradient (flow_fields.hpp) and the viscosity at each cell's shear rate (the
  /// blood's, plus LES's eddy viscosity: effective_viscosity); NaN for rigid walls (whose fields
  /// give it per snapshot).
  double viscous_dissipation = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> iolet_flow;  // m^3/s through each iolet, positive into the domain at inlets
                                   // and out of it at outlets
  std::vector<double> iolet_pressure;  // Pa, mean over the iolet's cross-section slab
  // Pa: the pressure each pressure outlet imposes now (fixed, waveform, resistance or
  // Windkessel); NaN at velocity iolets.
  std::vector<double> iolet_boundary_pressure;
  std::vector<double> section_flow;      // m^3/s along each section's normal
  std::vector<double> section_pressure;  // Pa, mean over the section's slab
};

}  // namespace hemotwin
