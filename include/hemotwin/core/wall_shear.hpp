#pragma once
// Wall shear stress at the wall points of a lattice: one per fluid cell that has a wall link,
// placed on the wall where the Bouzidi distances q put it, with the shear rate taken from the
// velocity along the wall normal (a parabola through zero at the wall and two samples inside),
// and time averages over a cycle (TAWSS, OSI).
#include <cstdint>
#include <functional>
#include <vector>

#include "hemotwin/core/sparse_lattice.hpp"

namespace hemotwin {

/// Where the wall is, seen from the fluid cells next to it (lattice units: cells).
struct WallPoints {
  std::vector<std::int64_t> cell;  // the fluid cell next to the wall
  std::vector<Vec3> normal;        // unit, out of the fluid, from the cell's wall links
  std::vector<double> distance;    // cells, from the cell's centre to the wall along the normal
  std::size_t size() const { return cell.size(); }
};

/// The wall points of the wall links (iolet links are not wall). Each wall link crosses the wall
/// at x + q c_i; the plane fitted (least squares) through the crossings of a cell's links and its
/// neighbours' gives the normal, and its distance from the cell's centre the distance.
template <class L>
WallPoints find_wall_points(const SparseLattice& lattice, const LinkList& links);

/// Shear-rate vectors (1/s, tangential, pointing along the flow next to the wall) at each wall
/// point from the velocity field `u` (m/s, 3 per stored cell) on a lattice of spacing dx (m). The
/// tangential velocity is sampled at the cell and one cell further in along -n (trilinear; two and
/// one cells in where the wall is within 0.3 cells of the cell), and the parabola through zero at
/// the wall and those samples gives the slope at the wall: exact for Poiseuille flow.
std::vector<Vec3> wall_shear_rate(const SparseLattice& lattice, const WallPoints& wall,
                                  const std::vector<double>& u, double dx);

/// The wall shear stress of a run at one instant, physical units.
struct WallShearField {
  double time = 0;           // s
  std::vector<Vec3> point;   // m, on the wall
  std::vector<Vec3> normal;  // unit, out of the fluid
  std::vector<Vec3> wss;     // Pa, the traction along the wall (the direction the fluid drags it)
};

/// Running time averages of the wall shear stress over samples taken at chosen times: TAWSS =
/// (1/T) int |tau| dt and OSI = (1/2) (1 - |int tau dt| / int |tau| dt) (Ku et al. 1985),
/// each sample weighted by the time `dt` it stands for.
class WallShearAverage {
 public:
  explicit WallShearAverage(std::size_t points) : sum_(points, Vec3::Zero()), abs_(points, 0.0) {}
  void add(const std::vector<Vec3>& wss, double dt);
  double duration() const { return time_; }
  std::vector<double> tawss() const;
  std::vector<double> osi() const;
  void reset();
  /// The running integrals, for checkpoints: of tau dt and of |tau| dt per point (Pa s).
  const std::vector<Vec3>& integral() const { return sum_; }
  const std::vector<double>& magnitude_integral() const { return abs_; }
  /// Goes on from integrals taken by integral(), magnitude_integral() and duration(); throws
  /// hemotwin::Error when their sizes differ from this average's points.
  void restore(const std::vector<Vec3>& integral, const std::vector<double>& magnitude_integral,
               double duration);

 private:
  std::vector<Vec3> sum_;
  std::vector<double> abs_;
  double time_ = 0;
};

}  // namespace hemotwin
