#pragma once
// The lattice-Boltzmann engine in lattice units: one precision, one velocity set, one backend.
// Simulation (simulation.hpp) wraps it with physical units and a Case; tests use it directly.
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <vector>

#include "hemotwin/core/case.hpp"
#include "hemotwin/core/decomposition.hpp"
#include "hemotwin/core/kernels.hpp"
#include "hemotwin/core/sparse_lattice.hpp"

namespace hemotwin {

struct EngineOptions {
  BackendKind backend = BackendKind::Cpu;  // Cpu or Cuda (resolve Auto before)
  CollisionModel collision = CollisionModel::Trt;
  double tau = 0.8;           // relaxation time of the symmetric (viscous) part
  double magic = 3.0 / 16.0;  // TRT: (tau+ - 1/2)(tau- - 1/2)
  WallMethod walls = WallMethod::Bouzidi;
  StreamingScheme streaming = StreamingScheme::Auto;
  /// A viscosity that varies with the local strain rate (non-Newtonian blood, LES), lattice units;
  /// `magic` is filled from the collision model. Newtonian without LES: tau alone.
  kernels::LocalViscosity<double> viscosity = {};
  /// Interpolated (Bouzidi) walls give back to each fluid cell the mass they do not return
  /// (kernels::RestoreWallMass), so the walls conserve mass exactly.
  bool conserve_wall_mass = true;
  /// CPU backend, two-lattice scheme: non-temporal stores of the new populations. -1: when the
  /// lattice is larger than the last-level cache (64 MiB per population array); 0: never; 1:
  /// always.
  int streaming_stores = -1;
  /// Split the lattice over the processes this joins (hemotwin::parallel::MpiCommunicator): each
  /// rank updates the bricks partition_bricks gives it and exchanges a halo with its neighbours
  /// every step. Null: the whole lattice in this process. Needs the two-lattice scheme.
  std::shared_ptr<Communicator> communicator = nullptr;
  BrickCost brick_cost = {};
};

template <class T>
class HaloExchange;
namespace moving {
struct State;
}

struct LatticeDiagnostics {
  double mass = 0;
  double max_speed = 0;
  double fluid_cells = 0;  // counted now (a moving wall covers and uncovers cells)
  // Lattice units: sum of |u|^2 / 2 over the fluid cells, at the reference density (the lattice's
  // density deviations are its pressure, not mass: weighting by them would add compressibility
  // artefacts of a few per cent in a starting flow).
  double kinetic_energy = 0;
  std::int64_t bad_cell = -1;           // lattice index of the first non-finite cell, -1 if none
  std::vector<double> iolet_flow;       // lattice units: mass flux / rho0 (volume per step), into
                                        // the domain at inlets and out of it at outlets
  std::vector<double> iolet_density;    // weighted mean lattice density over the slab
  std::vector<double> section_flow;     // lattice units, along each section's normal
  std::vector<double> section_density;  // weighted mean lattice density over its slab
};

/// Allocates on 64-byte boundaries: a brick's rows then start on cache lines, which the CPU
/// kernel's aligned and streaming stores rely on.
template <class T>
struct CacheAligned {
  using value_type = T;
  CacheAligned() = default;
  template <class U>
  CacheAligned(const CacheAligned<U>&) noexcept {}
  T* allocate(std::size_t n) {
    return static_cast<T*>(::operator new (n * sizeof(T), std::align_val_t{64}));
  }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete (p, std::align_val_t{64}); }
  template <class U>
  bool operator==(const CacheAligned<U>&) const noexcept {
    return true;
  }
};

template <class T, class L>
class Engine {
 public:
  Engine(const DomainSpec& spec, const EngineOptions& options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const SparseLattice& lattice() const { return *lattice_; }
  const LinkList& links() const { return links_; }
  const std::vector<IoletPlane>& iolets() const { return iolets_; }
  /// The iolets' slabs, then the sections' (DomainSpec::sections), in that order.
  const std::vector<IoletSlab>& iolet_slabs() const { return slabs_; }
  const std::vector<SectionPlane>& sections() const { return sections_; }
  BackendKind backend() const { return options_.backend; }
  /// The scheme in use (Auto resolved).
  StreamingScheme streaming() const { return options_.streaming; }
  double tau() const { return options_.tau; }
  std::int64_t steps() const { return steps_; }

  /// Uniform body force density (lattice units), e.g. a pressure gradient.
  void set_force(const Vec3& force);
  /// Per iolet: inlet mean velocity or outlet density (lattice units). Used from the next step on.
  /// A velocity iolet's links take its static profile (parabolic or plug, as its IoletPlane
  /// says, scaled to deliver the mean velocity times pi radius^2) times the value.
  void set_iolet_values(const std::vector<double>& values);
  /// As above, with the profile of some velocity iolets given instead: profiles[k] holds
  /// kernels::profile_samples + 1 lattice velocities along the inward normal over the profile
  /// coordinate s = r / radius in [0, 1] (empty: the static profile). It delivers
  /// sum_j profile_weights(k)[j] profiles[k][j] volume per step.
  void set_iolet_values(const std::vector<double>& values,
                        const std::vector<std::vector<double>>& profiles);
  /// The amplitude of each of the spec's wall motions (DomainSpec::wall_motions), lattice units:
  /// the wall moves at speeds[g] * velocity(p) from the next step on. All start at rest.
  void set_wall_speeds(const std::vector<double>& speeds);
  /// Opens or closes each iolet (a valve): a closed one's links bounce back as a wall at rest,
  /// halfway (its plane is a cut, not a wall), until it opens again. All start open; used from
  /// the next step on.
  void set_iolets_open(const std::vector<bool>& open);
  const std::vector<bool>& iolets_open() const { return open_; }
  /// See set_iolet_values: the flux each profile sample carries (lattice units).
  const std::vector<double>& profile_weights(std::size_t iolet) const;
  /// Sets every cell to equilibrium at (rho, u). rho, u: one value per stored cell (brick order) or
  /// empty for rest (rho = 1, u = 0).
  void initialise(const std::vector<double>& rho = {}, const std::vector<double>& u = {});

  void step();
  void run(std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) step();
  }

  /// Split over processes: this rank's share (null in one process). lattice() is then the
  /// share's lattice (own bricks, then the halo), and links, slabs and fields are its own cells'.
  const Subdomain* subdomain() const { return sub_.get(); }
  /// Which rank owns each brick of the whole lattice (empty in one process).
  const std::vector<std::int32_t>& brick_owner() const { return owner_; }
  /// Populations this rank receives from its neighbours per step (0 in one process).
  std::int64_t halo_values() const;
  /// The whole lattice this rank's share was cut from (lattice() in one process).
  const SparseLattice& whole_lattice() const { return whole_ ? *whole_ : *lattice_; }
  /// The links of every fluid cell of the share, the halo's included, in lattice()'s numbering
  /// (links() in one process): where a wall point near a cut finds its neighbours' crossings.
  const LinkList& share_links() const { return sub_ ? share_links_ : links_; }
  /// Split over processes (collective): values per stored cell, `n` each, of this rank's own
  /// cells, in the whole lattice's layout on rank 0 (empty elsewhere). One process: `local`.
  std::vector<double> gather_cells(const std::vector<double>& local, int n) const;
  /// Split over processes (collective): fills `field`'s halo bricks (n values per stored cell)
  /// with their owners' values. Nothing in one process.
  void exchange_cells(std::vector<double>& field, int n) const;
  /// The populations as one process stores them (populations()), on rank 0 (collective; empty
  /// elsewhere): each rank's own bricks, and the slots its boundary links wrote in its halo.
  std::vector<T> gather_populations() const;
  /// restore() from populations as one process stores them, given on every rank: each rank
  /// takes its share.
  void restore_whole(const std::vector<T>& whole, kernels::Layout layout, std::int64_t steps);

  /// Over the whole lattice, on every rank (reduced across ranks when split). bad_cell: the
  /// smallest lattice index i + nx (j + ny k) of a non-finite cell, or -1.
  LatticeDiagnostics diagnostics() const;
  /// Flow and mean density of the iolets `which` only (on every rank) (what coupled outlets need
  /// every step): as LatticeDiagnostics::iolet_flow and iolet_density, without the whole-lattice
  /// reductions.
  void sample_iolets(const std::vector<int>& which, std::vector<double>& flow,
                     std::vector<double>& density) const;
  /// The mass that crossed each iolet's links in the last step, out of the fluid positive
  /// (lattice units): what each link sent towards the plane less what came back, exactly what
  /// the fluid exchanged there (the slabs of sample_iolets see the flow only within the opening's
  /// reach, which undercounts an opening in a chamber's wall, approached from the side). On every
  /// rank; CUDA copies the populations to the host.
  std::vector<double> iolet_link_flow() const;
  /// Density and velocity (3 per cell) of every stored cell; solid cells get rho = 0, u = 0.
  void moments(std::vector<double>& rho, std::vector<double>& u) const;
  /// The force the fluid exerts on the walls whose links `on_wall` selects (it is given each wall
  /// link's crossing point, in the spec's coordinates), by momentum exchange over the last step
  /// (Ladd 1994; Mei, Yu, Shyy & Luo 2002 for interpolated walls): the sum over those links of
  /// c_i (f*_i(x) + f_i'(x)), the population leaving cell x towards the wall after collision and
  /// the one the wall sends back (i' opposite to i). Lattice units: momentum per step. Copies the
  /// populations to the host.
  Vec3 wall_force(const std::function<bool(const Vec3&)>& on_wall) const;
  /// A wall that moves along its normal (DomainSpec::moving_wall): the mass it took out of the
  /// fluid by covering cells, less what refilling the cells it uncovered put in, since the start
  /// (lattice units; 0 without one). The fluid's mass plus this plus what left through the
  /// iolets stays what it was.
  double wall_exchanged_mass() const;
  /// The cells the moving wall covered and uncovered since the start.
  std::array<std::int64_t, 2> wall_moved_cells() const;
  /// The cells of a moving wall's band: where the wall passes over the cycle, and their
  /// neighbours (empty without one).
  std::vector<std::int64_t> wall_band_cells() const;
  /// Raw populations, host copy (for tests comparing backends), in the layout they have now.
  std::vector<T> populations() const;
  /// Continues from a state taken with populations(), layout() and steps() (a checkpoint): every
  /// slot of the array the next step reads, the boundary slots included, so the run goes on bit
  /// for bit. Throws hemotwin::Error when the size does not fit this lattice or the layout not
  /// this streaming scheme (Plain: two-lattice; Swapped or Pushed: AA pattern).
  void restore(const std::vector<T>& populations, kernels::Layout layout, std::int64_t steps);
  /// The population array itself (CPU backend; null on CUDA), in layout(): what Python views
  /// without a copy. Valid until the next step (the two-lattice scheme swaps arrays).
  T* host_populations() { return options_.backend == BackendKind::Cpu ? f_[cur_].data() : nullptr; }
  kernels::Layout layout() const { return layout_; }
  /// Bytes of population storage (one array for the AA pattern, two for the two-lattice scheme).
  std::size_t population_bytes() const;

  /// Bytes moved per fluid-cell update by the stream-collide kernel (for the roofline).
  static constexpr double bytes_per_update() { return 2.0 * L::Q * sizeof(T); }

 private:
  struct Device;
  /// One step with the collision functor `collide` (kernels::Collide, kernels::CollideCumulant).
  template <class Op>
  void step_with(const Op& collide);
  void upload_links();
  /// Fills the slots the next step reads from ghost cells, in array `which`, holding `layout`.
  void apply_boundaries(int which, kernels::Layout layout);
  /// The outlets' sponge layers (IoletPlane::sponge_length) on array `which`, holding `layout`.
  void apply_sponge(int which, kernels::Layout layout, std::int64_t first, std::int64_t count);
  /// The two-lattice stream-collide of `bricks` (all when null) from cur_ into `out`.
  template <class Op>
  void stream_bricks(const Op& collide, int out, const std::vector<std::int32_t>* bricks);
  /// Splits the lattice, links and slabs built on the whole lattice down to this rank's share.
  void split();
  /// Fills array `which`'s halo from the neighbours (split over processes).
  void exchange_halo(int which);
  void build_sponge();
  kernels::PopulationView<T, L> view() const;
  /// Slab k (an iolet's, or section k - iolets().size()): flow and mean density.
  /// This rank's sums over slab k: {weighted flux, weighted density}.
  kernels::FlowSample slab_sums(std::size_t k, const kernels::PopulationView<T, L>& pops) const;
  /// Flow and mean density of slab k from its sums over every rank.
  void slab_result(std::size_t k, const kernels::FlowSample& sum, double& flow,
                   double& density) const;
  std::shared_ptr<SparseLattice> lattice_;
  LinkList links_;
  std::vector<IoletPlane> iolets_;
  std::vector<IoletSlab> slabs_;
  std::vector<SectionPlane> sections_;
  EngineOptions options_;
  T omega_plus_, omega_minus_;
  kernels::LocalViscosity<T> visc_;
  T force_[3] = {0, 0, 0};
  std::vector<T> iolet_value_;
  std::vector<bool> open_;                 // per iolet (set_iolets_open)
  std::vector<std::int64_t> sponge_cell_;  // the sponge layers' cells and their scale factors
  std::vector<T> sponge_scale_;
  std::int64_t sponge_border_ = 0;  // split: the sponge cells in border bricks come first
  // Per iolet, then per wall motion: kernels::profile_samples + 1 velocities (velocity iolets;
  // a motion's are its amplitude throughout, since its links take s = 0).
  std::vector<T> profile_;
  std::vector<WallMotion> motions_;
  std::vector<std::vector<double>> weights_, static_shape_;
  void compute_profile_weights();
  std::int64_t steps_ = 0;
  // Host storage (CPU backend) or device storage (CUDA backend).
  std::vector<T, CacheAligned<T>> f_[2];
  // The boundary links compiled for the kernels (kernels::ApplyLinearLinks and
  // ApplyPressureLinks): population slots and coefficients, computed once from links_.
  struct CompiledLinks {
    std::vector<std::int64_t> from, aux, to;
    std::vector<T> coeff;
    std::vector<std::int16_t> iolet;
    std::vector<T> coord;
    std::vector<std::int64_t> outlet_fluid, outlet_to;
    std::vector<std::uint8_t> outlet_dir;
    std::vector<std::int16_t> outlet_iolet;
    // kernels::RestoreWallMass: per fluid cell with leaky wall links, where its links start in
    // mass_link (one more entry at the end), its rest slot; mass_link indexes the links above.
    std::vector<std::int64_t> mass_begin, mass_rest, mass_link;
    // kernels::RestoreWallMass::extra, per link above (empty: none).
    std::vector<T> mass_extra;
  };
  // Indexed by the layout the links follow (kernels::Layout): Plain for the two-lattice scheme,
  // Swapped and Pushed for the AA pattern.
  CompiledLinks compiled_[3];
  /// Compiles links_[first, last). `wall_momentum`, when given, is the momentum density of the
  /// wall at each of those links' crossing points (lattice units; zero but for wall links):
  /// carried by the link itself (a moving wall's band).
  CompiledLinks compile_links(kernels::Layout layout, std::size_t first, std::size_t last,
                              std::span<const Vec3> wall_momentum = {}) const;
  /// Where link k crosses the wall (or its opening's plane).
  Vec3 crossing(std::size_t k) const;
  // A wall that moves along its normal (engine_moving.cpp): its band's links, compiled anew at
  // every step (two-lattice scheme, Plain layout); the profile row after the wall motions' holds
  // ones, by which they scale their own velocity term.
  std::unique_ptr<moving::State> moving_;
  CompiledLinks moving_compiled_;
  void begin_moving_wall(const DomainSpec& spec);
  /// Moves the wall to time t: retypes and relinks the band, its links carrying the density of
  /// their cells in `f` (the array holding the post-collision populations; null: 1); with
  /// `exchange`, takes out the covered cells' mass and refills the uncovered (a restore does not:
  /// its populations hold them).
  void relink_moving_wall(double t, T* f, bool exchange);
  /// Refills the uncovered `cells` in `f` at time t (the wall's velocity field then).
  void refill(const std::vector<std::int64_t>& cells, double t,
              const std::function<Vec3(const Vec3&)>& velocity, T* f);
  kernels::Layout layout_ = kernels::Layout::Plain;
  int cur_ = 0;
  std::unique_ptr<Device> dev_;
  std::unique_ptr<Subdomain> sub_;
  std::shared_ptr<const SparseLattice> whole_;  // split: the lattice before the cut
  LinkList share_links_;
  std::vector<std::int32_t> owner_;
  std::unique_ptr<HaloExchange<T>> halo_;
};

extern template class Engine<float, D3Q19>;
extern template class Engine<double, D3Q19>;
extern template class Engine<float, D3Q27>;
extern template class Engine<double, D3Q27>;

}  // namespace hemotwin
