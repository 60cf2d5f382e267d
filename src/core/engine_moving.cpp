// The engine's wall that moves along its normal (DomainSpec::moving_wall; DESIGN.md, "Walls that
// move"). Between a step's stream-collide and its boundary links the band (moving_wall.hpp) is
// retyped at the new time from its front, the cells where the wall is (a relink costs what the
// wall's surface holds, not what it sweeps over the cycle): a cell the wall covers leaves the
// fluid with its mass counted; a cell it uncovers is refilled from its fluid neighbours, at the
// equilibrium of their mean density and the wall's velocity plus their mean non-equilibrium part
// (Caiazzo 2008, "Analysis of lattice Boltzmann nodes initialisation in moving boundary problems",
// Prog. Comput. Fluid Dyn. 8:3); then the band's links are rebuilt with the wall's q, each carrying
// the wall's velocity at its crossing in its moving-wall term (Bouzidi, Firdaouss & Lallemand 2001;
// Lallemand & Luo 2003).
#include <algorithm>
#include <cmath>

#include "hemotwin/core/engine.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/core/kernels.hpp"
#include "moving_wall.hpp"

namespace hemotwin {
namespace {
// Above this a wall outruns what the lattice carries (Mach 0.5).
constexpr double kMaxWallSpeed = 0.3;

}  // namespace

template <class T, class L>
void Engine<T, L>::begin_moving_wall(const DomainSpec& spec) {
  moving_ = std::make_unique<moving::State>();
  auto& m = *moving_;
  SparseLattice& lat = *lattice_;
  m.domain = spec;
  m.band = moving::find_band<L>(lat, spec);
  // The slabs as built over the union's cells; those with band cells lose the solid ones at
  // every relink.
  m.all_slabs = slabs_;
  for (const auto& slab : m.all_slabs)
    m.slab_moves.push_back(std::any_of(slab.cells.begin(), slab.cells.end(),
                                       [&](auto c) { return m.band.in[std::size_t(c)] != 0; }));
  // Outside the band a cell is fluid in every phase or in none, as the union lays it; the band
  // takes the start's types, and every link is built there once, for the coordinate scales.
  const auto shape = m.spec().shape->at(m.time(0));
  m.domain.shape = shape;
  for (std::int64_t c : m.band.cells) lat.set_fluid(c, moving::fluid_cell(*shape, spec, lat, c));
  const LinkList all = build_links<L>(lat, m.domain, &m.coord_max);
  LinkList fixed;
  for (std::size_t k = 0; k < all.size(); ++k)
    if (!m.band.in[std::size_t(all.fluid[k])]) fixed.append(all, k);
  links_ = std::move(fixed);
  m.static_links = links_.size();
  relink_moving_wall(m.time(0), nullptr, false);
}

template <class T, class L>
void Engine<T, L>::relink_moving_wall(double t, T* f, bool exchange) {
  auto& m = *moving_;
  SparseLattice& lat = *lattice_;
  const auto shape = m.spec().shape->at(t);
  m.domain.shape = shape;
  // After a jump in time (the start, a restore) every band cell is tried; step by step the
  // front and the cells reached through those that flip, with the whole band every 64th
  // relink.
  const bool whole = !exchange || ++m.relinks % 64 == 0;
  if (m.seen.empty()) m.seen.assign(std::size_t(lat.brick_count()) * brick_cells, 0);
  moving::Flips flips = moving::find_flips(*shape, m.domain, lat, m.band, m.front, whole, m.seen, t,
                                           m.spec().phase_samples);
  const auto& covered = flips.covered;
  const auto& uncovered = flips.uncovered;
  const kernels::PopulationView<T, L> post{f, lat.neighbours().data(), kernels::Layout::Plain};
  if (f && exchange) {
    for (std::int64_t c : covered) {
      double mass = 1;
      for (int j = 0; j < L::Q; ++j) mass += double(f[post.slot_of(c, j)]);
      m.exchanged_mass += mass;
    }
    m.covered += std::int64_t(covered.size());
    m.uncovered += std::int64_t(uncovered.size());
  }
  for (std::int64_t c : covered) lat.set_fluid(c, false);
  if (f && exchange && !uncovered.empty())
    refill(uncovered, t, m.spec().shape->velocity_field(t), f);
  for (std::int64_t c : uncovered) lat.set_fluid(c, true);

  // The front moves with the cells that flipped; its fluid cells hold the band's links.
  if (whole || !flips.empty())
    m.front = moving::front_of(lat, m.band, whole ? m.band.cells : m.front, flips);
  std::vector<std::int64_t> linked;
  for (std::int64_t c : m.front)
    if (lat.is_fluid(c)) linked.push_back(c);
  std::vector<WallPoint> at;  // where each link met the wall: its velocity read off there
  const LinkList mine = build_links_of<L>(lat, m.domain, linked, m.coord_max, &at);
  links_.resize(m.static_links);
  links_.append(mine);
  // Each wall link carries the wall's velocity at its crossing times the density of its fluid
  // cell (Ladd's rho0 would count the volume the wall sweeps at rho0, and the cells it covers
  // leave with their own density: a ventricle drew 2.4 % too little in ejection, when its
  // pressure is up).
  const double scale = m.spec().time_step / lat.dx();
  const std::size_t first = m.static_links;
  const std::int64_t nl = std::int64_t(links_.size() - first);
  const auto velocity = m.spec().shape->velocity_field_on(t);
  std::vector<Vec3> momentum(std::size_t(nl), Vec3::Zero());
  std::vector<double> speed(std::size_t(nl), 0.0);
#pragma omp parallel for schedule(static) if (nl > 2048)
  for (std::int64_t k = 0; k < nl; ++k) {
    const std::size_t j = first + std::size_t(k);
    if (links_.kind[j] != std::uint8_t(LinkKind::Wall)) continue;
    const Vec3 u = scale * velocity(crossing(j), at[std::size_t(k)]);
    double rho = 1;
    if (f)
      for (int q = 0; q < L::Q; ++q) rho += double(f[post.slot_of(links_.fluid[j], q)]);
    momentum[std::size_t(k)] = rho * u;
    speed[std::size_t(k)] = u.norm();
  }
  const auto fast =
      std::find_if(speed.begin(), speed.end(), [](double v) { return !(v <= kMaxWallSpeed); });
  if (fast != speed.end())
    throw Error("the moving wall moves " + std::to_string(*fast) + " cells per step at " +
                moving::where(crossing(first + std::size_t(fast - speed.begin())), t) +
                ", faster than the lattice carries (" + std::to_string(kMaxWallSpeed) +
                "); use a smaller time step");
  moving_compiled_ = compile_links(kernels::Layout::Plain, first, links_.size(), momentum);
  m.momentum = std::move(momentum);  // set_iolets_open recompiles the band with it
  if (whole || !flips.empty())
    for (std::size_t k = 0; k < m.slab_moves.size(); ++k)
      if (m.slab_moves[k]) slabs_[k] = moving::fluid_part(m.all_slabs[k], lat);
}

template <class T, class L>
void Engine<T, L>::refill(const std::vector<std::int64_t>& cells, double t,
                          const std::function<Vec3(const Vec3&)>& velocity, T* f) {
  auto& m = *moving_;
  const SparseLattice& lat = *lattice_;
  const kernels::PopulationView<T, L> post{f, lat.neighbours().data(), kernels::Layout::Plain};
  const double scale = m.spec().time_step / lat.dx();
  const std::int64_t n = std::int64_t(cells.size());
  std::vector<T> fill(std::size_t(n) * L::Q);
  std::int64_t lonely = -1;  // a cell with no fluid neighbour
  // Its neighbours that were fluid before this relink (the cells uncovered now are still solid).
#pragma omp parallel for schedule(static) if (n > 256)
  for (std::int64_t k = 0; k < n; ++k) {
    const std::int64_t x = cells[std::size_t(k)];
    const auto ijk = lat.cell_coords(x);
    double rho = 0, neq[L::Q] = {};
    int count = 0;
    for (int i = 1; i < L::Q; ++i) {
      const std::int64_t y =
          lat.cell_at({ijk[0] + L::c[i][0], ijk[1] + L::c[i][1], ijk[2] + L::c[i][2]});
      if (!lat.is_fluid(y)) continue;
      T g[L::Q], eq[L::Q], r, u[3];
      const T no_force[3] = {T(0), T(0), T(0)};
      post.load(y, g);
      kernels::moments<T, L>(g, no_force, r, u);
      kernels::equilibrium<T, L>(r, u, eq);
      rho += double(r);
      for (int j = 0; j < L::Q; ++j) neq[j] += double(g[j] - eq[j]);
      ++count;
    }
    if (count == 0) {
#pragma omp critical
      lonely = x;
      continue;
    }
    const Vec3 uw = scale * velocity(lat.position(x));
    const T u[3] = {T(uw.x()), T(uw.y()), T(uw.z())};
    T eq[L::Q];
    kernels::equilibrium<T, L>(T(rho / count), u, eq);
    for (int j = 0; j < L::Q; ++j) fill[std::size_t(k * L::Q + j)] = eq[j] + T(neq[j] / count);
  }
  if (lonely >= 0)
    throw Error("the moving wall uncovered the cell at " + moving::where(lat.position(lonely), t) +
                " with no fluid next to it: it moved more than a cell in one step; use a "
                "smaller time step");
  for (std::int64_t k = 0; k < n; ++k) {
    double mass = 1;
    for (int j = 0; j < L::Q; ++j) {
      const T v = fill[std::size_t(k * L::Q + j)];
      f[post.slot_of(cells[std::size_t(k)], j)] = v;
      mass += double(v);
    }
    m.exchanged_mass -= mass;
  }
}

template <class T, class L>
double Engine<T, L>::wall_exchanged_mass() const {
  return moving_ ? moving_->exchanged_mass : 0.0;
}

template <class T, class L>
std::array<std::int64_t, 2> Engine<T, L>::wall_moved_cells() const {
  return moving_ ? std::array<std::int64_t, 2>{moving_->covered, moving_->uncovered}
                 : std::array<std::int64_t, 2>{0, 0};
}

template <class T, class L>
std::vector<std::int64_t> Engine<T, L>::wall_band_cells() const {
  return moving_ ? moving_->band.cells : std::vector<std::int64_t>{};
}

#define HEMOTWIN_INSTANTIATE(T, L)                                                 \
  template void Engine<T, L>::begin_moving_wall(const DomainSpec&);                \
  template void Engine<T, L>::relink_moving_wall(double, T*, bool);                \
  template void Engine<T, L>::refill(const std::vector<std::int64_t>&, double,     \
                                     const std::function<Vec3(const Vec3&)>&, T*); \
  template double Engine<T, L>::wall_exchanged_mass() const;                       \
  template std::array<std::int64_t, 2> Engine<T, L>::wall_moved_cells() const;     \
  template std::vector<std::int64_t> Engine<T, L>::wall_band_cells() const;
HEMOTWIN_INSTANTIATE(float, D3Q19)
HEMOTWIN_INSTANTIATE(double, D3Q19)
HEMOTWIN_INSTANTIATE(float, D3Q27)
HEMOTWIN_INSTANTIATE(double, D3Q27)
#undef HEMOTWIN_INSTANTIATE

}  // namespace hemotwin
