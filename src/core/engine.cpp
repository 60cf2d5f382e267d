#include "hemotwin/core/engine.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>
#include <tuple>
#include <type_traits>

#include "cpu_stream_api.hpp"
#include "engine_device.hpp"
#include "halo.hpp"
#include "hemotwin/core/cumulant.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/core/kbc.hpp"
#include "hemotwin/core/kernels.hpp"
#include "moving_wall.hpp"
#ifdef HEMOTWIN_HAVE_CUDA
#include "hemotwin/core/detail/cuda_backend.hpp"
#endif

namespace hemotwin {
namespace {
using kernels::B;
using kernels::B3;

// A vector's data, or null when it is empty (a kernel's "none").
template <class V>
auto data_or_null(V& v) {
  return v.empty() ? nullptr : v.data();
}
}  // namespace

template <class T, class L>
Engine<T, L>::Engine(const DomainSpec& spec, const EngineOptions& options) : options_(options) {
  if (options_.backend == BackendKind::Auto)
    throw Error("internal: resolve backend 'auto' before building an Engine");
#ifndef HEMOTWIN_HAVE_CUDA
  if (options_.backend == BackendKind::Cuda)
    throw Error(
        "backend 'cuda' was asked for, but this build of hemotwin has no CUDA backend "
        "(configure with HEMOTWIN_CUDA=ON and nvcc present); use backend = \"cpu\" or \"auto\"");
#endif
  if (!(options_.tau > 0.5)) throw Error("relaxation time must exceed 1/2");
  if (needs_d3q27(options_.collision) && L::Q != 27)
    throw Error(std::string("the ") + to_string(options_.collision) +
                    " collision is defined on D3Q27, and this lattice is " + L::name +
                    ": set lattice = \"D3Q27\" or choose another collision (trt, regularized)",
                "", "collision.model");
  const bool moves = bool(spec.moving_wall.shape);
  const bool split_over = options_.communicator && options_.communicator->size() > 1;
  if (moves) {
    // For now: one process, the two-lattice scheme (a relink between its stream-collide and
    // its boundary links), the CPU backend.
    if (split_over) throw Error("a wall that moves along its normal runs in one process for now");
    if (options_.backend != BackendKind::Cpu)
      throw Error("a wall that moves along its normal runs on the CPU backend for now");
    if (options_.streaming == StreamingScheme::AaPattern)
      throw Error(
          "a wall that moves along its normal needs the two-lattice scheme; set "
          "case.streaming = \"two-lattice\" or \"auto\"",
          "", "case.streaming");
    options_.streaming = StreamingScheme::TwoLattice;
  }
  // A moving wall's lattice covers the fluid of every phase of its cycle.
  lattice_ = std::make_shared<SparseLattice>(moves ? moving::union_spec(spec) : spec);
  if (options_.communicator && options_.streaming == StreamingScheme::AaPattern && split_over)
    throw Error(
        "the AA pattern does not run split over processes (its odd step writes into the "
        "neighbours' cells); set case.streaming = \"two-lattice\" or \"auto\"",
        "", "case.streaming");
  if (options_.communicator && options_.streaming == StreamingScheme::Auto)
    options_.streaming = StreamingScheme::TwoLattice;  // the same on every rank count
  if (options_.streaming == StreamingScheme::Auto) {
    // Measured (docs/performance.md): on the CPU the AA pattern wins once the lattice leaves the
    // last-level cache (dense 128^3 float, 2 threads: 168 against 106 MLUPS), the two-lattice
    // scheme while it fits (the 18 MB stenosis: 90 against 61); on CUDA two-lattice is faster.
    const std::size_t two_lattice_bytes =
        2 * std::size_t(lattice_->brick_count() + 1) * L::Q * B3 * sizeof(T);
    constexpr std::size_t cache_sized = std::size_t(64) << 20;
    options_.streaming = options_.backend == BackendKind::Cpu && two_lattice_bytes > cache_sized
                             ? StreamingScheme::AaPattern
                             : StreamingScheme::TwoLattice;
  }
  const bool aa = options_.streaming == StreamingScheme::AaPattern;
  if (!moves) links_ = build_links<L>(*lattice_, spec);
  iolets_ = spec.iolets;
  open_.assign(iolets_.size(), true);
  motions_ = spec.wall_motions;
  slabs_ = build_iolet_slabs(*lattice_, spec);
  sections_ = spec.sections;
  for (auto& slab : build_section_slabs(*lattice_, spec)) slabs_.push_back(std::move(slab));
  if (moves) begin_moving_wall(spec);  // the lattice and links at its start
  omega_plus_ = T(1.0 / options_.tau);
  if (options_.collision != CollisionModel::Trt) {
    omega_minus_ = omega_plus_;  // regularized: the collision relaxes the odd part by 1
  } else {
    const double lam = options_.magic / (options_.tau - 0.5);
    omega_minus_ = T(1.0 / (lam + 0.5));
  }
  {
    const auto& v = options_.viscosity;
    visc_.model = v.model;
    for (int i = 0; i < 5; ++i) visc_.p[i] = T(v.p[i]);
    visc_.les = T(v.les);
    visc_.tau_min = T(v.tau_min);
    visc_.tau_max = T(v.tau_max);
    visc_.magic = options_.collision == CollisionModel::Trt ? T(options_.magic) : T(0);
    if (v.active() && !(v.tau_min > 0.5 && v.tau_max >= v.tau_min))
      throw Error("a local viscosity needs 1/2 < tau_min <= tau_max");
  }
  iolet_value_.assign(iolets_.size(), T(0));
  for (std::size_t k = 0; k < iolets_.size(); ++k)
    if (!is_velocity_iolet(iolets_[k].kind)) iolet_value_[k] = T(1);
  compute_profile_weights();  // from every link of the whole lattice, on every rank alike
  if (split_over) split();
  build_sponge();
  constexpr int M = kernels::profile_samples;
  profile_.assign((iolets_.size() + motions_.size() + (moves ? 1 : 0)) * (M + 1), T(0));
  if (moves) std::fill(profile_.end() - (M + 1), profile_.end(), T(1));
  using kernels::Layout;
  const std::size_t fixed = moves ? moving_->static_links : links_.size();
  for (Layout layout :
       aa ? std::vector{Layout::Swapped, Layout::Pushed} : std::vector{Layout::Plain})
    compiled_[int(layout)] = compile_links(layout, 0, fixed);

  const std::size_t nstore = std::size_t(lattice_->brick_count() + 1) * L::Q * B3;
  const int arrays = aa ? 1 : 2;
  if (options_.backend == BackendKind::Cpu) {
    for (int a = 0; a < arrays; ++a) f_[a].resize(nstore);
  } else {
#ifdef HEMOTWIN_HAVE_CUDA
    dev_ = std::make_unique<Device>();
    for (int a = 0; a < arrays; ++a) dev_->f[a].p = cuda::allocate(nstore * sizeof(T));
    dev_->neighbours.upload(lattice_->neighbours());
    dev_->cell_type.upload(lattice_->cell_type());
    upload_links();
    dev_->slab_cells = std::vector<typename Device::Buf>(slabs_.size());
    dev_->slab_weights = std::vector<typename Device::Buf>(slabs_.size());
    for (std::size_t k = 0; k < slabs_.size(); ++k) {
      dev_->slab_cells[k].upload(slabs_[k].cells);
      dev_->slab_weights[k].upload(slabs_[k].weight);
    }
    dev_->sponge_cell.upload(sponge_cell_);
    dev_->sponge_scale.upload(sponge_scale_);
    if (sub_) {
      dev_->border_bricks.upload(sub_->border_bricks);
      dev_->inner_bricks.upload(sub_->inner_bricks);
    }
#endif
  }
  if (sub_)
    halo_ = std::make_unique<HaloExchange<T>>(*sub_, options_.communicator, options_.backend);
  initialise();
}

template <class T, class L>
void Engine<T, L>::build_sponge() {
  // tau_s = tau + (tau - 1/2) (ratio - 1) r, r = (1 - depth / length)^2; a cell in two layers
  // takes the larger tau_s.
  sponge_cell_.clear();
  sponge_scale_.clear();
  // Split over processes: the own cells only (each owner sponges its cells before sending them).
  const std::int64_t nstored =
      std::int64_t(sub_ ? sub_->owned_bricks : lattice_->brick_count()) * B3;
  std::vector<double> tau_s;
  for (const auto& io : iolets_) {
    if (!(io.sponge_length > 0) || is_velocity_iolet(io.kind)) continue;
    if (!(io.sponge_viscosity_ratio >= 1))
      throw Error("outlet " + io.name +
                  ": a sponge layer's viscosity ratio must be at least 1, got " +
                  std::to_string(io.sponge_viscosity_ratio));
    // The layer rescales what the collision leaves of the non-equilibrium part, (1 - 1/tau):
    // nothing is left to rescale at tau = 1.
    if (std::abs(1.0 - 1.0 / options_.tau) < 0.05)
      throw Error("outlet " + io.name + ": a sponge layer needs a relaxation time away from 1 (" +
                  std::to_string(options_.tau) + "): below 0.95 or above 1.05");
    if (tau_s.empty()) tau_s.assign(std::size_t(nstored), 0.0);
    const Vec3 n = io.normal.normalized();
    for (std::int64_t c = 0; c < nstored; ++c) {
      if (!lattice_->is_fluid(c)) continue;
      const Vec3 p = lattice_->position(c);
      const double depth = (io.point - p).dot(n);
      if (!(depth > 0 && depth < io.sponge_length) || !io.covers(p)) continue;
      const double r = std::pow(1.0 - depth / io.sponge_length, 2);
      auto& t = tau_s[std::size_t(c)];
      t = std::max(t, options_.tau + (options_.tau - 0.5) * (io.sponge_viscosity_ratio - 1) * r);
    }
  }
  // The cells of the border bricks first, when split, so they can be sent before the rest.
  std::vector<std::int32_t> bricks;
  if (sub_) {
    bricks = sub_->border_bricks;
    bricks.insert(bricks.end(), sub_->inner_bricks.begin(), sub_->inner_bricks.end());
  } else {
    for (std::int32_t b = 0; b < lattice_->brick_count(); ++b) bricks.push_back(b);
  }
  sponge_border_ = 0;
  for (std::size_t k = 0; k < bricks.size() && !tau_s.empty(); ++k) {
    for (int i = 0; i < B3; ++i) {
      const std::int64_t c = std::int64_t(bricks[k]) * B3 + i;
      const double t = tau_s[std::size_t(c)];
      if (!(t > options_.tau)) continue;  // outside every layer, or at its inner edge
      sponge_cell_.push_back(c);
      sponge_scale_.push_back(T((1.0 - 1.0 / t) / (1.0 - 1.0 / options_.tau)));
    }
    if (sub_ && k + 1 == sub_->border_bricks.size())
      sponge_border_ = std::int64_t(sponge_cell_.size());
  }
}

template <class T, class L>
void Engine<T, L>::apply_sponge(int which, kernels::Layout layout, std::int64_t first,
                                std::int64_t n) {
  if (n <= 0) return;
  if (options_.backend == BackendKind::Cpu) {
    T* f = f_[which].data();
    const kernels::SpongeCells<T, L> op{f,
                                        {f, lattice_->neighbours().data(), layout},
                                        sponge_cell_.data() + first,
                                        sponge_scale_.data() + first};
#pragma omp parallel for schedule(static)
    for (std::int64_t k = 0; k < n; ++k) op(k);
  } else {
#ifdef HEMOTWIN_HAVE_CUDA
    T* f = dev_->f[which].template as<T>();
    cuda::sponge<T, L>(
        kernels::SpongeCells<T, L>{f,
                                   {f, dev_->neighbours.template as<std::int32_t>(), layout},
                                   dev_->sponge_cell.template as<std::int64_t>() + first,
                                   dev_->sponge_scale.template as<T>() + first},
        n);
#endif
  }
}

template <class T, class L>
Engine<T, L>::~Engine() = default;

template <class T, class L>
void Engine<T, L>::set_force(const Vec3& force) {
  for (int a = 0; a < 3; ++a) force_[a] = T(force[a]);
}

template <class T, class L>
void Engine<T, L>::initialise(const std::vector<double>& rho, const std::vector<double>& u) {
  const std::int64_t ncell = std::int64_t(lattice_->brick_count() + 1) * B3;
  const std::int64_t nstored = std::int64_t(lattice_->brick_count()) * B3;
  if (!rho.empty() && std::int64_t(rho.size()) != nstored)
    throw Error("initialise: rho needs one value per stored cell");
  if (!u.empty() && std::int64_t(u.size()) != 3 * nstored)
    throw Error("initialise: u needs three values per stored cell");
  std::vector<double> r(ncell, 1.0), v(3 * ncell, 0.0);
  for (std::int64_t c = 0; c < nstored; ++c) {
    if (!lattice_->is_fluid(c)) continue;
    if (!rho.empty()) r[c] = rho[c];
    if (!u.empty())
      for (int a = 0; a < 3; ++a) v[3 * c + a] = u[3 * c + a];
  }
  // The initial state counts as post-collision: the AA pattern starts as after its even step.
  const bool aa = options_.streaming == StreamingScheme::AaPattern;
  layout_ = aa ? kernels::Layout::Swapped : kernels::Layout::Plain;
  std::vector<T> host(std::size_t(ncell) * L::Q);
#pragma omp parallel for
  for (std::int64_t c = 0; c < ncell; ++c) {
    T uu[3] = {T(v[3 * c]), T(v[3 * c + 1]), T(v[3 * c + 2])};
    T pop[L::Q];
    kernels::equilibrium<T, L>(T(r[c]), uu, pop);
    for (int q = 0; q < L::Q; ++q)
      host[kernels::slot<L>(c, aa ? kernels::opposite_dir(q) : q)] = pop[q];
  }
  const int arrays = aa ? 1 : 2;
  if (options_.backend == BackendKind::Cpu) {
    // B elements of padding: the shifted row loads of the last brick may read one element past it.
    for (int a = 0; a < arrays; ++a) {
      f_[a].assign(host.begin(), host.end());
      f_[a].resize(host.size() + B, T(0));
    }
  } else {
#ifdef HEMOTWIN_HAVE_CUDA
    for (int a = 0; a < arrays; ++a)
      cuda::copy_to_device(dev_->f[a].p, host.data(), host.size() * sizeof(T));
#endif
  }
  cur_ = 0;
  steps_ = 0;
  if (halo_) exchange_halo(cur_);  // the halo as its owners set it (the same, given a field)
  // Fill the ghost slots the first step reads.
  apply_boundaries(cur_, layout_);
}

template <class T, class L>
void Engine<T, L>::step() {
  const T force[3] = {force_[0], force_[1], force_[2]};
  if (options_.collision == CollisionModel::Cumulant) {
    if constexpr (L::Q == 27)
      step_with(kernels::CollideCumulant<T, L>{omega_plus_, {force[0], force[1], force[2]}, visc_});
  } else if (options_.collision == CollisionModel::Kbc) {
    if constexpr (L::Q == 27)
      step_with(kernels::CollideKbc<T, L>{omega_plus_, {force[0], force[1], force[2]}, visc_});
  } else {
    step_with(kernels::Collide<T, L>{omega_plus_,
                                     omega_minus_,
                                     {force[0], force[1], force[2]},
                                     visc_,
                                     options_.collision == CollisionModel::Regularized});
  }
}

template <class T, class L>
template <class Op>
void Engine<T, L>::step_with(const Op& collide) {
  using kernels::Layout;
  const bool aa = options_.streaming == StreamingScheme::AaPattern;
  // The AA pattern alternates an odd step (from Swapped to Pushed) and an even one (back).
  const Layout next =
      !aa ? Layout::Plain : (layout_ == Layout::Swapped ? Layout::Pushed : Layout::Swapped);
  const int out = aa ? cur_ : 1 - cur_;
  const std::int64_t sponge = std::int64_t(sponge_cell_.size());
  if (aa) {
    if (options_.backend == BackendKind::Cpu) {
      cpu::stream_collide<T, L>(f_[cur_].data(), nullptr, *lattice_, collide, false,
                                next == Layout::Pushed, {});
    } else {
#ifdef HEMOTWIN_HAVE_CUDA
      const cuda::StreamArgs args{dev_->neighbours.template as<std::int32_t>(),
                                  dev_->cell_type.template as<std::uint8_t>(),
                                  lattice_->brick_count()};
      cuda::stream_collide_aa<T, L>(dev_->f[cur_].template as<T>(), args, collide,
                                    next == Layout::Pushed);
#endif
    }
    apply_sponge(out, next, 0, sponge);
  } else if (!halo_) {
    stream_bricks(collide, out, nullptr);
    apply_sponge(out, next, 0, sponge);  // before the links, which read the sponged populations
  } else {
    // Split over processes: the border bricks first, whose populations are sent while the inner
    // bricks are updated (each rank sponges its own cells before sending them).
    stream_bricks(collide, out, &sub_->border_bricks);
    apply_sponge(out, next, 0, sponge_border_);
    T* f = options_.backend == BackendKind::Cpu ? f_[out].data() : nullptr;
#ifdef HEMOTWIN_HAVE_CUDA
    if (dev_) f = dev_->f[out].template as<T>();
#endif
    halo_->start(f);
    stream_bricks(collide, out, &sub_->inner_bricks);
    apply_sponge(out, next, sponge_border_, sponge - sponge_border_);
    halo_->finish(f);
  }
  layout_ = next;
  if (moving_ && (steps_ + 1) % moving_->spec().relink_every == 0)
    relink_moving_wall(moving_->time(steps_ + 1), f_[out].data(), true);
  apply_boundaries(out, layout_);
  cur_ = out;
  ++steps_;
}

template <class T, class L>
template <class Op>
void Engine<T, L>::stream_bricks(const Op& collide, int out,
                                 const std::vector<std::int32_t>* bricks) {
  const std::int32_t count = bricks ? std::int32_t(bricks->size()) : lattice_->brick_count();
  if (options_.backend == BackendKind::Cpu) {
    // Streaming stores pay off once the lattice no longer fits in the last-level cache
    // (measured: +40 % in double at 128^3); below that they evict what the next step reads
    // (-35 % on a 18 MB sparse pipe). docs/performance.md.
    constexpr std::size_t streaming_threshold = std::size_t(64) << 20;
    const bool streaming =
        options_.streaming_stores > 0 ||
        (options_.streaming_stores < 0 && f_[0].size() * sizeof(T) > streaming_threshold);
    cpu::stream_collide<T, L>(f_[cur_].data(), f_[out].data(), *lattice_, collide, streaming, false,
                              {bricks ? bricks->data() : nullptr, count});
  } else {
#ifdef HEMOTWIN_HAVE_CUDA
    const std::int32_t* list = nullptr;
    if (bricks)
      list = (bricks == &sub_->border_bricks ? dev_->border_bricks : dev_->inner_bricks)
                 .template as<std::int32_t>();
    const cuda::StreamArgs args{dev_->neighbours.template as<std::int32_t>(),
                                dev_->cell_type.template as<std::uint8_t>(), count, list};
    cuda::stream_collide<T, L>(dev_->f[cur_].template as<T>(), dev_->f[out].template as<T>(), args,
                               collide);
#endif
  }
}

template <class T, class L>
kernels::PopulationView<T, L> Engine<T, L>::view() const {
  if (options_.backend == BackendKind::Cpu)
    return {f_[cur_].data(), lattice_->neighbours().data(), layout_};
#ifdef HEMOTWIN_HAVE_CUDA
  return {dev_->f[cur_].template as<T>(), dev_->neighbours.template as<std::int32_t>(), layout_};
#else
  return {nullptr, nullptr, layout_};
#endif
}

template <class T, class L>
void Engine<T, L>::apply_boundaries(int which, kernels::Layout layout) {
  const CompiledLinks& c = compiled_[int(layout)];
  [[maybe_unused]] const std::int64_t n = std::int64_t(c.to.size());
  [[maybe_unused]] const std::int64_t m = std::int64_t(c.outlet_to.size());
  [[maybe_unused]] const std::int64_t cells = std::int64_t(c.mass_rest.size());
  const T force[3] = {force_[0], force_[1], force_[2]};
  if (options_.backend == BackendKind::Cpu) {
    T* f = f_[which].data();
    // The fixed links, then a moving wall's band (other cells, other slots).
    const CompiledLinks* sets[2] = {&c, moving_ ? &moving_compiled_ : nullptr};
    const auto linear = [&](const CompiledLinks& s) {
      return kernels::ApplyLinearLinks<T>{f,
                                          s.from.data(),
                                          s.aux.data(),
                                          s.to.data(),
                                          s.coeff.data(),
                                          s.iolet.data(),
                                          s.coord.data(),
                                          data_or_null(profile_)};
    };
    const auto outlets = [&](const CompiledLinks& s) {
      return kernels::ApplyPressureLinks<T, L>{f,
                                               {f, lattice_->neighbours().data(), layout},
                                               s.outlet_fluid.data(),
                                               s.outlet_to.data(),
                                               s.outlet_dir.data(),
                                               s.outlet_iolet.data(),
                                               data_or_null(iolet_value_),
                                               {force[0], force[1], force[2]}};
    };
    const auto restore = [&](const CompiledLinks& s) {
      return kernels::RestoreWallMass<T>{f,
                                         s.mass_begin.data(),
                                         s.mass_rest.data(),
                                         s.mass_link.data(),
                                         s.from.data(),
                                         s.aux.data(),
                                         s.coeff.data(),
                                         data_or_null(s.mass_extra)};
    };
#pragma omp parallel
    {
      for (const CompiledLinks* s : sets) {
        if (!s) continue;
        const auto op = linear(*s);
        const std::int64_t count = std::int64_t(s->to.size());
#pragma omp for schedule(static) nowait
        for (std::int64_t k = 0; k < count; ++k) op(k);
      }
      for (const CompiledLinks* s : sets) {
        if (!s) continue;
        const auto op = outlets(*s);
        const std::int64_t count = std::int64_t(s->outlet_to.size());
#pragma omp for schedule(static) nowait
        for (std::int64_t k = 0; k < count; ++k) op(k);
      }
      // The outlets read whole cells, rest populations included, which the wall-mass restore
      // writes.
#pragma omp barrier
      for (const CompiledLinks* s : sets) {
        if (!s) continue;
        const auto op = restore(*s);
        const std::int64_t count = std::int64_t(s->mass_rest.size());
#pragma omp for schedule(static) nowait
        for (std::int64_t k = 0; k < count; ++k) op(k);
      }
    }
  } else {
#ifdef HEMOTWIN_HAVE_CUDA
    T* f = dev_->f[which].template as<T>();
    const T* values = dev_->iolet_value.template as<T>();
    const auto& d = dev_->links[int(layout)];
    cuda::apply_links<T>(
        kernels::ApplyLinearLinks<T>{f, d.from.template as<std::int64_t>(),
                                     d.aux.template as<std::int64_t>(),
                                     d.to.template as<std::int64_t>(), d.coeff.template as<T>(),
                                     d.iolet.template as<std::int16_t>(), d.coord.template as<T>(),
                                     dev_->profile.template as<T>()},
        n);
    cuda::apply_links<T, L>(
        kernels::ApplyPressureLinks<T, L>{f,
                                          {f, dev_->neighbours.template as<std::int32_t>(), layout},
                                          d.outlet_fluid.template as<std::int64_t>(),
                                          d.outlet_to.template as<std::int64_t>(),
                                          d.outlet_dir.template as<std::uint8_t>(),
                                          d.outlet_iolet.template as<std::int16_t>(),
                                          values,
                                          {force[0], force[1], force[2]}},
        m);
    cuda::restore_wall_mass<T>(
        kernels::RestoreWallMass<T>{
            f, d.mass_begin.template as<std::int64_t>(), d.mass_rest.template as<std::int64_t>(),
            d.mass_link.template as<std::int64_t>(), d.from.template as<std::int64_t>(),
            d.aux.template as<std::int64_t>(), d.coeff.template as<T>()},
        cells);
#endif
  }
}

template <class T, class L>
void Engine<T, L>::restore(const std::vector<T>& populations, kernels::Layout layout,
                           std::int64_t steps) {
  const std::size_t n = std::size_t(lattice_->brick_count() + 1) * L::Q * B3;
  if (populations.size() != n)
    throw Error("the checkpoint holds " + std::to_string(populations.size()) +
                " population slots; this lattice has " + std::to_string(n));
  const bool aa = options_.streaming == StreamingScheme::AaPattern;
  if (aa == (layout == kernels::Layout::Plain))
    throw Error(std::string("the checkpoint's populations were stored by the ") +
                (aa ? "two-lattice scheme" : "AA pattern") + " and this run streams with the " +
                (aa ? "AA pattern" : "two-lattice scheme") + ": set case.streaming = \"" +
                (aa ? "two-lattice" : "aa") + "\" as in the run that wrote it");
  if (steps < 0) throw Error("a checkpoint's step count must not be negative");
  // Both arrays of the two-lattice scheme, as initialise() does: the slots a step leaves alone
  // (solid cells) then hold what they held.
  const int arrays = aa ? 1 : 2;
  if (options_.backend == BackendKind::Cpu) {
    for (int a = 0; a < arrays; ++a) {
      f_[a].assign(populations.begin(), populations.end());
      f_[a].resize(n + B, T(0));
    }
  } else {
#ifdef HEMOTWIN_HAVE_CUDA
    for (int a = 0; a < arrays; ++a)
      cuda::copy_to_device(dev_->f[a].p, populations.data(), n * sizeof(T));
#endif
  }
  layout_ = layout;
  cur_ = 0;
  steps_ = steps;
  if (halo_) exchange_halo(cur_);
  // The wall where it was relinked last; every cell's populations come from the checkpoint.
  if (moving_) {
    const std::int64_t every = moving_->spec().relink_every;
    relink_moving_wall(moving_->time(steps - steps % every), f_[cur_].data(), false);
  }
}

template <class T, class L>
void Engine<T, L>::exchange_halo(int which) {
  T* f = options_.backend == BackendKind::Cpu ? f_[which].data() : nullptr;
#ifdef HEMOTWIN_HAVE_CUDA
  if (dev_) f = dev_->f[which].template as<T>();
#endif
  halo_->start(f);
  halo_->finish(f);
}

template <class T, class L>
std::int64_t Engine<T, L>::halo_values() const {
  return halo_ ? halo_->values_received() : 0;
}

template <class T, class L>
std::vector<T> Engine<T, L>::populations() const {
  const std::size_t n = std::size_t(lattice_->brick_count() + 1) * L::Q * B3;
  if (options_.backend == BackendKind::Cpu)
    return std::vector<T>(f_[cur_].begin(), f_[cur_].begin() + std::int64_t(n));
  std::vector<T> host(n);
#ifdef HEMOTWIN_HAVE_CUDA
  cuda::copy_to_host(host.data(), dev_->f[cur_].p, host.size() * sizeof(T));
#endif
  return host;
}

template <class T, class L>
std::size_t Engine<T, L>::population_bytes() const {
  const std::size_t arrays = options_.streaming == StreamingScheme::AaPattern ? 1 : 2;
  return arrays * std::size_t(lattice_->brick_count() + 1) * L::Q * B3 * sizeof(T);
}

template class Engine<float, D3Q19>;
template class Engine<double, D3Q19>;
template class Engine<float, D3Q27>;
template class Engine<double, D3Q27>;

}  // namespace hemotwin
