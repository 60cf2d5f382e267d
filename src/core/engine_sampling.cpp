// What the engine measures of the flow (diagnostics, iolet and section samples, wall force,
// moments), and how an engine split over processes takes its share of the lattice: the parts of
// Engine that see every rank.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine_device.hpp"
#include "hemotwin/core/engine.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/core/kernels.hpp"

namespace hemotwin {
namespace {
using kernels::B3;
}  // namespace

template <class T, class L>
void Engine<T, L>::split() {
  const Communicator& comm = *options_.communicator;
  const SparseLattice& whole = *lattice_;
  owner_ =
      partition_bricks(whole, brick_costs(whole, links_.fluid, options_.brick_cost), comm.size());
  std::vector<std::array<int, 3>> dirs(L::Q);
  for (int q = 0; q < L::Q; ++q) dirs[q] = {L::c[q][0], L::c[q][1], L::c[q][2]};
  sub_ = std::make_unique<Subdomain>(make_subdomain(whole, owner_, comm.rank(), dirs));
  const std::int64_t owned_cells = std::int64_t(sub_->owned_bricks) * B3;
  auto own = [&](std::int64_t global) {
    const std::int64_t c = sub_->local_cell(global);
    return c >= 0 && c < owned_cells ? c : -1;
  };
  // The links of the own fluid cells, renumbered (their neighbours all lie in the share); and
  // those of every fluid cell in the share, for wall points (a cell outside it: -1).
  LinkList mine;
  for (std::size_t k = 0; k < links_.size(); ++k) {
    const std::int64_t x = sub_->local_cell(links_.fluid[k]);
    if (x < 0) continue;
    for (LinkList* to : {&share_links_, &mine}) {
      if (to == &mine && x >= owned_cells) continue;
      to->fluid.push_back(x);
      to->ghost.push_back(sub_->local_cell(links_.ghost[k]));
      to->next.push_back(links_.next[k] >= 0 ? sub_->local_cell(links_.next[k]) : -1);
      to->dir.push_back(links_.dir[k]);
      to->kind.push_back(links_.kind[k]);
      to->iolet.push_back(links_.iolet[k]);
      to->q.push_back(links_.q[k]);
      to->coord.push_back(links_.coord[k]);
    }
  }
  links_ = std::move(mine);
  // Each slab keeps its own cells and the whole slab's area (the ranks' sums are added up).
  for (auto& slab : slabs_) {
    IoletSlab part;
    part.window = slab.window;
    part.area = slab.area;
    for (std::size_t i = 0; i < slab.cells.size(); ++i) {
      const std::int64_t c = own(slab.cells[i]);
      if (c < 0) continue;
      part.cells.push_back(c);
      part.weight.push_back(slab.weight[i]);
    }
    slab = std::move(part);
  }
  whole_ = lattice_;
  lattice_ = sub_->lattice;
}

template <class T, class L>
LatticeDiagnostics Engine<T, L>::diagnostics() const {
  LatticeDiagnostics d;
  const std::int64_t nstored =
      std::int64_t(sub_ ? sub_->owned_bricks : lattice_->brick_count()) * B3;
  const kernels::PopulationView<T, L> pops = view();
  const T force[3] = {force_[0], force_[1], force_[2]};
  kernels::CellSummary s = kernels::CellSummary::identity();
  if (options_.backend == BackendKind::Cpu) {
    const kernels::SummariseCell<T, L> op{
        pops, lattice_->cell_type().data(), {force[0], force[1], force[2]}};
#pragma omp parallel
    {
      kernels::CellSummary local = kernels::CellSummary::identity();
#pragma omp for schedule(static) nowait
      for (std::int64_t c = 0; c < nstored; ++c) local = kernels::CombineSummary{}(local, op(c));
#pragma omp critical
      s = kernels::CombineSummary{}(s, local);
    }
  } else {
#ifdef HEMOTWIN_HAVE_CUDA
    s = cuda::summarise<T, L>(
        kernels::SummariseCell<T, L>{
            pops, dev_->cell_type.template as<std::uint8_t>(), {force[0], force[1], force[2]}},
        nstored);
#endif
  }
  // The lattice index of the first bad cell: the same on any rank count.
  std::int64_t bad = -1;
  if (s.bad_cell >= 0) bad = lattice_->lattice_index(s.bad_cell);
  std::vector<double> sums{s.mass, s.cells, s.energy};
  constexpr std::size_t kSlabSums = 3;  // where the slabs' sums start
  for (std::size_t k = 0; k < slabs_.size(); ++k) {
    const auto v = slab_sums(k, pops);
    sums.push_back(v.flux);
    sums.push_back(v.rho);
  }
  double max2 = s.max_speed2;
  if (sub_) {
    Communicator& comm = *options_.communicator;
    comm.sum(sums);
    comm.max({&max2, 1});
    std::int64_t b = bad < 0 ? std::numeric_limits<std::int64_t>::max() : bad;
    comm.min({&b, 1});
    bad = b == std::numeric_limits<std::int64_t>::max() ? -1 : b;
  }
  d.mass = sums[0];
  d.fluid_cells = sums[1];
  d.kinetic_energy = sums[2];
  d.max_speed = std::sqrt(max2);
  d.bad_cell = bad;
  for (std::size_t k = 0; k < slabs_.size(); ++k) {
    double flow, density;
    slab_result(k, {sums[kSlabSums + 2 * k], sums[kSlabSums + 1 + 2 * k]}, flow, density);
    const bool iolet = k < iolets_.size();
    (iolet ? d.iolet_flow : d.section_flow).push_back(flow);
    (iolet ? d.iolet_density : d.section_density).push_back(density);
  }
  return d;
}

template <class T, class L>
kernels::FlowSample Engine<T, L>::slab_sums(std::size_t k,
                                            const kernels::PopulationView<T, L>& pops) const {
  const auto& slab = slabs_[k];
  const bool iolet = k < iolets_.size();
  const Vec3 n = iolet ? Vec3(-iolets_[k].normal.normalized())
                       : Vec3(sections_[k - iolets_.size()].normal.normalized());
  const T force[3] = {force_[0], force_[1], force_[2]};
  const std::int64_t count = std::int64_t(slab.cells.size());
  if (options_.backend == BackendKind::Cpu) {
    const kernels::SampleIoletCell<T, L> op{pops,
                                            slab.cells.data(),
                                            slab.weight.data(),
                                            {n[0], n[1], n[2]},
                                            {force[0], force[1], force[2]}};
    double fx = 0, rho = 0;
#pragma omp parallel for reduction(+ : fx, rho)
    for (std::int64_t i = 0; i < count; ++i) {
      const auto v = op(i);
      fx += v.flux;
      rho += v.rho;
    }
    return {fx, rho};
  }
#ifdef HEMOTWIN_HAVE_CUDA
  if (count == 0) return {0, 0};
  const kernels::SampleIoletCell<T, L> op{pops,
                                          dev_->slab_cells[k].template as<std::int64_t>(),
                                          dev_->slab_weights[k].template as<double>(),
                                          {n[0], n[1], n[2]},
                                          {force[0], force[1], force[2]}};
  return cuda::sample_iolet<T, L>(op, count);
#else
  return {0, 0};
#endif
}

template <class T, class L>
void Engine<T, L>::slab_result(std::size_t k, const kernels::FlowSample& sum, double& flow,
                               double& density) const {
  // Flow through the plane: the window-averaged mass flux (the window integrates to one), into
  // the domain at inlets, out of it at outlets, along the normal at sections.
  const bool iolet = k < iolets_.size();
  flow = (iolet && is_outlet(iolets_[k].kind) ? -1.0 : 1.0) * sum.flux;
  density = sum.rho / std::max(slabs_[k].area, 1e-300);
}

template <class T, class L>
void Engine<T, L>::sample_iolets(const std::vector<int>& which, std::vector<double>& flow,
                                 std::vector<double>& density) const {
  const kernels::PopulationView<T, L> pops = view();
  std::vector<double> sums;
  for (int k : which) {
    if (k < 0 || std::size_t(k) >= iolets_.size())
      throw Error("sample_iolets: no iolet " + std::to_string(k));
    const auto v = slab_sums(std::size_t(k), pops);
    sums.push_back(v.flux);
    sums.push_back(v.rho);
  }
  if (sub_) options_.communicator->sum(sums);
  flow.assign(which.size(), 0.0);
  density.assign(which.size(), 0.0);
  for (std::size_t i = 0; i < which.size(); ++i)
    slab_result(std::size_t(which[i]), {sums[2 * i], sums[2 * i + 1]}, flow[i], density[i]);
}

template <class T, class L>
Vec3 Engine<T, L>::wall_force(const std::function<bool(const Vec3&)>& on_wall) const {
  const std::vector<T> f = populations();
  const kernels::PopulationView<T, L> pops{f.data(), lattice_->neighbours().data(), layout_};
  Vec3 force = Vec3::Zero();
  for (std::size_t k = 0; k < links_.size(); ++k) {
    if (links_.kind[k] != std::uint8_t(LinkKind::Wall)) continue;
    const std::int64_t cell = links_.fluid[k];
    const int i = links_.dir[k];
    const Vec3 c(L::c[i][0], L::c[i][1], L::c[i][2]);
    if (!on_wall(lattice_->position(cell) + links_.q[k] * lattice_->dx() * c)) continue;
    // f*_i(x) towards the wall, and what the wall sent back: where the next step reads f_i'(x).
    // Populations are stored less w_i.
    const double out = double(f[std::size_t(pops.slot_of(cell, i))]);
    const double in = double(f[std::size_t(pops.arrival_slot(cell, kernels::opposite_dir(i)))]);
    force += c * (out + in + 2.0 * L::w[i]);
  }
  if (sub_) options_.communicator->sum({force.data(), 3});
  return force;
}

template <class T, class L>
std::vector<double> Engine<T, L>::iolet_link_flow() const {
  const std::vector<T> host_copy =
      (options_.backend == BackendKind::Cpu) ? std::vector<T>{} : populations();
  const T* f = (options_.backend == BackendKind::Cpu) ? f_[cur_].data() : host_copy.data();
  const kernels::PopulationView<T, L> pops{f, lattice_->neighbours().data(), layout_};
  std::vector<double> flow(iolets_.size(), 0.0);
  for (std::size_t k = 0; k < links_.size(); ++k) {
    if (links_.kind[k] == std::uint8_t(LinkKind::Wall)) continue;
    const std::int64_t cell = links_.fluid[k];
    const int i = links_.dir[k];
    // What left towards the plane, less what came back (both stored less the same w_i).
    flow[std::size_t(links_.iolet[k])] +=
        double(f[std::size_t(pops.slot_of(cell, i))]) -
        double(f[std::size_t(pops.arrival_slot(cell, kernels::opposite_dir(i)))]);
  }
  if (sub_) options_.communicator->sum(flow);
  return flow;
}

template <class T, class L>
void Engine<T, L>::moments(std::vector<double>& rho, std::vector<double>& u) const {
  const std::vector<T> host_copy =
      (options_.backend == BackendKind::Cpu) ? std::vector<T>{} : populations();
  const kernels::PopulationView<T, L> pops{
      (options_.backend == BackendKind::Cpu) ? f_[cur_].data() : host_copy.data(),
      lattice_->neighbours().data(), layout_};
  const std::int64_t nstored = std::int64_t(lattice_->brick_count()) * B3;
  rho.assign(nstored, 0.0);
  u.assign(3 * nstored, 0.0);
  const T force[3] = {force_[0], force_[1], force_[2]};
#pragma omp parallel for schedule(static)
  for (std::int64_t c = 0; c < nstored; ++c) {
    if (!lattice_->is_fluid(c)) continue;
    T pop[L::Q];
    pops.load(c, pop);
    T r, v[3];
    kernels::moments<T, L>(pop, force, r, v);
    rho[c] = r;
    for (int a = 0; a < 3; ++a) u[3 * c + a] = v[a];
  }
}

#define HEMOTWIN_INSTANTIATE(T, L)                                                          \
  template void Engine<T, L>::split();                                                      \
  template LatticeDiagnostics Engine<T, L>::diagnostics() const;                            \
  template kernels::FlowSample Engine<T, L>::slab_sums(                                     \
      std::size_t, const kernels::PopulationView<T, L>&) const;                             \
  template void Engine<T, L>::slab_result(std::size_t, const kernels::FlowSample&, double&, \
                                          double&) const;                                   \
  template void Engine<T, L>::sample_iolets(const std::vector<int>&, std::vector<double>&,  \
                                            std::vector<double>&) const;                    \
  template Vec3 Engine<T, L>::wall_force(const std::function<bool(const Vec3&)>&) const;    \
  template void Engine<T, L>::moments(std::vector<double>&, std::vector<double>&) const;    \
  template std::vector<double> Engine<T, L>::iolet_link_flow() const;
HEMOTWIN_INSTANTIATE(float, D3Q19)
HEMOTWIN_INSTANTIATE(double, D3Q19)
HEMOTWIN_INSTANTIATE(float, D3Q27)
HEMOTWIN_INSTANTIATE(double, D3Q27)
#undef HEMOTWIN_INSTANTIATE

}  // namespace hemotwin
