#include "hemotwin/core/simulation.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstring>
#include <limits>
#include <numbers>
#include <optional>
#include <sstream>
#include <type_traits>

#include "chamber_setup.hpp"
#include "flow_setup.hpp"
#include "hemotwin/core/engine.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/core/flow_fields.hpp"
#include "hemotwin/core/outlets.hpp"
#include "hemotwin/core/stability.hpp"
#include "hemotwin/core/waveform.hpp"
#include "hemotwin/core/womersley.hpp"
#include "split_state.hpp"
#ifdef HEMOTWIN_HAVE_CUDA
#include "hemotwin/core/detail/cuda_backend.hpp"
#endif

namespace hemotwin {

bool cuda_device_available() {
#ifdef HEMOTWIN_HAVE_CUDA
  return cuda::device_count() > 0;
#else
  return false;
#endif
}

namespace {
// Makes device `index` modulo the visible devices current (CUDA builds) and describes it.
std::string select_cuda_device(int index) {
#ifdef HEMOTWIN_HAVE_CUDA
  const int n = cuda::device_count();
  const int d = n > 0 ? index % n : 0;
  cuda::set_device(d);
  return cuda::device_name(d) + " (device " + std::to_string(d) + " of " + std::to_string(n) + ")";
#else
  (void)index;
  return cuda_device_description();
#endif
}
}  // namespace

std::string cuda_device_description() {
#ifdef HEMOTWIN_HAVE_CUDA
  if (cuda::device_count() > 0) return cuda::device_name(0);
  return "no CUDA device visible";
#else
  return "this build has no CUDA backend";
#endif
}

namespace {

using detail::broadcast_state;
using detail::ChamberValves;
using detail::gather_wall_shear;
using detail::hash_lattice;
using detail::inflow_waveform;
using detail::inlet_area;
using detail::iolet_area;
using detail::make_outlets;
using detail::OutletState;
using detail::peak_velocity_estimate;

int grid_axis(const Vec3& a) {
  const Vec3 n = a.normalized();
  for (int i = 0; i < 3; ++i)
    if (std::abs(std::abs(n[i]) - 1.0) < 1e-12) return i;
  return -1;
}

// The geometry and iolets of a case, in metres.
DomainSpec make_domain(const Case& c) {
  const auto& g = c.geometry;
  if (is_file_shape(g.shape))
    throw Error(
        "a geometry read from a file is built by hemotwin::imaging::prepare_geometry and "
        "passed to Simulation::create(case, domain) (the hemotwin command and Python do "
        "this)",
        c.source_file, "geometry.shape");
  const Vec3 axis = g.axis.normalized();
  if (!(g.axis.norm() > 0))
    throw Error("the axis must be a non-zero vector", c.source_file, "geometry.axis");
  DomainSpec spec;
  if (g.shape == ShapeKind::Pipe || g.shape == ShapeKind::StenosedPipe) {
    const double R = 0.5 * g.diameter, dx = g.diameter / g.cells_across;
    auto pipe = std::make_shared<PipeShape>(g.origin, axis, R, g.length);
    if (g.shape == ShapeKind::StenosedPipe)
      pipe->with_stenosis(g.stenosis_severity, g.stenosis_position, g.stenosis_length);
    pipe->unbounded_length(true);
    if (c.driver == FlowDriver::Inlet) {
      spec = DomainSpec::around(pipe, dx);
      spec.iolets = {IoletPlane{.name = "inlet0",
                                .kind = IoletKind::VelocityInlet,
                                .point = g.origin,
                                .normal = -axis,
                                .parabolic = c.inlet.profile != InletProfile::Plug,
                                .radius = R},
                     IoletPlane{.name = "outlet0",
                                .kind = IoletKind::PressureOutlet,
                                .point = g.origin + g.length * axis,
                                .normal = axis,
                                .parabolic = false,
                                .radius = R}};
    } else {
      const int a = grid_axis(axis);
      if (a < 0)
        throw Error(
            "a body-force-driven pipe is periodic along its axis, which must then be a grid axis "
            "([1,0,0], [0,1,0] or [0,0,1])",
            c.source_file, "geometry.axis");
      spec = DomainSpec::around(pipe, dx);
      // Periodic along the axis: the domain spans the pipe length in whole bricks.
      const int n = std::max(brick_size, int(std::lround(g.length / dx / brick_size)) * brick_size);
      spec.cells[a] = n;
      spec.origin[a] = g.origin[a] + 0.5 * dx;
      spec.periodic[a] = true;
    }
  } else if (g.shape == ShapeKind::Channel) {
    const int a = grid_axis(axis);
    if (a < 0)
      throw Error("the channel's plate normal must be a grid axis", c.source_file, "geometry.axis");
    const double dx = g.diameter / g.cells_across;
    Eigen::AlignedBox3d extent(g.origin, g.origin + g.size);
    extent.min()[a] = g.origin[a];
    extent.max()[a] = g.origin[a] + g.diameter;
    spec.shape = std::make_shared<ChannelShape>(g.origin, axis.cwiseAbs(), g.diameter, extent);
    spec.dx = dx;
    spec.origin = g.origin + Vec3::Constant(0.5 * dx);
    for (int i = 0; i < 3; ++i) {
      if (i == a) {
        spec.cells[i] = int(std::ceil(g.diameter / dx)) + 4;
        spec.origin[i] = g.origin[i] - 2 * dx + 0.5 * dx;
      } else {
        spec.cells[i] =
            std::max(brick_size, int(std::lround(g.size[i] / dx / brick_size)) * brick_size);
        spec.periodic[i] = true;
      }
    }
    if (c.driver != FlowDriver::BodyForce)
      throw Error("a channel is periodic in-plane and must be driven by a body force",
                  c.source_file, "flow.driver");
  } else {  // box
    const double dx = g.size.minCoeff() / g.cells_across;
    spec = DomainSpec::around(std::make_shared<BoxShape>(g.origin, g.origin + g.size), dx);
    if (c.driver == FlowDriver::Inlet)
      throw Error("a closed box has no inlet; use driver = \"body_force\"", c.source_file,
                  "flow.driver");
  }
  return spec;
}

// Below the floor of the case's collision: the collisions whose floors `tau` clears, as a hint
// ("" when none does).
std::string collision_hint(const Case& c, double tau, double mach) {
  struct Option {
    CollisionModel model;
    bool les;
    const char* keys;
  };
  const Option options[] = {
      {CollisionModel::Cumulant, false,
       "collision.model = \"cumulant\" (case.lattice = \"D3Q27\")"},
      {c.collision, true, "turbulence.model = \"smagorinsky\""},
      {CollisionModel::Cumulant, true,
       "collision.model = \"cumulant\" (case.lattice = \"D3Q27\") with turbulence.model = "
       "\"smagorinsky\""}};
  for (const Option& o : options) {
    if (o.model == c.collision && o.les == c.turbulence.smagorinsky) continue;
    const StabilityFloor f =
        stability_floor(o.model, o.les, c.walls, mach, is_file_shape(c.geometry.shape));
    if (tau >= f.tau) {
      std::ostringstream s;
      s << "; or run it with " << o.keys << ", whose floor is " << f.tau;
      return s.str();
    }
  }
  return "";
}

void check_blood(const BloodSpec& b, const std::string& file) {
  const auto positive = [&](double v, const char* key, const char* what) {
    if (!(v > 0) || !std::isfinite(v))
      throw Error(std::string(what) + " must be a positive number, got " + std::to_string(v), file,
                  key);
  };
  switch (b.model) {
    case RheologyModel::Newtonian:
      return;
    case RheologyModel::CarreauYasuda:
      positive(b.zero_shear_viscosity, "blood.zero_shear_viscosity_pa_s", "mu_0 (Pa s)");
      positive(b.infinite_shear_viscosity, "blood.infinite_shear_viscosity_pa_s", "mu_inf (Pa s)");
      positive(b.relaxation_time, "blood.relaxation_time_s", "lambda (s)");
      positive(b.yasuda_exponent, "blood.yasuda_exponent", "a");
      if (!(b.power_index > 0 && b.power_index <= 1.5))
        throw Error("the power index n must lie in (0, 1.5] (blood: 0.36), got " +
                        std::to_string(b.power_index),
                    file, "blood.power_index");
      return;
    case RheologyModel::Casson:
      positive(b.yield_stress, "blood.yield_stress_pa", "the yield stress (Pa)");
      positive(b.casson_viscosity, "blood.casson_viscosity_pa_s", "the Casson viscosity (Pa s)");
      break;
    case RheologyModel::PowerLaw:
      positive(b.consistency, "blood.consistency_pa_sn", "the consistency k (Pa s^n)");
      if (!(b.power_index > 0 && b.power_index <= 1.5))
        throw Error("the power index n must lie in (0, 1.5], got " + std::to_string(b.power_index),
                    file, "blood.power_index");
      break;
  }
  positive(b.min_viscosity, "blood.min_viscosity_pa_s", "the smallest viscosity (Pa s)");
  if (!(b.max_viscosity >= b.min_viscosity) || !std::isfinite(b.max_viscosity))
    throw Error("the largest viscosity must be at least the smallest (" +
                    std::to_string(b.min_viscosity) + " Pa s), got " +
                    std::to_string(b.max_viscosity),
                file, "blood.max_viscosity_pa_s");
}

// The local viscosity of the collision, in lattice units.
kernels::LocalViscosity<double> local_viscosity(const Case& c, const Units& u);

EngineOptions engine_options(const Case& c, BackendKind backend, const Units& units,
                             std::shared_ptr<Communicator> comm) {
  EngineOptions o{backend,
                  c.collision,
                  units.tau(),
                  c.trt_magic,
                  c.walls,
                  c.streaming,
                  local_viscosity(c, units)};
  o.communicator = std::move(comm);
  return o;
}

kernels::LocalViscosity<double> local_viscosity(const Case& c, const Units& u) {
  const auto& b = c.blood;
  kernels::LocalViscosity<double> v;
  const double dt = u.dt(), dx = u.dx(), rho = b.density;
  const auto nu_lat = [&](double mu) { return mu / rho * dt / (dx * dx); };
  switch (b.model) {
    case RheologyModel::Newtonian:
      break;
    case RheologyModel::CarreauYasuda:
      v.model = kernels::ViscosityModel::CarreauYasuda;
      v.p[0] = nu_lat(b.zero_shear_viscosity);
      v.p[1] = nu_lat(b.infinite_shear_viscosity);
      v.p[2] = b.relaxation_time / dt;
      v.p[3] = b.yasuda_exponent;
      v.p[4] = b.power_index;
      break;
    case RheologyModel::Casson:
      v.model = kernels::ViscosityModel::Casson;
      v.p[0] = std::sqrt(b.yield_stress / rho) * dt / dx;
      v.p[1] = std::sqrt(nu_lat(b.casson_viscosity));
      break;
    case RheologyModel::PowerLaw:
      v.model = kernels::ViscosityModel::PowerLaw;
      v.p[0] = b.consistency / rho * std::pow(dt, 2 - b.power_index) / (dx * dx);
      v.p[1] = b.power_index;
      break;
  }
  if (c.turbulence.smagorinsky) v.les = 3 * c.turbulence.constant * c.turbulence.constant;
  v.tau_min = 0.5 + 3 * nu_lat(min_viscosity(b));
  v.tau_max = 0.5 + 3 * nu_lat(max_viscosity(b)) + (v.les > 0 ? 100.0 : 0.0);
  return v;
}

void check_case(const Case& c) {
  const std::string& file = c.source_file;
  check_blood(c.blood, file);
  if (c.turbulence.smagorinsky && !(c.turbulence.constant > 0 && c.turbulence.constant <= 0.5))
    throw Error("the Smagorinsky constant must lie in (0, 0.5] (0.1 to 0.2 is usual), got " +
                    std::to_string(c.turbulence.constant),
                file, "turbulence.smagorinsky_constant");
  if (!(c.blood.viscosity > 0))
    throw Error("viscosity must be positive (Pa s), e.g. 0.0035 for blood", file,
                "blood.viscosity_pa_s");
  if (!(c.blood.density > 0))
    throw Error("density must be positive (kg/m^3), e.g. 1060 for blood", file,
                "blood.density_kg_m3");
  if (needs_d3q27(c.collision) && c.lattice != LatticeKind::D3Q27)
    throw Error(std::string("the ") + to_string(c.collision) +
                    " collision is defined on D3Q27, and case.lattice is " + to_string(c.lattice) +
                    ": set case.lattice = \"D3Q27\", or choose collision.model = \"trt\" or "
                    "\"regularized\" for D3Q19",
                file, "collision.model");
  if (!(c.geometry.cells_across >= 4))
    throw Error("needs at least 4 cells across", file, "geometry.cells_across_diameter");
  if (!(c.time.duration > 0)) throw Error("duration must be positive", file, "time.duration_s");
  for (std::size_t k = 0; k < c.sections.size(); ++k) {
    const auto& s = c.sections[k];
    const std::string key = "sections." + (s.name.empty() ? std::to_string(k) : s.name);
    if (s.name.empty()) throw Error("a section needs a name", file, key);
    for (std::size_t j = 0; j < k; ++j)
      if (c.sections[j].name == s.name)
        throw Error("two sections are named '" + s.name + "'; give each its own name", file, key);
    if (!s.point.allFinite()) throw Error("the point must be finite (mm)", file, key + ".point_mm");
    if (!(s.normal.allFinite() && s.normal.norm() > 0))
      throw Error("the normal must be a non-zero vector along the vessel", file, key + ".normal");
    if (!(s.radius >= 0))
      throw Error("the radius must be 0 (the whole plane) or positive (mm)", file,
                  key + ".radius_mm");
  }
}

// A wall that moves along its normal runs on the CPU, in one process, with two lattices (its
// relink retypes cells and rebuilds links between steps): `auto` choices are made so, explicit
// other ones refused with their key. Where the case says `auto`, `notes` say what was chosen.
void check_moving_wall(Case& c, const Communicator* comm, std::vector<std::string>& notes) {
  const std::string& file = c.source_file;
  if (c.backend == BackendKind::Cuda)
    throw Error(
        "a chamber whose wall moves runs on the CPU backend for now: set case.backend = "
        "\"cpu\" or \"auto\"",
        file, "case.backend");
  if (c.streaming == StreamingScheme::AaPattern)
    throw Error(
        "a chamber whose wall moves streams with two lattices: set case.streaming = "
        "\"two-lattice\" or \"auto\"",
        file, "case.streaming");
  if (comm && comm->size() > 1)
    throw Error("a chamber whose wall moves runs in one process for now (this run has " +
                std::to_string(comm->size()) + "): run it without mpirun or with one process");
  if (c.backend == BackendKind::Auto && cuda_device_available())
    notes.push_back("the moving wall runs on the CPU backend (its CUDA path is not written yet)");
  c.backend = BackendKind::Cpu;
  c.streaming = StreamingScheme::TwoLattice;
  // The lattice's sound speed is the expected jet over the Mach number: at 0.1 the LV phantom's
  // Helmholtz resonance through its mitral opening fell where the filling jet sheds, and rang
  // (docs/validation.md, "Three beats of the ventricle phantom").
  if (!(c.time.time_step > 0) && c.time.max_mach > 0.05)
    notes.push_back(
        "a chamber at Mach " + std::to_string(c.time.max_mach).substr(0, 4) +
        ": the lattice's sound speed is only " +
        std::to_string(int(std::lround(1 / c.time.max_mach))) +
        " times the expected jet, which can set the chamber's Helmholtz resonance through a valve "
        "ringing; time.max_mach = 0.05 keeps it clear (as hemotwin phantom ventricle's case does)");
}

template <class T, class L>
class SimulationImpl final : public Simulation {
 public:
  SimulationImpl(const Case& c, BackendKind backend, std::string device, DomainSpec spec,
                 Units units, std::optional<Waveform> inflow, std::vector<OutletState> outlets,
                 std::vector<std::string> notes, std::shared_ptr<Communicator> comm,
                 ChamberValves valves)
      : case_(c),
        notes_(std::move(notes)),
        units_(units),
        backend_(backend),
        device_(std::move(device)),
        comm_(comm),
        engine_(spec, engine_options(c, backend, units, std::move(comm))) {
    grid_ = engine_.whole_lattice().grid_info();
    // Collective where split: computed here, where every rank is.
    hash_ = hash_lattice(engine_.whole_lattice(), engine_.links(), engine_.iolets(), L::Q,
                         engine_.subdomain(), comm_.get());
    waveform_ = std::move(inflow);
    inlet_area_ = inlet_area(spec);
    outlets_ = std::move(outlets);
    for (const auto& o : outlets_)
      if (o.windkessel) coupled_.push_back(o.iolet);
    if (c.driver == FlowDriver::Inlet && c.inlet.profile == InletProfile::Womersley)
      build_womersley_profiles();
    for (std::size_t k = 0; k < engine_.iolets().size(); ++k) {
      const auto& p = engine_.iolets()[k];
      iolets_.push_back({p.name, p.kind, p.point, p.normal.normalized(),
                         engine_.iolet_slabs()[k].area * units_.dx() * units_.dx()});
    }
    for (std::size_t k = 0; k < engine_.sections().size(); ++k) {
      const auto& p = engine_.sections()[k];
      const auto& slab = engine_.iolet_slabs()[engine_.iolets().size() + k];
      sections_.push_back(
          {p.name, p.point, p.normal.normalized(), slab.area * units_.dx() * units_.dx()});
    }
    total_steps_ = std::max<std::int64_t>(1, std::llround(c.time.duration / units_.dt()));
    moving_ = bool(spec.moving_wall.shape);
    wall_shape_ = spec.moving_wall.shape;
    wall_start_ = spec.moving_wall.start;
    if (moving_) {
      // The grid of a moving wall is the fluid of every phase (its band taken as fluid): fixed,
      // as the results' mask is. A snapshot holds NaN where the wall is at its time. Its
      // fluid_cells stays the start's: the cells a step updates (MLUPS, the log).
      for (std::int64_t cell : engine_.wall_band_cells()) grid_.cell_type[std::size_t(cell)] = 1;
    }
    valves_ = std::move(valves);
    valves_.start_diodes(time());
    link_flow_.assign(engine_.iolets().size(), 0.0);
    apply_time_dependence();
  }

  const Case& config() const override { return case_; }
  const Units& units() const override { return units_; }
  const GridInfo& grid() const override { return grid_; }
  const std::vector<IoletInfo>& iolets() const override { return iolets_; }
  const std::vector<SectionInfo>& sections() const override { return sections_; }
  BackendKind backend() const override { return backend_; }
  std::string device() const override { return device_; }
  StreamingScheme streaming() const override { return engine_.streaming(); }
  const std::vector<std::string>& notes() const override { return notes_; }
  std::int64_t total_steps() const override { return total_steps_; }
  std::int64_t step_count() const override { return engine_.steps(); }

  void advance(std::int64_t n) override {
    const int every = std::max(1, case_.output.check_every);
    for (std::int64_t i = 0; i < n; ++i) {
      engine_.step();
      if (moving_) {  // the valves' flows through their links, for the next diagnostics
        const auto f = engine_.iolet_link_flow();
        for (std::size_t k = 0; k < f.size(); ++k) link_flow_[k] += f[k];
        ++link_steps_;
      }
      couple_outlets();
      apply_time_dependence();
      if (engine_.steps() % every == 0 || i + 1 == n) check();
    }
  }

  Diagnostics diagnostics() override {
    const auto d = engine_.diagnostics();
    Diagnostics out;
    out.step = engine_.steps();
    out.time = time();
    out.mass = d.mass;
    out.max_speed = units_.velocity_to_physical(d.max_speed);
    const double dx = units_.dx(), cell = dx * dx * dx;
    out.fluid_volume = d.fluid_cells * cell;
    const double c = dx / units_.dt();  // lattice to physical speed
    out.kinetic_energy = d.kinetic_energy * units_.density() * c * c * cell;
    if (wall_shape_) {
      out.wall_volume = wall_shape_->volume(wall_start_ + time());
      out.viscous_dissipation = viscous_dissipation();
    }
    for (std::size_t k = 0; k < d.iolet_flow.size(); ++k) {
      out.iolet_flow.push_back(units_.flow_to_physical(d.iolet_flow[k]));
      out.iolet_pressure.push_back(units_.density_to_pressure(d.iolet_density[k]));
    }
    if (moving_) {
      // An opening in a chamber's wall is approached from the side, where its slab sees part of
      // the flow: the mean of what crossed its links since the last diagnostics instead.
      if (link_steps_ > 0) {
        last_link_flow_.assign(link_flow_.size(), 0.0);
        for (std::size_t k = 0; k < link_flow_.size(); ++k)
          last_link_flow_[k] = units_.flow_to_physical(link_flow_[k] / double(link_steps_));
        link_flow_.assign(link_flow_.size(), 0.0);
        link_steps_ = 0;
      }
      for (std::size_t k = 0; k < last_link_flow_.size() && k < out.iolet_flow.size(); ++k)
        out.iolet_flow[k] = last_link_flow_[k];
    }
    out.iolet_boundary_pressure.assign(d.iolet_flow.size(),
                                       std::numeric_limits<double>::quiet_NaN());
    for (const auto& o : outlets_)
      if (engine_.iolets()[o.iolet].kind == IoletKind::PressureOutlet)
        out.iolet_boundary_pressure[o.iolet] = o.pressure;
    for (std::size_t k = 0; k < d.section_flow.size(); ++k) {
      out.section_flow.push_back(units_.flow_to_physical(d.section_flow[k]));
      out.section_pressure.push_back(units_.density_to_pressure(d.section_density[k]));
    }
    return out;
  }

  // W: 2 mu(gamma) S:S dx^3 over the fluid cells now, from the velocity gradient (one process:
  // a moving wall runs in one, check_moving_wall).
  double viscous_dissipation() {
    std::vector<double> rho, u;
    engine_.moments(rho, u);
    GridInfo now = grid_;  // the fluid where the wall is now
    std::vector<float> velocity(u.size(), 0.0f);
    for (std::size_t c = 0; c < rho.size(); ++c) {
      if (now.cell_type[c] != 1) continue;
      if (!engine_.lattice().is_fluid(std::int64_t(c))) {
        now.cell_type[c] = 0;
        continue;
      }
      for (int a = 0; a < 3; ++a)
        velocity[3 * c + a] = float(units_.velocity_to_physical(u[3 * c + a]));
    }
    // With LES, the eddy viscosity's share too: the resolved flow loses that energy to the
    // subgrid scales.
    return hemotwin::viscous_dissipation(now, velocity, [this](double gamma) {
      return effective_viscosity(case_, units_.dx(), gamma);
    });
  }

  FieldSnapshot snapshot() override {
    std::vector<double> rho, u;
    lattice_moments(rho, u);
    FieldSnapshot s;
    s.step = engine_.steps();
    s.time = time();
    if (rho.empty()) return s;  // split over processes: the fields are on rank 0
    s.velocity.resize(u.size());
    s.pressure.resize(rho.size());
    constexpr float nan = std::numeric_limits<float>::quiet_NaN();
    for (std::size_t c = 0; c < rho.size(); ++c) {
      if (grid_.cell_type[c] != 1) continue;
      if (moving_ && !engine_.lattice().is_fluid(std::int64_t(c))) {  // behind the wall now
        s.pressure[c] = nan;
        for (int a = 0; a < 3; ++a) s.velocity[3 * c + a] = nan;
        continue;
      }
      s.pressure[c] = float(units_.density_to_pressure(rho[c]));
      for (int a = 0; a < 3; ++a)
        s.velocity[3 * c + a] = float(units_.velocity_to_physical(u[3 * c + a]));
    }
    return s;
  }

  WallShearField wall_shear() override {
    if (!wall_ || moving_) wall_ = own_wall_points();  // a moving wall's are where it is now
    std::vector<double> rho, u;
    engine_.moments(rho, u);
    engine_.exchange_cells(u, 3);  // the samples near a cut lie in the halo
    for (auto& v : u) v = units_.velocity_to_physical(v);
    const auto rate = wall_shear_rate(engine_.lattice(), *wall_, u, units_.dx());
    WallShearField w;
    w.time = time();
    const auto& lat = engine_.lattice();
    w.point.resize(wall_->size());
    w.normal = wall_->normal;
    w.wss.resize(wall_->size());
    for (std::size_t k = 0; k < wall_->size(); ++k) {
      const auto ijk = lat.cell_coords(wall_->cell[k]);
      w.point[k] = lat.origin() + lat.dx() * (Vec3(ijk[0], ijk[1], ijk[2]) +
                                              wall_->distance[k] * wall_->normal[k]);
      w.wss[k] = viscosity_at(case_.blood, rate[k].norm()) * rate[k];
    }
    return engine_.subdomain() ? gather_wall_shear(*comm_, w, wall_key_) : w;
  }

  void lattice_moments(std::vector<double>& rho, std::vector<double>& u) override {
    engine_.moments(rho, u);
    rho = engine_.gather_cells(rho, 1);
    u = engine_.gather_cells(u, 3);
  }

  PopulationArray host_populations() override {
    if (engine_.subdomain())
      throw Error("the populations are split over " + std::to_string(comm_->size()) +
                  " processes: read the fields with lattice_moments() or snapshot(), or a "
                  "checkpoint's populations with state()");
    T* data = engine_.host_populations();
    if (!data)
      throw Error(
          "the populations live on the CUDA device: read them with lattice_moments() or "
          "snapshot(), or run on the CPU backend (case.backend = \"cpu\")");
    if (engine_.layout() != kernels::Layout::Plain)
      throw Error(
          "the AA streaming pattern stores populations swapped or at their neighbours: set "
          "case.streaming = \"two-lattice\" to view them");
    PopulationArray a;
    a.data = data;
    a.double_precision = std::is_same_v<T, double>;
    a.q_count = L::Q;
    a.bricks = engine_.lattice().brick_count();
    a.brick_size = brick_size;
    for (int q = 0; q < L::Q; ++q) a.directions.push_back({L::c[q][0], L::c[q][1], L::c[q][2]});
    return a;
  }

  void initialise(const std::vector<double>& rho, const std::vector<double>& u) override {
    const Subdomain* sub = engine_.subdomain();
    if (!sub) {
      engine_.initialise(rho, u);
    } else {  // the whole lattice's values: each rank takes its share's
      const std::int64_t n = std::int64_t(engine_.lattice().brick_count()) * brick_cells;
      std::vector<double> r(rho.empty() ? 0 : std::size_t(n)),
          v(u.empty() ? 0 : 3 * std::size_t(n));
      const std::size_t whole = grid_.cell_type.size();
      if ((!rho.empty() && rho.size() != whole) || (!u.empty() && u.size() != 3 * whole))
        throw Error("initialise: the whole lattice's values are needed on every process (" +
                    std::to_string(whole) + " cells)");
      for (std::int64_t c = 0; c < n; ++c) {
        const std::size_t g = std::size_t(sub->global_cell(c));
        if (!r.empty()) r[std::size_t(c)] = rho[g];
        for (std::size_t a = 0; a < 3 && !v.empty(); ++a) v[3 * std::size_t(c) + a] = u[3 * g + a];
      }
      engine_.initialise(r, v);
    }
    reset_link_flow();
    apply_time_dependence();
  }

  std::uint64_t lattice_hash() const override { return hash_; }
  int ranks() const override { return engine_.subdomain() ? comm_->size() : 1; }
  int rank() const override { return engine_.subdomain() ? comm_->rank() : 0; }

  SimulationState state() override {
    SimulationState s;
    s.step = engine_.steps();
    s.layout = int(engine_.layout());
    s.double_precision = std::is_same_v<T, double>;
    s.q_count = L::Q;
    const std::vector<T> f = engine_.gather_populations();  // rank 0's, when split
    s.populations.resize(f.size() * sizeof(T));
    std::memcpy(s.populations.data(), f.data(), s.populations.size());
    for (const auto& o : outlets_) {
      s.outlet_pressure.push_back(o.pressure);
      s.outlet_capacitor_pressure.push_back(o.windkessel
                                                ? o.windkessel->capacitor_pressure()
                                                : std::numeric_limits<double>::quiet_NaN());
    }
    s.valve_open.assign(valves_.diode_open.begin(), valves_.diode_open.end());
    s.lattice_hash = lattice_hash();
    return s;
  }

  void restore(const SimulationState& given) override {
    SimulationState shared;
    const SimulationState& s =
        engine_.subdomain() ? (shared = broadcast_state(*comm_, given)) : given;
    if (s.lattice_hash != lattice_hash())
      throw Error(
          "the checkpoint was taken on another lattice (its hash differs from this case's): "
          "resume with the case and geometry it was written with");
    if (s.q_count != L::Q)
      throw Error("the checkpoint holds D3Q" + std::to_string(s.q_count) +
                  " populations and this "
                  "case runs D3Q" +
                  std::to_string(L::Q) + ": set case.lattice as in its run");
    if (s.outlet_pressure.size() != outlets_.size() ||
        s.outlet_capacitor_pressure.size() != outlets_.size())
      throw Error("the checkpoint has " + std::to_string(s.outlet_pressure.size()) +
                  " outlets' state and this case " + std::to_string(outlets_.size()));
    if (!s.valve_open.empty() && s.valve_open.size() != valves_.timing.size())
      throw Error("the checkpoint has " + std::to_string(s.valve_open.size()) +
                  " valves' state and this case " + std::to_string(valves_.timing.size()));
    if (s.layout < 0 || s.layout > 2) throw Error("the checkpoint's population layout is unknown");
    const std::size_t elem = s.double_precision ? sizeof(double) : sizeof(float);
    if (s.populations.size() % elem != 0)
      throw Error("the checkpoint's populations are not a whole number of values");
    // Either precision: the other one's values are converted (within round-off, not bit for bit).
    std::vector<T> f(s.populations.size() / elem);
    if (s.double_precision == std::is_same_v<T, double>) {
      std::memcpy(f.data(), s.populations.data(), s.populations.size());
    } else if (s.double_precision) {
      const auto* d = reinterpret_cast<const double*>(s.populations.data());
      for (std::size_t i = 0; i < f.size(); ++i) f[i] = T(d[i]);
    } else {
      const auto* d = reinterpret_cast<const float*>(s.populations.data());
      for (std::size_t i = 0; i < f.size(); ++i) f[i] = T(d[i]);
    }
    engine_.restore_whole(f, kernels::Layout(s.layout), s.step);
    for (std::size_t k = 0; k < outlets_.size(); ++k) {
      outlets_[k].pressure = s.outlet_pressure[k];
      if (outlets_[k].windkessel)
        outlets_[k].windkessel->set_capacitor_pressure(s.outlet_capacitor_pressure[k]);
    }
    reset_link_flow();
    // A diode is where the run left it: a valve open on the pressure may be closed by the plan.
    valves_.start_diodes(time());
    if (!s.valve_open.empty())
      for (std::size_t k = 0; k < s.valve_open.size(); ++k)
        if (valves_.timing[k].diode) valves_.diode_open[k] = char(s.valve_open[k] != 0);
    apply_time_dependence();
  }

 private:
  // The valves' link flows start afresh (after initialise and restore: a resumed run's first
  // sample averages the steps since the restore).
  void reset_link_flow() {
    link_flow_.assign(engine_.iolets().size(), 0.0);
    last_link_flow_.clear();
    link_steps_ = 0;
  }

  // The wall points of this rank's own cells, found with the halo's links around them (the same
  // points, normals and distances as in one process).
  WallPoints own_wall_points() {
    WallPoints all = find_wall_points<L>(engine_.lattice(), engine_.share_links());
    const Subdomain* sub = engine_.subdomain();
    if (!sub) return all;
    const std::int64_t owned = std::int64_t(sub->owned_bricks) * brick_cells;
    WallPoints own;
    wall_key_.clear();
    for (std::size_t k = 0; k < all.size(); ++k) {
      if (all.cell[k] >= owned) continue;
      own.cell.push_back(all.cell[k]);
      own.normal.push_back(all.normal[k]);
      own.distance.push_back(all.distance[k]);
      wall_key_.push_back(sub->global_cell(all.cell[k]));
    }
    return own;
  }

  // Womersley inlets: the inflow's mean-velocity harmonics U_n (m/s), and for each velocity iolet
  // the profile of each harmonic over the profile coordinate, scaled so that the links deliver
  // U_n times the iolet's area (Engine::profile_weights).
  void build_womersley_profiles() {
    const auto& in = case_.inlet;
    constexpr int M = kernels::profile_samples;
    if (waveform_) {
      harmonics_ = waveform_->harmonics(kWomersleyHarmonics);
      for (auto& h : harmonics_) h /= inlet_area_;
      omega_ = 2 * std::numbers::pi / waveform_->period();
    } else {  // mean (1 + amplitude sin(w t)) = Re(mean + mean amplitude (-i) e^{i w t})
      harmonics_ = {in.mean_velocity, std::complex<double>(0, -in.mean_velocity * in.amplitude)};
      omega_ = 2 * std::numbers::pi / in.period;
    }
    const double nu = units_.viscosity();
    shapes_.assign(engine_.iolets().size(), {});
    share_.assign(engine_.iolets().size(), 1.0);
    for (const auto& o : outlets_)  // a flow split carries its share of the inflow out
      if (o.model == OutletModel::FlowSplit) share_[o.iolet] = -o.fraction * inlet_area_ / o.area;
    for (std::size_t k = 0; k < engine_.iolets().size(); ++k) {
      const auto& io = engine_.iolets()[k];
      if (!is_velocity_iolet(io.kind) || !(io.radius > 0)) continue;
      const auto& weights = engine_.profile_weights(k);
      const double area = std::numbers::pi * std::pow(io.radius / units_.dx(), 2);
      for (std::size_t n = 0; n < harmonics_.size(); ++n) {
        const double alpha = io.radius * std::sqrt(double(n) * omega_ / nu);
        std::vector<std::complex<double>> shape(M + 1);
        std::complex<double> flux = 0;
        for (int j = 0; j <= M; ++j) {
          shape[j] = womersley_shape(alpha, double(j) / M);
          flux += weights[j] * shape[j];
        }
        if (std::abs(flux) > 0)
          for (auto& v : shape) v *= area / flux;
        shapes_[k].push_back(std::move(shape));
      }
    }
  }

  // The Womersley table of iolet k at time t for mean velocity harmonics scaled by `factor`.
  void womersley_table(std::size_t k, double t, double factor, std::vector<double>& out) const {
    constexpr int M = kernels::profile_samples;
    out.assign(M + 1, 0.0);
    for (std::size_t n = 0; n < shapes_[k].size(); ++n) {
      const std::complex<double> c =
          factor * harmonics_[n] * std::polar(1.0, omega_ * double(n) * t);
      const auto& shape = shapes_[k][n];
      for (int j = 0; j <= M; ++j) out[j] += (c * shape[j]).real();
    }
    for (auto& v : out) v = units_.velocity_to_lattice(v);
  }

  // Resistance and Windkessel outlets: the flow that left through each in the step just taken
  // drives its ODE over that step; the pressure it gives holds for the next step.
  void couple_outlets() {
    if (coupled_.empty()) return;
    engine_.sample_iolets(coupled_, flow_scratch_, density_scratch_);
    std::size_t i = 0;
    for (auto& o : outlets_) {
      if (!o.windkessel) continue;
      o.pressure = o.windkessel->advance(units_.flow_to_physical(flow_scratch_[i]), units_.dt(),
                                         units_.density_to_pressure(density_scratch_[i]));
      ++i;
    }
  }

  // Diode valves: the pressure at each valve (its slab's mean) against its outlet's, and its
  // flow out of the chamber, from the step just taken.
  void step_diodes() {
    engine_.sample_iolets(valves_.iolet, valve_flow_, valve_density_);
    const std::size_t n = valves_.iolet.size();
    valve_inside_.resize(n);
    valve_outside_.assign(n, 0.0);
    valve_outflow_.resize(n);
    for (std::size_t k = 0; k < n; ++k) {
      valve_inside_[k] = units_.density_to_pressure(valve_density_[k]);
      valve_outflow_[k] = units_.flow_to_physical(valve_flow_[k]);
    }
    for (const auto& o : outlets_)  // each valve's outlet model holds the pressure beyond it
      for (std::size_t k = 0; k < n; ++k)
        if (o.iolet == valves_.iolet[k]) valve_outside_[k] = o.pressure;
    valves_.step_diodes(valve_inside_, valve_outside_, valve_outflow_);
  }

  void apply_time_dependence() {
    const double t = time();
    // A chamber's valves, as they are during the coming step.
    if (!valves_.iolet.empty()) {
      if (valves_.has_diodes()) step_diodes();
      engine_.set_iolets_open(valves_.open_now(engine_.iolets().size(), t + units_.dt()));
    }
    if (case_.driver == FlowDriver::Inlet) {
      const auto& in = case_.inlet;
      double u = waveform_
                     ? (*waveform_)(t) / inlet_area_
                     : in.mean_velocity *
                           (1.0 + in.amplitude * std::sin(2 * std::numbers::pi * t / in.period));
      if (in.ramp > 0 && t < in.ramp) u *= 0.5 * (1.0 - std::cos(std::numbers::pi * t / in.ramp));
      values_.assign(engine_.iolets().size(), 0.0);
      for (std::size_t k = 0; k < values_.size(); ++k)
        if (engine_.iolets()[k].kind == IoletKind::VelocityInlet)
          values_[k] = units_.velocity_to_lattice(u);
      const double inflow = u * inlet_area_;
      for (auto& o : outlets_) {
        if (o.model == OutletModel::FlowSplit) {
          // Along the inward normal: negative, the flow leaves.
          values_[o.iolet] = units_.velocity_to_lattice(-o.fraction * inflow / o.area);
          continue;
        }
        if (o.pressure_of) o.pressure = (*o.pressure_of)(t);
        values_[o.iolet] = units_.pressure_to_density(o.pressure);
      }
      if (shapes_.empty()) {
        engine_.set_iolet_values(values_);
      } else {
        const double ramp = in.ramp > 0 && t < in.ramp
                                ? 0.5 * (1.0 - std::cos(std::numbers::pi * t / in.ramp))
                                : 1.0;
        profiles_.resize(shapes_.size());
        for (std::size_t k = 0; k < shapes_.size(); ++k) {
          profiles_[k].clear();
          if (!shapes_[k].empty()) womersley_table(k, t, ramp * share_[k], profiles_[k]);
        }
        engine_.set_iolet_values(values_, profiles_);
      }
    } else {
      const auto& bf = case_.body_force;
      const double G =
          bf.gradient + bf.oscillation_amplitude * std::cos(2 * std::numbers::pi * t / bf.period);
      const double a = units_.acceleration_to_lattice(G / case_.blood.density);
      engine_.set_force(a * bf.direction.normalized());
    }
  }

  void check() {
    const auto d = engine_.diagnostics();
    constexpr double kMaxLatticeSpeed = 0.4;
    if (d.bad_cell < 0 && d.max_speed < kMaxLatticeSpeed) return;
    std::int64_t where = d.bad_cell;
    if (where < 0) {  // locate the fastest cell (only on failure)
      std::vector<double> rho, u;
      engine_.moments(rho, u);
      const Subdomain* sub = engine_.subdomain();
      const std::size_t own =
          sub ? std::size_t(sub->owned_bricks) * brick_cells : rho.size();  // not the halo
      double best = -1;
      where = std::numeric_limits<std::int64_t>::max();
      for (std::size_t c = 0; c < own; ++c) {
        const double s =
            u[3 * c] * u[3 * c] + u[3 * c + 1] * u[3 * c + 1] + u[3 * c + 2] * u[3 * c + 2];
        if (engine_.lattice().is_fluid(std::int64_t(c)) && s > best) {
          best = s;
          where = engine_.lattice().lattice_index(std::int64_t(c));
        }
      }
      if (sub) {  // the fastest over every rank (the first in the lattice's order on a tie)
        double fastest = best;
        comm_->max({&fastest, 1});
        if (best != fastest) where = std::numeric_limits<std::int64_t>::max();
        comm_->min({&where, 1});
      }
    }
    const Vec3 p = engine_.lattice().index_position(where) * 1e3;
    std::ostringstream s;
    s << "the run diverged at step " << engine_.steps() << " (t = " << time() << " s) near ("
      << p.x() << ", " << p.y() << ", " << p.z() << ") mm: "
      << (d.bad_cell >= 0 ? std::string("the density became NaN or infinite")
                          : "the lattice speed reached " + std::to_string(d.max_speed) + " (Mach " +
                                std::to_string(d.max_speed * std::sqrt(3.0)) + ")")
      << "; reduce time_step_s (now " << units_.dt()
      << " s), refine the lattice (cells_across_diameter), "
      << "lower the inflow, or raise the relaxation time (tau = " << units_.tau() << ")";
    throw DivergenceError(s.str());
  }

  Case case_;
  std::vector<std::string> notes_;
  Units units_;
  BackendKind backend_;
  std::string device_;
  std::shared_ptr<Communicator> comm_;  // before engine_, which is built with it
  Engine<T, L> engine_;
  GridInfo grid_;
  bool moving_ = false;  // a wall that moves along its normal (DomainSpec::moving_wall)
  std::shared_ptr<const MovingShape> wall_shape_;  // its shape; time wall_start_ at step 0
  double wall_start_ = 0;
  ChamberValves valves_;
  // step_diodes' samples and pressures, kept between steps (no allocation per step)
  std::vector<double> valve_flow_, valve_density_, valve_inside_, valve_outside_, valve_outflow_;
  std::vector<double> link_flow_, last_link_flow_;  // lattice units, summed over link_steps_
  std::int64_t link_steps_ = 0;
  std::vector<IoletInfo> iolets_;
  std::vector<SectionInfo> sections_;
  std::int64_t total_steps_ = 0;
  std::optional<Waveform> waveform_;  // the measured inflow, when the case gives one
  double inlet_area_ = 0;             // m^2, the velocity inlets' total
  std::vector<OutletState> outlets_;  // one per outlet, in iolet order
  std::vector<int> coupled_;          // iolets whose pressure follows their flow every step
  std::vector<double> values_, flow_scratch_, density_scratch_;
  static constexpr int kWomersleyHarmonics = 20;
  std::vector<std::complex<double>> harmonics_;  // Womersley: mean-velocity harmonics, m/s
  double omega_ = 0;                             // rad/s, of the first harmonic
  std::vector<std::vector<std::vector<std::complex<double>>>> shapes_;  // [iolet][n][sample]
  std::vector<double> share_;  // per iolet: its mean velocity over the inlets' (flow splits < 0)
  std::vector<std::vector<double>> profiles_;
  std::optional<WallPoints> wall_;      // found on first use: this rank's own
  std::vector<std::int64_t> wall_key_;  // split: each own wall point's cell in the whole lattice
  std::uint64_t hash_ = 0;              // lattice_hash()
};

}  // namespace

std::unique_ptr<Simulation> Simulation::create(const Case& c,
                                               std::shared_ptr<Communicator> communicator) {
  check_case(c);
  return create(c, make_domain(c), std::move(communicator));
}

std::unique_ptr<Simulation> Simulation::create(const Case& c_in, DomainSpec spec,
                                               std::shared_ptr<Communicator> communicator) {
  check_case(c_in);
  for (const auto& s : c_in.sections)
    spec.sections.push_back({s.name, s.point, s.normal.normalized(), s.radius});
  const std::string& file = c_in.source_file;
  Case c = c_in;
  const double in_area = inlet_area(spec);  // the velocity inlets' (outlets do not count)
  if (is_file_shape(c.geometry.shape) && c.inlet.flow_rate > 0) {
    const double area = in_area;
    if (!(area > 0))
      throw Error("a flow rate needs a velocity inlet with an area", file, "inlet.flow_rate_ml_s");
    c.inlet.mean_velocity = c.inlet.flow_rate / area;
  }
  std::optional<Waveform> inflow;  // built once: the spline solve grows with the samples
  if (!c.inlet.waveform_time.empty()) {
    if (c.inlet.waveform_time.size() != c.inlet.waveform_flow.size())
      throw Error("the inflow waveform needs as many times as flows", file, "inlet.waveform_file");
    const double area = in_area;
    if (!(area > 0))
      throw Error("an inflow waveform needs a velocity inlet with an area", file,
                  "inlet.waveform_file");
    try {
      inflow = inflow_waveform(c);
    } catch (const Error& e) {
      throw Error(e.message(), file, "inlet.waveform_file");
    }
    c.inlet.mean_velocity = inflow->mean() / area;  // reported as the mean
    c.inlet.amplitude = 0;
  }
  if (spec.iolets.empty() && c.driver == FlowDriver::Inlet)
    throw Error("the geometry has no inlet or outlet for an inlet-driven flow", file,
                "flow.driver");
  const bool moving = bool(spec.moving_wall.shape);
  ChamberValves valves;
  std::vector<std::string> moving_notes;
  if (moving) {
    check_moving_wall(c, communicator.get(), moving_notes);
    valves = detail::chamber_valves(c, spec, &moving_notes);
    // A valve's flow is its links' (the slabs see part of it), which the outlet models that
    // follow the flow (resistance, Windkessel, flow split) do not read yet.
    for (const auto& v : c.valves)
      if (outlet_spec(c, v.name).model != OutletModel::Pressure) {
        const bool named = std::any_of(c.outlets.begin(), c.outlets.end(),
                                       [&](const OutletSpec& o) { return o.name == v.name; });
        throw Error("valve '" + v.name + "' is a " + to_string(outlet_spec(c, v.name).model) +
                        " outlet; a chamber's valves take model = \"pressure\" for now (a fixed "
                        "pressure or a pressure waveform)",
                    file, named ? "outlets." + v.name + ".model" : "outlet.model");
      }
  }
  const double q_mean = inflow ? inflow->mean() : c.inlet.mean_velocity * in_area;
  double expected_pressure = 0;
  std::vector<std::string> notes;
  std::vector<OutletState> outlets = make_outlets(c, spec, q_mean, expected_pressure, notes);
  const double reference =
      std::isnan(c.reference_pressure) ? expected_pressure : c.reference_pressure;
  if (!std::isfinite(reference))
    throw Error("the reference pressure must be finite", file, "flow.reference_pressure_pa");

  BackendKind backend = c.backend;
  std::string device;
  if (backend == BackendKind::Auto)
    backend = cuda_device_available() ? BackendKind::Cuda : BackendKind::Cpu;
  if (backend == BackendKind::Cuda) {
    if (!cuda_device_available())
      throw Error("backend \"cuda\" was asked for but " + cuda_device_description() +
                      "; use backend = \"cpu\" or \"auto\"",
                  file, "case.backend");
    // One process per GPU: the node-local rank picks it.
    device = select_cuda_device(communicator ? communicator->node_rank() : 0);
  }
  if (backend == BackendKind::Cpu) {
    if (c.threads > 0) omp_set_num_threads(c.threads);
    device = "CPU, " + std::to_string(omp_get_max_threads()) + " OpenMP threads";
  }

  // The time step and tau checks hold for the smallest viscosity the blood takes.
  const double nu = min_viscosity(c.blood) / c.blood.density;
  std::string peak_note;
  const double peak = moving ? detail::chamber_peak_velocity(c, spec, valves, peak_note)
                             : peak_velocity_estimate(c, spec, inflow, outlets, peak_note);
  notes.insert(notes.begin(), peak_note);
  notes.insert(notes.end(), moving_notes.begin(), moving_notes.end());
  const double dt = c.time.time_step > 0
                        ? c.time.time_step
                        : Units::time_step_for_mach(spec.dx, peak, c.time.max_mach);
  if (moving) spec.moving_wall.time_step = dt;  // the shape's time is in seconds
  Units units(spec.dx, dt, c.blood.density, nu);
  units.set_reference_pressure(reference);
  // The collision's floor, as the stability map measured it at the run's Mach number.
  UnitsLimits limits;
  const double mach = units.velocity_to_lattice(peak) / std::sqrt(cs2);
  const StabilityFloor floor = stability_floor(c.collision, c.turbulence.smagorinsky, c.walls, mach,
                                               is_file_shape(c.geometry.shape));
  limits.min_tau = floor.tau;
  limits.min_tau_basis = floor.basis;
  try {
    units.check(peak, limits);
  } catch (const Error& e) {
    std::string message = e.message();
    if (units.tau() < limits.min_tau) message += collision_hint(c, units.tau(), mach);
    throw Error(message, file, e.key());
  }
  // Resistive outlets couple through the characteristic impedance of their cross-section
  // (outlets.hpp): stable whatever the resistance.
  const double sound_speed = spec.dx / (dt * std::sqrt(3.0));
  for (auto& o : outlets) {
    const IoletPlane& io = spec.iolets[std::size_t(o.iolet)];
    if (o.windkessel && io.radius > 0)
      o.windkessel->set_impedance(c.blood.density * sound_speed / iolet_area(io));
  }

  const bool dbl = c.precision == Precision::Double;
  const bool q27 = c.lattice == LatticeKind::D3Q27;
  // The one switch from run-time choices to template arguments.
  if (!dbl && !q27)
    return std::make_unique<SimulationImpl<float, D3Q19>>(c, backend, device, spec, units, inflow,
                                                          std::move(outlets), notes, communicator,
                                                          std::move(valves));
  if (dbl && !q27)
    return std::make_unique<SimulationImpl<double, D3Q19>>(c, backend, device, spec, units, inflow,
                                                           std::move(outlets), notes, communicator,
                                                           std::move(valves));
  if (!dbl && q27)
    return std::make_unique<SimulationImpl<float, D3Q27>>(c, backend, device, spec, units, inflow,
                                                          std::move(outlets), notes, communicator,
                                                          std::move(valves));
  return std::make_unique<SimulationImpl<double, D3Q27>>(c, backend, device, spec, units, inflow,
                                                         std::move(outlets), notes, communicator,
                                                         std::move(valves));
}

}  // namespace hemotwin
