#include "hemotwin/core/flow_fields.hpp"

#include <Eigen/Eigenvalues>
#include <cmath>

#include "hemotwin/core/error.hpp"

namespace hemotwin {
namespace {

void check_size(const GridInfo& g, std::span<const float> velocity) {
  if (g.brick_size < 1 || g.stored_cells() != std::int64_t(g.brick_origins.size()) * g.brick_size *
                                                  g.brick_size * g.brick_size)
    throw Error("flow fields: the grid's cell types do not fill its bricks");
  if (velocity.size() != 3 * std::size_t(g.stored_cells()))
    throw Error("flow fields: " + std::to_string(velocity.size()) + " velocity values for " +
                std::to_string(g.stored_cells()) + " stored cells (3 each expected)");
}

Eigen::Vector3d velocity_of(std::span<const float> u, std::int64_t c) {
  return {double(u[std::size_t(3 * c)]), double(u[std::size_t(3 * c + 1)]),
          double(u[std::size_t(3 * c + 2)])};
}

// The fluid cell next to a cell along an axis, or -1 (solid, or beyond the grid), through a
// dense map of the stored bricks.
class Neighbours {
 public:
  explicit Neighbours(const GridInfo& g) : g_(g), b_(g.brick_size) {
    for (int a = 0; a < 3; ++a) n_[a] = (g.cells[a] + b_ - 1) / b_;
    map_.assign(std::size_t(n_[0]) * n_[1] * n_[2], -1);
    for (std::size_t i = 0; i < g.brick_origins.size(); ++i) {
      const auto& o = g.brick_origins[i];
      map_[index(o[0] / b_, o[1] / b_, o[2] / b_)] = std::int32_t(i);
    }
  }
  std::int64_t step(std::int64_t cell, int axis, int sign) const {
    const std::int64_t b3 = std::int64_t(b_) * b_ * b_;
    const auto& o = g_.brick_origins[std::size_t(cell / b3)];
    const int local = int(cell % b3);
    int x[3] = {o[0] + local % b_, o[1] + (local / b_) % b_, o[2] + local / (b_ * b_)};
    x[axis] += sign;
    if (x[axis] < 0 || x[axis] >= g_.cells[axis]) return -1;
    const std::int32_t brick = map_[index(x[0] / b_, x[1] / b_, x[2] / b_)];
    if (brick < 0) return -1;
    const std::int64_t n =
        brick * b3 + x[0] % b_ + std::int64_t(b_) * (x[1] % b_ + std::int64_t(b_) * (x[2] % b_));
    return g_.cell_type[std::size_t(n)] == 1 ? n : -1;
  }

 private:
  std::size_t index(int i, int j, int k) const {
    return std::size_t(i) +
           std::size_t(n_[0]) * (std::size_t(j) + std::size_t(n_[1]) * std::size_t(k));
  }
  const GridInfo& g_;
  int b_;
  int n_[3];
  std::vector<std::int32_t> map_;
};

// The derivative along axis a at fluid cell c: central where both neighbours are fluid, else
// one-sided of second order (three points) or, with one fluid neighbour only, first order.
Eigen::Vector3d derivative(const Neighbours& nbs, double h, std::span<const float> u,
                           std::int64_t c, int a) {
  const std::int64_t p = nbs.step(c, a, 1), m = nbs.step(c, a, -1);
  if (p >= 0 && m >= 0) return (velocity_of(u, p) - velocity_of(u, m)) / (2 * h);
  for (int sign : {1, -1}) {
    const std::int64_t n1 = sign > 0 ? p : m;
    if (n1 < 0) continue;
    const std::int64_t n2 = nbs.step(n1, a, sign);
    const Eigen::Vector3d d =
        n2 >= 0
            ? Eigen::Vector3d(
                  (-3 * velocity_of(u, c) + 4 * velocity_of(u, n1) - velocity_of(u, n2)) / (2 * h))
            : Eigen::Vector3d((velocity_of(u, n1) - velocity_of(u, c)) / h);
    return double(sign) * d;
  }
  return Eigen::Vector3d::Zero();
}

}  // namespace

std::vector<Eigen::Matrix3d> velocity_gradients(const GridInfo& grid,
                                                std::span<const float> velocity) {
  check_size(grid, velocity);
  const Neighbours nbs(grid);
  const std::int64_t n = grid.stored_cells();
  std::vector<Eigen::Matrix3d> g(std::size_t(n), Eigen::Matrix3d::Zero());
#pragma omp parallel for schedule(dynamic, 512)
  for (std::int64_t c = 0; c < n; ++c) {
    if (grid.cell_type[std::size_t(c)] != 1) continue;
    for (int a = 0; a < 3; ++a) g[std::size_t(c)].col(a) = derivative(nbs, grid.dx, velocity, c, a);
  }
  return g;
}

VortexFields vortex_fields(const GridInfo& grid, std::span<const float> velocity) {
  const auto grad = velocity_gradients(grid, velocity);
  VortexFields out;
  out.q.assign(grad.size(), 0.0f);
  out.lambda2.assign(grad.size(), 0.0f);
  const std::int64_t n = std::int64_t(grad.size());
#pragma omp parallel for schedule(dynamic, 512)
  for (std::int64_t c = 0; c < n; ++c) {
    if (grid.cell_type[std::size_t(c)] != 1) continue;
    const Eigen::Matrix3d& a = grad[std::size_t(c)];
    const Eigen::Matrix3d s = (a + a.transpose()) / 2, w = (a - a.transpose()) / 2;
    out.q[std::size_t(c)] = float((w.squaredNorm() - s.squaredNorm()) / 2);
    Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> eig;
    eig.computeDirect(s * s + w * w, Eigen::EigenvaluesOnly);
    out.lambda2[std::size_t(c)] = float(eig.eigenvalues()[1]);  // increasing
  }
  return out;
}

double kinetic_energy(const GridInfo& grid, std::span<const float> velocity, double density) {
  check_size(grid, velocity);
  const std::int64_t n = grid.stored_cells();
  double sum = 0;
#pragma omp parallel for reduction(+ : sum) schedule(static)
  for (std::int64_t c = 0; c < n; ++c)
    if (grid.cell_type[std::size_t(c)] == 1) sum += velocity_of(velocity, c).squaredNorm();
  return 0.5 * density * sum * std::pow(grid.dx, 3);
}

double viscous_dissipation(const GridInfo& grid, std::span<const float> velocity,
                           double viscosity) {
  return viscous_dissipation(grid, velocity, [viscosity](double) { return viscosity; });
}

double viscous_dissipation(const GridInfo& grid, std::span<const float> velocity,
                           const std::function<double(double)>& viscosity) {
  const auto grad = velocity_gradients(grid, velocity);
  const std::int64_t n = std::int64_t(grad.size());
  double sum = 0;
#pragma omp parallel for reduction(+ : sum) schedule(static)
  for (std::int64_t c = 0; c < n; ++c) {
    if (grid.cell_type[std::size_t(c)] != 1) continue;
    const Eigen::Matrix3d& a = grad[std::size_t(c)];
    const double ss = ((a + a.transpose()) / 2).squaredNorm();
    sum += viscosity(std::sqrt(2 * ss)) * ss;
  }
  return 2 * sum * std::pow(grid.dx, 3);
}

}  // namespace hemotwin
