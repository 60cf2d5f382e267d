#pragma once
// Reads back what analysis needs from a results.h5 (docs/file-format.md): the iolet and section
// time series, the wall and its averages, and the case as run. Dense fields are left in the file.
#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "hemotwin/core/fields.hpp"

namespace hemotwin::io {

/// Whether a stored iolet kind (core's to_string(IoletKind)) is an outlet's.
inline bool is_outlet_kind(const std::string& kind) {
  return kind == to_string(IoletKind::PressureOutlet) ||
         kind == to_string(IoletKind::VelocityOutlet);
}

/// The time series of one inlet, outlet or measurement section.
struct PlaneSeries {
  std::string name;
  std::string kind;  // iolets: "velocity_inlet", "pressure_outlet", "velocity_outlet"; "section"
  Eigen::Vector3d centre{0, 0, 0};  // m
  Eigen::Vector3d normal{0, 0, 0};  // iolets: outward; sections: the positive flow direction
  double area = 0;                  // m^2
  std::vector<double> time;         // s
  std::vector<double> flow;         // m^3/s (into the domain at inlets, out at outlets)
  std::vector<double> pressure;     // Pa

  bool is_outlet() const { return is_outlet_kind(kind); }
  bool is_inlet() const { return kind == to_string(IoletKind::VelocityInlet); }
};

/// The whole domain's series (/diagnostics), one value per sample; a column the file does not
/// hold (written before it was stored; a chamber's two for a rigid run) is empty.
struct DomainSeries {
  std::vector<double> time;                 // s
  std::vector<double> mass;                 // lattice units: the sum of the cells' densities
  std::vector<double> fluid_volume;         // m^3
  std::vector<double> kinetic_energy;       // J
  std::vector<double> wall_volume;          // m^3, a chamber's moving wall
  std::vector<double> viscous_dissipation;  // W, a chamber's

  bool chamber() const { return !wall_volume.empty(); }
};

struct ResultsData {
  std::filesystem::path path;
  std::string case_name;
  std::string case_text;    // TOML, the case as run
  double dt = 0;            // s
  double cycle_period = 0;  // s; 0 for a steady run (or a file written before it was stored)
  std::vector<PlaneSeries> iolets;    // in the solver's order
  std::vector<PlaneSeries> sections;  // in the case's order
  DomainSeries domain;
  // The wall (one point per fluid cell with a wall link).
  std::vector<Eigen::Vector3d> wall_points, wall_normals, wall_wss;  // m, -, Pa (final state)
  std::vector<double> tawss, osi;  // Pa, -; empty when nothing was averaged
  /// m^2: the wall area each wall point stands for (io::wall_point_areas); empty when the run
  /// had no wall surface (then each point counts alike).
  std::vector<double> wall_area;
  double averaged_over = 0;  // s
  /// The WSS of each sample of the averaging window (/wall/wss_series; empty when the run kept
  /// none): wss_series[k][i] at wss_series_time[k] for wall point i.
  std::vector<double> wss_series_time;
  std::vector<std::vector<Eigen::Vector3d>> wss_series;

  /// The iolet or section of that name; throws hemotwin::Error naming the file and listing the
  /// names there are.
  const PlaneSeries& plane(const std::string& name) const;
};

/// Throws hemotwin::Error naming the file (and the object) when it is not a hemotwin results file
/// or lacks what is read.
ResultsData read_results(const std::filesystem::path& path);

/// One field output of a results file on its dense grid: cell (i, j, k) centred at origin + dx
/// (i, j, k), values indexed [k][j][i] (x fastest), NaN outside the fluid.
struct FieldFrame {
  std::int64_t step = 0;
  double time = 0;  // s
  double dx = 0;    // m
  Eigen::Vector3d origin{0, 0, 0};
  std::array<int, 3> cells{};    // x, y, z
  std::vector<double> velocity;  // m/s, 3 per cell
  std::vector<double> pressure;  // Pa
  std::size_t index(int i, int j, int k) const {
    return std::size_t(i) +
           std::size_t(cells[0]) * (std::size_t(j) + std::size_t(cells[1]) * std::size_t(k));
  }
};

/// The times (s) of the field outputs, in order; empty when the run wrote none.
std::vector<double> field_times(const std::filesystem::path& path);
/// The field output nearest `time`. Throws hemotwin::Error naming the file when there is none.
FieldFrame read_field(const std::filesystem::path& path, double time);

}  // namespace hemotwin::io
