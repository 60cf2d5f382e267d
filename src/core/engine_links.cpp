// The engine's boundary links (Engine, engine.hpp): the profile weights of the velocity iolets,
// the links compiled into slots and coefficients for each layout (kernels::ApplyLinearLinks,
// ApplyPressureLinks, RestoreWallMass), their upload to the device, and the values set on them
// every step (iolet values and profiles, sliding walls' speeds).
#include <algorithm>
#include <cmath>
#include <tuple>

#include "engine_device.hpp"
#include "hemotwin/core/engine.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/core/kernels.hpp"
#include "moving_wall.hpp"
#ifdef HEMOTWIN_HAVE_CUDA
#include "hemotwin/core/detail/cuda_backend.hpp"
#endif

namespace hemotwin {

// A velocity link i adds 6 w_i (c_i . n) u per step to the volume crossing its plane (Ladd's
// term; bounce-back alone carries none), so a table delivers sum_j weight_j table_j, with each
// link's 6 w_i (c_i . n) shared between the two samples around its coordinate. The static
// profiles (parabola, plug) are scaled to deliver their mean velocity times the iolet's area:
// near the wall some links that would cross the plane cross the wall first and carry nothing,
// which would cost a 16-cell pipe 2 % of its flow.
template <class T, class L>
void Engine<T, L>::compute_profile_weights() {
  constexpr int M = kernels::profile_samples;
  weights_.assign(iolets_.size(), std::vector<double>(M + 1, 0.0));
  for (std::size_t k = 0; k < links_.size(); ++k) {
    if (links_.kind[k] != std::uint8_t(LinkKind::Velocity)) continue;
    const auto& io = iolets_[links_.iolet[k]];
    const int i = links_.dir[k];
    const double g =
        6.0 * L::w[i] * Vec3(L::c[i][0], L::c[i][1], L::c[i][2]).dot(io.normal.normalized());
    const double x = links_.coord[k] * M;
    const int j = std::min(int(x), M - 1);
    auto& w = weights_[links_.iolet[k]];
    w[j] += g * (j + 1 - x);
    w[j + 1] += g * (x - j);
  }
  static_shape_.assign(iolets_.size(), std::vector<double>(M + 1, 1.0));
  for (std::size_t k = 0; k < iolets_.size(); ++k) {
    const auto& io = iolets_[k];
    if (!is_velocity_iolet(io.kind)) continue;
    auto& shape = static_shape_[k];
    if (io.profile)  // s = 1 - v / v_max (build_links)
      for (int j = 0; j <= M; ++j) shape[j] = 1.0 - double(j) / M;
    else if (io.parabolic && io.radius > 0)
      for (int j = 0; j <= M; ++j) shape[j] = 2.0 * (1.0 - double(j) * j / (double(M) * M));
    double flux = 0;
    for (int j = 0; j <= M; ++j) flux += weights_[k][j] * shape[j];
    const double area = io.radius > 0 ? std::numbers::pi * std::pow(io.radius / lattice_->dx(), 2)
                                      : flux;  // no radius: the shape as it is
    if (flux > 0)
      for (auto& v : shape) v *= area / flux;
  }
}

template <class T, class L>
const std::vector<double>& Engine<T, L>::profile_weights(std::size_t iolet) const {
  if (iolet >= weights_.size()) throw Error("profile_weights: no iolet " + std::to_string(iolet));
  return weights_[iolet];
}

template <class T, class L>
Vec3 Engine<T, L>::crossing(std::size_t k) const {
  const int i = links_.dir[k];
  return lattice_->position(links_.fluid[k]) +
         links_.q[k] * lattice_->dx() * Vec3(L::c[i][0], L::c[i][1], L::c[i][2]);
}

template <class T, class L>
typename Engine<T, L>::CompiledLinks Engine<T, L>::compile_links(
    kernels::Layout layout, std::size_t first, std::size_t last,
    std::span<const Vec3> wall_momentum) const {
  using kernels::Layout;
  if (!wall_momentum.empty() && wall_momentum.size() != last - first)
    throw Error("internal: compile_links needs the wall's momentum for every link or none");
  const bool moving_band = !wall_momentum.empty();
  constexpr auto lat = kernels::velocity_table<L>();
  const bool bouzidi = options_.walls == WallMethod::Bouzidi;
  const std::int32_t* neighbours = lattice_->neighbours().data();
  // Where f*_i(cell) lies after the step (the link reads it), and where the next step reads the
  // population f_i(cell) arriving at cell (the link writes it): kernels::Layout.
  const kernels::PopulationView<T, L> post{nullptr, neighbours, layout};
  CompiledLinks c;
  std::vector<std::int64_t> cell;  // each linear link's fluid cell and direction
  std::vector<std::uint8_t> cell_dir, wall;
  const std::size_t n = last - first;
  for (auto* v : {&c.from, &c.aux, &c.to, &cell}) v->reserve(n);
  c.coeff.reserve(3 * n);
  for (std::size_t k = first; k < last; ++k) {
    const int i = links_.dir[k];
    const int ib = L::opposite[i];
    const std::int64_t x = links_.fluid[k];
    // The population the fluid cell receives from the ghost's side next step: f_ib(x).
    const std::int64_t to = post.arrival_slot(x, ib);
    // A closed valve: its links bounce back, halfway and at rest.
    const bool closed =
        links_.kind[k] != std::uint8_t(LinkKind::Wall) && !open_[std::size_t(links_.iolet[k])];
    if (links_.kind[k] == std::uint8_t(LinkKind::Pressure) && !closed) {
      c.outlet_fluid.push_back(x);
      c.outlet_to.push_back(to);
      c.outlet_dir.push_back(std::uint8_t(i));
      c.outlet_iolet.push_back(links_.iolet[k]);
      continue;
    }
    const std::int64_t from = post.slot_of(x, i);
    // Moving-wall term per unit velocity: -2 w rho0 (c_i . u_w) / c_s^2, for an inlet with u_w
    // along the inward normal scaled by the profile, for a wall motion its velocity at the
    // crossing point scaled by its amplitude (a "profile" of one value after the iolets').
    const double q = links_.q[k];
    const Vec3 ci(lat.c[i][0], lat.c[i][1], lat.c[i][2]);
    double moving = 0;
    std::int16_t source = closed ? std::int16_t(-1) : links_.iolet[k];
    if (closed) {
      // moving stays 0
    } else if (links_.kind[k] == std::uint8_t(LinkKind::Velocity)) {
      moving = -6.0 * lat.w[i] * ci.dot(-iolets_[links_.iolet[k]].normal.normalized());
    } else if (links_.kind[k] == std::uint8_t(LinkKind::Wall) && moving_band) {
      // A wall moving along its normal: its momentum density at the crossing, times the row of
      // ones.
      moving = -6.0 * lat.w[i] * ci.dot(wall_momentum[k - first]);
      source = std::int16_t(iolets_.size() + motions_.size());
    } else if (links_.kind[k] == std::uint8_t(LinkKind::Wall)) {
      const Vec3 p = crossing(k);
      for (std::size_t g = 0; g < motions_.size(); ++g)
        if (motions_[g].covers(p)) {
          moving = -6.0 * lat.w[i] * ci.dot(motions_[g].velocity(p));
          source = std::int16_t(iolets_.size() + g);
          break;
        }
    }
    double a = 1, b = 0, extra = 0;
    std::int64_t aux = from;
    // Only walls interpolate. A velocity iolet's links take the halfway rule whatever their q:
    // its plane is a cut, not a wall, and every link of a flat opening shares one q, so
    // interpolating there (far from q = 1/2) feeds the odd non-equilibrium back in phase across
    // the whole opening; with TRT near tau = 1/2 the odd moments relax over tau- = Lambda /
    // (tau - 1/2) + 1/2 steps (11 at tau 0.517) and that loop grows: a 24-cell pipe at tau 0.517
    // diverged in the inlet's first layer at step 650 for q = 1, 0.98, 0.1, and was stable with
    // the halfway rule at every q (test_open_boundaries). The plane moves by at most half a cell;
    // the flux stays exact (compute_profile_weights counts the links as they are).
    const bool interpolate = bouzidi && links_.kind[k] == std::uint8_t(LinkKind::Wall);
    if (interpolate && q < 0.5) {
      if (links_.next[k] >= 0) {
        a = 2 * q;
        b = 1 - 2 * q;
        aux = post.slot_of(links_.next[k], i);
      }
    } else if (interpolate) {
      a = 1 / (2 * q);
      b = 1 - a;
      aux = post.slot_of(x, ib);
      extra = (1 - a) * moving;
      moving *= a;
    }
    // A wall moving along its normal carries its whole term through the link: what the rule
    // leaves to the interpolation is put back with the mass (kernels::RestoreWallMass).
    if (moving_band) c.mass_extra.push_back(T(extra));
    c.from.push_back(from);
    c.aux.push_back(aux);
    c.to.push_back(to);
    for (double v : {a, b, moving}) c.coeff.push_back(T(v));
    c.iolet.push_back(source);
    c.coord.push_back(T(closed ? 0.0 : links_.coord[k]));
    cell.push_back(x);
    cell_dir.push_back(std::uint8_t(i));
    wall.push_back(links_.kind[k] == std::uint8_t(LinkKind::Wall));
  }
  // Sorted by the slot written: neighbouring links then touch neighbouring memory. Not a moving
  // wall's band, compiled at every relink: its links stay in cell order (the sort cost a sixth
  // of a relink and saves less than that in the steps until the next).
  std::vector<std::size_t> order(c.to.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  const auto by_slot = [&](auto x, auto y) { return c.to[x] < c.to[y]; };
  if (!moving_band && !std::is_sorted(order.begin(), order.end(), by_slot))
    std::sort(order.begin(), order.end(), by_slot);
  CompiledLinks sorted;
  if (std::is_sorted(order.begin(), order.end())) {
    sorted = std::move(c);
  } else {
    sorted.outlet_fluid = std::move(c.outlet_fluid);
    sorted.outlet_to = std::move(c.outlet_to);
    sorted.outlet_dir = std::move(c.outlet_dir);
    sorted.outlet_iolet = std::move(c.outlet_iolet);
    for (std::size_t k : order) {
      sorted.from.push_back(c.from[k]);
      sorted.aux.push_back(c.aux[k]);
      sorted.to.push_back(c.to[k]);
      for (int j = 0; j < 3; ++j) sorted.coeff.push_back(c.coeff[3 * k + j]);
      sorted.iolet.push_back(c.iolet[k]);
      sorted.coord.push_back(c.coord[k]);
      if (!c.mass_extra.empty()) sorted.mass_extra.push_back(c.mass_extra[k]);
    }
  }
  // The wall links that do not return what they take (kernels::RestoreWallMass), grouped by
  // fluid cell. Not iolet links: what an interpolated velocity link returns differs from what it
  // takes by the flux it carries (f_opposite - f_i ~ 6 w c.u), which is its purpose.
  if (options_.conserve_wall_mass) {
    // By cell, then direction: the sum over a cell's links then runs in the same order however
    // the cells are numbered (one process or a rank's share), so the result is the same bits.
    std::vector<std::tuple<std::int64_t, std::uint8_t, std::int64_t>> leaky;  // cell, dir, link
    for (std::size_t s = 0; s < order.size(); ++s) {
      const std::size_t k = order[s];
      const bool returns_all = sorted.coeff[3 * s] == T(1) && sorted.coeff[3 * s + 1] == T(0) &&
                               (sorted.mass_extra.empty() || sorted.mass_extra[s] == T(0));
      if (wall[k] && !returns_all) leaky.emplace_back(cell[k], cell_dir[k], std::int64_t(s));
    }
    if (!std::is_sorted(leaky.begin(), leaky.end())) std::sort(leaky.begin(), leaky.end());
    for (std::size_t s = 0; s < leaky.size(); ++s) {
      const std::int64_t x = std::get<0>(leaky[s]);
      if (s == 0 || x != std::get<0>(leaky[s - 1])) {
        sorted.mass_begin.push_back(std::int64_t(s));
        sorted.mass_rest.push_back(kernels::slot<L>(x, 0));
      }
      sorted.mass_link.push_back(std::get<2>(leaky[s]));
    }
    sorted.mass_begin.push_back(std::int64_t(leaky.size()));
  }
  return sorted;
}

template <class T, class L>
void Engine<T, L>::upload_links() {
#ifdef HEMOTWIN_HAVE_CUDA
  for (int l = 0; l < 3; ++l) {
    const CompiledLinks& c = compiled_[l];
    auto& d = dev_->links[l];
    d.from.upload(c.from);
    d.aux.upload(c.aux);
    d.to.upload(c.to);
    d.coeff.upload(c.coeff);
    d.iolet.upload(c.iolet);
    d.coord.upload(c.coord);
    d.outlet_fluid.upload(c.outlet_fluid);
    d.outlet_to.upload(c.outlet_to);
    d.outlet_dir.upload(c.outlet_dir);
    d.outlet_iolet.upload(c.outlet_iolet);
    d.mass_begin.upload(c.mass_begin);
    d.mass_rest.upload(c.mass_rest);
    d.mass_link.upload(c.mass_link);
  }
  dev_->iolet_value.upload(iolet_value_);
  dev_->profile.upload(profile_);
#endif
}

template <class T, class L>
void Engine<T, L>::set_iolet_values(const std::vector<double>& values) {
  set_iolet_values(values, {});
}

template <class T, class L>
void Engine<T, L>::set_iolet_values(const std::vector<double>& values,
                                    const std::vector<std::vector<double>>& profiles) {
  constexpr int M = kernels::profile_samples;
  if (values.size() != iolets_.size())
    throw Error("set_iolet_values: expected " + std::to_string(iolets_.size()) + " values, got " +
                std::to_string(values.size()));
  if (!profiles.empty() && profiles.size() != iolets_.size())
    throw Error("set_iolet_values: expected no profiles or " + std::to_string(iolets_.size()) +
                ", got " + std::to_string(profiles.size()));
  for (std::size_t k = 0; k < values.size(); ++k) {
    iolet_value_[k] = T(values[k]);
    if (!is_velocity_iolet(iolets_[k].kind)) continue;
    T* out = profile_.data() + k * (M + 1);
    const bool given = !profiles.empty() && !profiles[k].empty();
    if (given && profiles[k].size() != std::size_t(M + 1))
      throw Error("set_iolet_values: a profile needs " + std::to_string(M + 1) + " samples");
    for (int j = 0; j <= M; ++j)
      out[j] = T(given ? profiles[k][j] : values[k] * static_shape_[k][j]);
  }
#ifdef HEMOTWIN_HAVE_CUDA
  if (dev_) {
    cuda::copy_to_device(dev_->iolet_value.p, iolet_value_.data(), iolet_value_.size() * sizeof(T));
    cuda::copy_to_device(dev_->profile.p, profile_.data(), profile_.size() * sizeof(T));
  }
#endif
}

template <class T, class L>
void Engine<T, L>::set_iolets_open(const std::vector<bool>& open) {
  if (open.size() != iolets_.size())
    throw Error("set_iolets_open: expected " + std::to_string(iolets_.size()) + " flags, got " +
                std::to_string(open.size()));
  if (open == open_) return;
  open_ = open;
  // Recompiled: the links of every layout in use, and a moving wall's band (with its wall
  // momentum of the last relink: between relinks a valve opens or closes on time).
  const std::size_t fixed = moving_ ? moving_->static_links : links_.size();
  using kernels::Layout;
  const bool aa = options_.streaming == StreamingScheme::AaPattern;
  for (Layout layout :
       aa ? std::vector{Layout::Swapped, Layout::Pushed} : std::vector{Layout::Plain})
    compiled_[int(layout)] = compile_links(layout, 0, fixed);
  if (moving_)
    moving_compiled_ =
        compile_links(Layout::Plain, moving_->static_links, links_.size(), moving_->momentum);
#ifdef HEMOTWIN_HAVE_CUDA
  if (dev_) upload_links();
#endif
}

template <class T, class L>
void Engine<T, L>::set_wall_speeds(const std::vector<double>& speeds) {
  constexpr int M = kernels::profile_samples;
  if (speeds.size() != motions_.size())
    throw Error("set_wall_speeds: expected " + std::to_string(motions_.size()) + " speeds, got " +
                std::to_string(speeds.size()));
  for (std::size_t g = 0; g < speeds.size(); ++g)
    std::fill_n(profile_.begin() + std::ptrdiff_t((iolets_.size() + g) * (M + 1)), M + 1,
                T(speeds[g]));
#ifdef HEMOTWIN_HAVE_CUDA
  if (dev_) cuda::copy_to_device(dev_->profile.p, profile_.data(), profile_.size() * sizeof(T));
#endif
}

#define HEMOTWIN_INSTANTIATE(T, L)                                                       \
  template void Engine<T, L>::compute_profile_weights();                                 \
  template const std::vector<double>& Engine<T, L>::profile_weights(std::size_t) const;  \
  template Vec3 Engine<T, L>::crossing(std::size_t) const;                               \
  template typename Engine<T, L>::CompiledLinks Engine<T, L>::compile_links(             \
      kernels::Layout, std::size_t, std::size_t, std::span<const Vec3>) const;           \
  template void Engine<T, L>::upload_links();                                            \
  template void Engine<T, L>::set_iolet_values(const std::vector<double>&);              \
  template void Engine<T, L>::set_iolet_values(const std::vector<double>&,               \
                                               const std::vector<std::vector<double>>&); \
  template void Engine<T, L>::set_wall_speeds(const std::vector<double>&);               \
  template void Engine<T, L>::set_iolets_open(const std::vector<bool>&);
HEMOTWIN_INSTANTIATE(float, D3Q19)
HEMOTWIN_INSTANTIATE(double, D3Q19)
HEMOTWIN_INSTANTIATE(float, D3Q27)
HEMOTWIN_INSTANTIATE(double, D3Q27)
#undef HEMOTWIN_INSTANTIATE

}  // namespace hemotwin
