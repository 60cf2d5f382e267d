#include "moving_wall.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include "hemotwin/core/error.hpp"
#include "hemotwin/core/kernels.hpp"
#include "hemotwin/core/lattice.hpp"

namespace hemotwin::moving {
namespace {
constexpr int B = brick_size;
constexpr int B3 = brick_cells;

// The 26 neighbours of a cell (stored or not: -1), through the brick-neighbour table as the
// stream-collide finds them.
template <class F>
void for_each_neighbour(const SparseLattice& lat, std::int64_t cell, F&& f) {
  const std::int64_t stored = std::int64_t(lat.brick_count()) * B3;
  for (int dz = -1; dz <= 1; ++dz)
    for (int dy = -1; dy <= 1; ++dy)
      for (int dx = -1; dx <= 1; ++dx)
        if (dx || dy || dz) {
          const std::int64_t nb =
              kernels::neighbour_cell(lat.neighbours().data(), cell, dx, dy, dz);
          f(nb < stored ? nb : std::int64_t(-1));
        }
}

bool within_extent(const SparseLattice& lat, const DomainSpec& spec, std::int64_t cell) {
  const auto ijk = lat.cell_coords(cell);
  for (int a = 0; a < 3; ++a)
    if (ijk[a] >= spec.cells[a]) return false;
  return true;
}
}  // namespace

std::vector<double> sample_times(const MovingWallSpec& spec) {
  if (!spec.shape) throw Error("internal: a moving wall without a shape");
  if (!(spec.time_step > 0) || !std::isfinite(spec.time_step))
    throw Error("a moving wall needs a positive time step per lattice step, got " +
                std::to_string(spec.time_step));
  if (spec.relink_every < 1)
    throw Error("a moving wall is relinked every 1 or more steps, not " +
                std::to_string(spec.relink_every));
  if (spec.phase_samples < 2 || spec.phase_samples > 64)
    throw Error("a moving wall samples 2 to 64 phases of its cycle, not " +
                std::to_string(spec.phase_samples));
  const double period = spec.shape->period();
  if (!(period > 0) || !std::isfinite(period))
    throw Error("a moving wall's cycle must have a positive length, got " + std::to_string(period));
  std::vector<double> t(std::size_t(spec.phase_samples));
  for (int k = 0; k < spec.phase_samples; ++k)
    t[std::size_t(k)] = spec.start + period * k / spec.phase_samples;
  return t;
}

PhaseUnion::PhaseUnion(const MovingWallSpec& spec) {
  for (double t : sample_times(spec)) phases_.push_back(spec.shape->at(t));
  bounds_ = spec.shape->envelope();
}

bool PhaseUnion::contains(const Vec3& p) const {
  return std::any_of(phases_.begin(), phases_.end(), [&](const auto& s) { return s->contains(p); });
}

void PhaseUnion::contains_row(const Vec3& start, double step, int n, std::uint8_t* out) const {
  std::vector<std::uint8_t> row(static_cast<std::size_t>(n));
  std::fill_n(out, n, std::uint8_t(0));
  for (const auto& s : phases_) {
    s->contains_row(start, step, n, row.data());
    for (int i = 0; i < n; ++i) out[i] |= row[std::size_t(i)];
  }
}

DomainSpec union_spec(const DomainSpec& spec) {
  DomainSpec u = spec;
  u.shape = std::make_shared<PhaseUnion>(spec.moving_wall);
  return u;
}

bool cut_off(const std::vector<IoletPlane>& iolets, const Vec3& p) {
  for (const auto& io : iolets)
    if ((p - io.point).dot(io.normal) >= 0 && io.covers(p)) return true;
  return false;
}

bool fluid_at(const Shape& shape, const std::vector<IoletPlane>& iolets, const Vec3& p) {
  return shape.contains(p) && !cut_off(iolets, p);
}

bool fluid_cell(const Shape& shape, const DomainSpec& spec, const SparseLattice& lat,
                std::int64_t cell) {
  return within_extent(lat, spec, cell) && fluid_at(shape, spec.iolets, lat.position(cell));
}

template <class L>
Band find_band(const SparseLattice& lat, const DomainSpec& spec) {
  const auto times = sample_times(spec.moving_wall);
  const int n = int(times.size());
  const std::uint64_t all = n == 64 ? ~std::uint64_t(0) : (std::uint64_t(1) << n) - 1;
  std::vector<DomainSpec> phase(std::size_t(n), spec);
  for (int k = 0; k < n; ++k) phase[std::size_t(k)].shape = spec.moving_wall.shape->at(times[k]);
  const std::int64_t nstored = std::int64_t(lat.brick_count()) * B3;

  // 1. Which phases each cell is fluid in (bit k: phase k), a brick row at a time.
  std::vector<std::uint64_t> mask(std::size_t(nstored), 0);
#pragma omp parallel for schedule(dynamic, 4)
  for (std::int64_t r = 0; r < nstored / B; ++r) {
    const std::int64_t first = r * B;
    if (!within_extent(lat, spec, first)) continue;  // the whole row lies beyond the extent
    std::uint8_t row[B];
    const Vec3 start = lat.position(first);
    for (int k = 0; k < n; ++k) {
      phase[std::size_t(k)].shape->contains_row(start, lat.dx(), B, row);
      for (int i = 0; i < B; ++i)
        if (row[i] && within_extent(lat, spec, first + i) &&
            !cut_off(spec.iolets, start + Vec3(lat.dx() * i, 0, 0)))
          mask[std::size_t(first + i)] |= std::uint64_t(1) << k;
    }
  }

  // 2. Cells that flip, or whose neighbour does; and the cells fluid in every phase with a
  // neighbour solid in every phase, whose links keep their kinds but may change their q.
  std::vector<std::uint8_t> changing(std::size_t(nstored), 0), candidate(std::size_t(nstored), 0);
#pragma omp parallel for schedule(static)
  for (std::int64_t c = 0; c < nstored; ++c) {
    const std::uint64_t m = mask[std::size_t(c)];
    if (m == 0) continue;
    bool flips = m != all, wall = false;
    const auto ijk = lat.cell_coords(c);
    for (int q = 1; q < L::Q && !flips; ++q) {
      const std::int64_t nb =
          lat.cell_at({ijk[0] + L::c[q][0], ijk[1] + L::c[q][1], ijk[2] + L::c[q][2]});
      const std::uint64_t mn = nb < 0 ? 0 : mask[std::size_t(nb)];
      if (mn != 0 && mn != all) flips = true;
      if (mn == 0) wall = true;
    }
    changing[std::size_t(c)] = flips;
    candidate[std::size_t(c)] = !flips && wall;
  }
  std::vector<std::int64_t> cand;
  for (std::int64_t c = 0; c < nstored; ++c)
    if (candidate[std::size_t(c)]) cand.push_back(c);

  // 3. Their links in every fourth phase against the first: the same list (the kinds of their
  // neighbours do not change), so compared link by link.
  const std::vector<double> no_scale(spec.iolets.size(), 0.0);
  const LinkList ref = build_links_of<L>(lat, phase[0], cand, no_scale);
  for (int k = 4; k < n; k += 4) {
    const LinkList now = build_links_of<L>(lat, phase[std::size_t(k)], cand, no_scale);
    if (now.size() != ref.size()) throw Error("internal: a band candidate's links changed");
    for (std::size_t j = 0; j < ref.size(); ++j)
      if (now.kind[j] != ref.kind[j] || now.iolet[j] != ref.iolet[j] ||
          std::abs(now.q[j] - ref.q[j]) > 1e-9)
        changing[std::size_t(ref.fluid[j])] = 1;
  }

  // 4. With their neighbours.
  Band band;
  band.in.assign(std::size_t(nstored), 0);
  for (std::int64_t c = 0; c < nstored; ++c) {
    if (!changing[std::size_t(c)]) continue;
    band.in[std::size_t(c)] = 1;
    for_each_neighbour(lat, c, [&](std::int64_t nb) {
      if (nb >= 0) band.in[std::size_t(nb)] = 1;
    });
  }
  for (std::int64_t c = 0; c < nstored; ++c)
    if (band.in[std::size_t(c)]) band.cells.push_back(c);
  return band;
}

template Band find_band<D3Q19>(const SparseLattice&, const DomainSpec&);
template Band find_band<D3Q27>(const SparseLattice&, const DomainSpec&);

std::string where(const Vec3& p, double t) {
  std::ostringstream s;
  s << "(" << p.x() << ", " << p.y() << ", " << p.z() << ") at t = " << t;
  return s.str();
}

Flips find_flips(const Shape& shape, const DomainSpec& spec, const SparseLattice& lat,
                 const Band& band, std::span<const std::int64_t> front, bool whole,
                 std::vector<std::uint8_t>& seen, double t, int phases) {
  const std::span<const std::int64_t> first = whole ? std::span(band.cells) : front;
  // Cells are classified a brick row (B cells along x) at a time, by one ray, as find_band and
  // the lattice classify them: `fluid` for the row's cells from `first` to `last`.
  const auto classify = [&](std::int64_t row, const std::int64_t* first_cell,
                            const std::int64_t* last_cell, std::uint8_t* fluid) {
    const Vec3 start = lat.position(row);
    std::uint8_t inside[B];
    shape.contains_row(start, lat.dx(), B, inside);
    for (const std::int64_t* c = first_cell; c != last_cell; ++c, ++fluid) {
      const int i = int(*c - row);
      *fluid = inside[i] && within_extent(lat, spec, *c) &&
               !cut_off(spec.iolets, start + Vec3(lat.dx() * i, 0, 0));
    }
  };
  const auto flips = [&](std::int64_t c) {
    std::uint8_t fluid = 0;
    classify(c / B * B, &c, &c + 1, &fluid);
    return bool(fluid) != lat.is_fluid(c);
  };
  const std::int64_t n = std::int64_t(first.size());
  std::vector<std::uint8_t> flip(first.size());
  // One ray for all the cells tried in a brick row: the front's come a few to a row.
  std::vector<std::size_t> runs;  // where each run of cells of one brick row starts
  for (std::size_t k = 0; k < first.size(); ++k)
    if (k == 0 || first[k] / B != first[k - 1] / B) runs.push_back(k);
  runs.push_back(first.size());
  const std::int64_t nruns = std::int64_t(runs.size()) - 1;
#pragma omp parallel for schedule(static) if (n > 2048)
  for (std::int64_t r = 0; r < nruns; ++r) {
    const std::size_t a = runs[std::size_t(r)], b = runs[std::size_t(r) + 1];
    classify(first[a] / B * B, first.data() + a, first.data() + b, flip.data() + a);
    for (std::size_t k = a; k < b; ++k) flip[k] = bool(flip[k]) != lat.is_fluid(first[k]);
  }
  std::vector<std::int64_t> flipped, tried(first.begin(), first.end());
  for (std::int64_t k = 0; k < n; ++k) {
    seen[std::size_t(first[std::size_t(k)])] = 1;
    if (flip[std::size_t(k)]) flipped.push_back(first[std::size_t(k)]);
  }
  // From each cell that flips, its neighbours (the list grows as they flip in turn); their
  // links change with it, so they must be in the band.
  std::string beyond;
  for (std::size_t k = 0; k < flipped.size() && beyond.empty(); ++k)
    for_each_neighbour(lat, flipped[k], [&](std::int64_t nb) {
      if (nb < 0 || !band.in[std::size_t(nb)]) {
        beyond = where(lat.position(flipped[k]), t);
        return;
      }
      if (seen[std::size_t(nb)]) return;
      seen[std::size_t(nb)] = 1;
      tried.push_back(nb);
      if (flips(nb)) flipped.push_back(nb);
    });
  for (std::int64_t c : tried) seen[std::size_t(c)] = 0;
  if (!beyond.empty())
    throw Error("the moving wall reached the cell at " + beyond +
                ", beyond the cells it reaches in the " + std::to_string(phases) +
                " phases sampled over its cycle; sample more phases (up to 64)");
  Flips out;
  for (std::int64_t c : flipped) (lat.is_fluid(c) ? out.covered : out.uncovered).push_back(c);
  std::sort(out.covered.begin(), out.covered.end());
  std::sort(out.uncovered.begin(), out.uncovered.end());
  return out;
}

std::vector<std::int64_t> front_of(const SparseLattice& lat, const Band& band,
                                   std::span<const std::int64_t> front, const Flips& flips) {
  std::vector<std::int64_t> candidates(front.begin(), front.end());
  for (const auto* list : {&flips.covered, &flips.uncovered})
    for (std::int64_t c : *list) {
      candidates.push_back(c);
      for_each_neighbour(lat, c, [&](std::int64_t nb) {
        if (nb >= 0) candidates.push_back(nb);
      });
    }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  const std::int64_t n = std::int64_t(candidates.size());
  std::vector<std::uint8_t> keep(candidates.size(), 0);
#pragma omp parallel for schedule(static) if (n > 2048)
  for (std::int64_t k = 0; k < n; ++k) {
    const std::int64_t c = candidates[std::size_t(k)];
    if (!band.in[std::size_t(c)]) continue;
    const bool fluid = lat.is_fluid(c);
    bool edge = false;
    for_each_neighbour(lat, c, [&](std::int64_t nb) { edge = edge || lat.is_fluid(nb) != fluid; });
    keep[std::size_t(k)] = edge;
  }
  std::vector<std::int64_t> now;
  for (std::int64_t k = 0; k < n; ++k)
    if (keep[std::size_t(k)]) now.push_back(candidates[std::size_t(k)]);
  return now;
}

IoletSlab fluid_part(const IoletSlab& all, const SparseLattice& lattice) {
  IoletSlab s;
  s.window = all.window;
  for (std::size_t k = 0; k < all.cells.size(); ++k)
    if (lattice.is_fluid(all.cells[k])) {
      s.cells.push_back(all.cells[k]);
      s.weight.push_back(all.weight[k]);
      s.area += all.weight[k];
    }
  return s;
}

}  // namespace hemotwin::moving
