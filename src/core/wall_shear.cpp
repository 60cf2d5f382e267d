#include "hemotwin/core/wall_shear.hpp"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>

#include "hemotwin/core/error.hpp"
#include "hemotwin/core/lattice.hpp"

namespace hemotwin {

template <class L>
WallPoints find_wall_points(const SparseLattice& lattice, const LinkList& links) {
  // Where each wall link crosses the wall (x + q c_i, lattice coordinates), by fluid cell. Links
  // are in cell order (build_links): a cell's links are consecutive.
  struct Crossings {
    std::int64_t cell;
    std::size_t first, last;  // into `points`
  };
  std::vector<Vec3> points;
  std::vector<Crossings> cells;
  std::vector<std::int64_t> index_of(std::size_t(lattice.brick_count()) * brick_cells, -1);
  for (std::size_t k = 0; k < links.size(); ++k) {
    if (links.kind[k] != std::uint8_t(LinkKind::Wall)) continue;
    const std::int64_t cell = links.fluid[k];
    if (cells.empty() || cells.back().cell != cell) {
      index_of[cell] = std::int64_t(cells.size());
      cells.push_back({cell, points.size(), points.size()});
    }
    const int i = links.dir[k];  // the crossing relative to its cell (periodic axes wrap cells)
    points.push_back(links.q[k] * Vec3(L::c[i][0], L::c[i][1], L::c[i][2]));
    cells.back().last = points.size();
  }
  // Per wall cell: the plane through the crossings of its own links and of its neighbours'
  // (least squares: the covariance's smallest eigenvector), oriented out of the fluid; the
  // distance is that of the plane from the cell's centre.
  WallPoints w;
  w.cell.resize(cells.size());
  w.normal.resize(cells.size());
  w.distance.resize(cells.size());
#pragma omp parallel for schedule(static)
  for (std::int64_t m = 0; m < std::int64_t(cells.size()); ++m) {
    const auto ijk = lattice.cell_coords(cells[m].cell);
    // Coordinates relative to this cell's centre.
    const Vec3 x = Vec3::Zero();
    Vec3 mean = Vec3::Zero(), own = Vec3::Zero();
    std::vector<Vec3> near;
    for (int dz = -1; dz <= 1; ++dz)
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
          const std::int64_t c = lattice.cell_at({ijk[0] + dx, ijk[1] + dy, ijk[2] + dz});
          if (c < 0 || index_of[c] < 0) continue;
          const auto& cr = cells[index_of[c]];
          for (std::size_t p = cr.first; p < cr.last; ++p)
            near.push_back(Vec3(dx, dy, dz) + points[p]);
        }
    for (const Vec3& p : near) mean += p;
    mean /= double(near.size());
    for (std::size_t p = cells[m].first; p < cells[m].last; ++p) own += points[p];
    own /= double(cells[m].last - cells[m].first);
    Eigen::Matrix3d cov = Eigen::Matrix3d::Zero();
    for (const Vec3& p : near) cov += (p - mean) * (p - mean).transpose();
    Vec3 n;
    if (near.size() >= 3) {
      Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> eig(cov);
      n = eig.eigenvectors().col(0);
    } else {
      n = own - x;
    }
    if (n.dot(own - x) < 0) n = -n;
    n.normalize();
    w.cell[m] = cells[m].cell;
    w.normal[m] = n;
    // The distance from the cell's own crossings, those along the normal counting most: a crossing
    // off to the side of a curved wall lies short of it by (offset)^2 / 2R along n.
    double d = 0, weight = 0;
    for (std::size_t p = cells[m].first; p < cells[m].last; ++p) {
      const double along = points[p].dot(n), len = points[p].norm();
      if (!(len > 0) || along <= 0) continue;
      const double wgt = std::pow(along / len, 16);
      d += wgt * along;
      weight += wgt;
    }
    w.distance[m] = weight > 0 ? d / weight : std::max(0.0, (mean - x).dot(n));
  }
  return w;
}

template WallPoints find_wall_points<D3Q19>(const SparseLattice&, const LinkList&);
template WallPoints find_wall_points<D3Q27>(const SparseLattice&, const LinkList&);

namespace {
// Trilinear interpolation of the velocity at p (lattice coordinates of the grid, cells) over the
// fluid cells among the 8 around it (renormalised); false when none is fluid.
bool velocity_at(const SparseLattice& lat, const std::vector<double>& u, const Vec3& p, Vec3& out) {
  const int i0 = int(std::floor(p.x())), j0 = int(std::floor(p.y())), k0 = int(std::floor(p.z()));
  const double fx = p.x() - i0, fy = p.y() - j0, fz = p.z() - k0;
  Vec3 sum = Vec3::Zero();
  double weight = 0;
  for (int c = 0; c < 8; ++c) {
    const int dx = c & 1, dy = (c >> 1) & 1, dz = (c >> 2) & 1;
    const std::int64_t cell = lat.cell_at({i0 + dx, j0 + dy, k0 + dz});
    if (!lat.is_fluid(cell)) continue;
    const double wgt = (dx ? fx : 1 - fx) * (dy ? fy : 1 - fy) * (dz ? fz : 1 - fz);
    sum += wgt * Vec3(u[3 * cell], u[3 * cell + 1], u[3 * cell + 2]);
    weight += wgt;
  }
  if (!(weight > 1e-6)) return false;
  out = sum / weight;
  return true;
}
}  // namespace

std::vector<Vec3> wall_shear_rate(const SparseLattice& lat, const WallPoints& wall,
                                  const std::vector<double>& u, double dx) {
  if (u.size() != 3 * std::size_t(lat.brick_count()) * brick_cells)
    throw Error("wall_shear_rate: the velocity field needs 3 values per stored cell");
  std::vector<Vec3> rate(wall.size(), Vec3::Zero());
#pragma omp parallel for schedule(static)
  for (std::int64_t k = 0; k < std::int64_t(wall.size()); ++k) {
    const Vec3& n = wall.normal[k];
    const auto ijk = lat.cell_coords(wall.cell[k]);
    const Vec3 x(ijk[0], ijk[1], ijk[2]);
    const auto tangential = [&](const Vec3& v) { return Vec3(v - v.dot(n) * n); };
    // Two samples along -n, at distances s1 < s2 from the wall: the cell (s1 = d) and one cell
    // further in, or one and two cells in where the cell is too close to the wall.
    double s1 = wall.distance[k], s2 = s1 + 1;
    Vec3 a, b;
    bool ok;
    if (s1 >= 0.3) {
      const std::int64_t c = wall.cell[k];
      a = Vec3(u[3 * c], u[3 * c + 1], u[3 * c + 2]);
      ok = velocity_at(lat, u, x - n, b);
    } else {
      s1 += 1;
      s2 += 1;
      ok = velocity_at(lat, u, x - n, a) && velocity_at(lat, u, x - 2 * n, b);
    }
    if (!ok) {  // a thin spot: the slope from the cell alone
      const std::int64_t c = wall.cell[k];
      rate[k] = tangential(Vec3(u[3 * c], u[3 * c + 1], u[3 * c + 2])) /
                (std::max(wall.distance[k], 0.1) * dx);
      continue;
    }
    // u_t(s) = alpha s + beta s^2 through (s1, a) and (s2, b): alpha is the slope at the wall.
    const Vec3 alpha = (tangential(a) * s2 * s2 - tangential(b) * s1 * s1) / (s1 * s2 * (s2 - s1));
    rate[k] = alpha / dx;
  }
  return rate;
}

void WallShearAverage::add(const std::vector<Vec3>& wss, double dt) {
  if (wss.size() != sum_.size())
    throw Error("WallShearAverage: " + std::to_string(wss.size()) + " values for " +
                std::to_string(sum_.size()) + " wall points");
  for (std::size_t k = 0; k < wss.size(); ++k) {
    sum_[k] += dt * wss[k];
    abs_[k] += dt * wss[k].norm();
  }
  time_ += dt;
}

std::vector<double> WallShearAverage::tawss() const {
  std::vector<double> out(abs_.size(), 0.0);
  if (time_ > 0)
    for (std::size_t k = 0; k < out.size(); ++k) out[k] = abs_[k] / time_;
  return out;
}

std::vector<double> WallShearAverage::osi() const {
  std::vector<double> out(abs_.size(), 0.0);
  for (std::size_t k = 0; k < out.size(); ++k)
    if (abs_[k] > 0) out[k] = 0.5 * (1.0 - std::min(1.0, sum_[k].norm() / abs_[k]));
  return out;
}

void WallShearAverage::restore(const std::vector<Vec3>& integral,
                               const std::vector<double>& magnitude_integral, double duration) {
  if (integral.size() != sum_.size() || magnitude_integral.size() != abs_.size())
    throw Error("the wall shear average being restored has " + std::to_string(integral.size()) +
                " points; this wall has " + std::to_string(sum_.size()));
  sum_ = integral;
  abs_ = magnitude_integral;
  time_ = duration;
}

void WallShearAverage::reset() {
  std::fill(sum_.begin(), sum_.end(), Vec3::Zero());
  std::fill(abs_.begin(), abs_.end(), 0.0);
  time_ = 0;
}

}  // namespace hemotwin
