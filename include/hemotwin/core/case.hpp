#pragma once
// The typed parameter table of a run, in physical SI units. The io layer fills it from a TOML case
// file (hemotwin/io/case_file.hpp); C++ and Python users may fill it directly. Every field has the
// default a case file gets when it leaves the key out (docs/case-file.md).
#include <Eigen/Core>
#include <array>
#include <limits>
#include <string>
#include <vector>

#include "hemotwin/core/lattice.hpp"

namespace hemotwin {

enum class BackendKind { Auto, Cpu, Cuda };
/// Bgk, Trt and Regularized (projected, Latt & Chopard 2006) on D3Q19 and D3Q27; Cumulant
/// (Geier et al. 2015/2017, core/cumulant.hpp) and Kbc (entropic, Karlin, Bösch & Chikatamarla
/// 2014, core/kbc.hpp) on D3Q27 only.
enum class CollisionModel { Bgk, Trt, Regularized, Cumulant, Kbc };
/// Whether the model is defined only on D3Q27.
inline bool needs_d3q27(CollisionModel m) {
  return m == CollisionModel::Cumulant || m == CollisionModel::Kbc;
}
enum class WallMethod { BounceBack, Bouzidi };
/// Analytic shapes (box, channel, pipes) are built by the core; file geometries (a surface, a label
/// map, a scan to segment, a chamber's moving wall as a series of surfaces) by
/// hemotwin::imaging::prepare_geometry, which the CLI and Python call.
enum class ShapeKind { Box, Channel, Pipe, StenosedPipe, Surface, LabelMap, Scan, SurfaceSeries };
inline bool is_file_shape(ShapeKind s) {
  return s == ShapeKind::Surface || s == ShapeKind::LabelMap || s == ShapeKind::Scan ||
         s == ShapeKind::SurfaceSeries;
}
/// Womersley: each harmonic of the inflow (of the waveform, or of the sinusoidal pulsation) gets
/// Womersley's profile for its frequency (steady flow: the parabola).
enum class InletProfile { Parabolic, Plug, Womersley };
enum class FlowDriver { Inlet, BodyForce };
/// How populations stream: the two-lattice pull (two arrays; the reference) or the AA pattern (one
/// array updated in place: half the memory). Auto takes the faster, as measured
/// (docs/performance.md): on the CPU AA once the two-lattice arrays exceed 64 MiB and two-lattice
/// below; on CUDA two-lattice (19.0 against 14.9 GLUPS on an H100).
enum class StreamingScheme { Auto, TwoLattice, AaPattern };

struct GeometrySpec {
  ShapeKind shape = ShapeKind::Pipe;
  // Pipe and stenosed pipe: a straight tube from `origin` along `axis` (need not be a grid axis).
  Eigen::Vector3d origin{0, 0, 0};  // m, centre of the inlet plane
  Eigen::Vector3d axis{1, 0, 0};    // normalised on use
  double length = 0.05;             // m
  double diameter = 0.004;          // m; channel: the gap between the plates
  // Stenosis: cosine-shaped narrowing, `severity` = 1 - d_min/d (diameter reduction, 0..0.95).
  double stenosis_severity = 0.5;
  double stenosis_length = 0.01;     // m, along the axis
  double stenosis_position = 0.025;  // m, distance of the throat from the inlet plane
  // Box and channel: the extent of the domain (channel: gap along `axis`, the plate normal).
  Eigen::Vector3d size{0.01, 0.01, 0.01};  // m
  // Resolution: cells across the diameter (pipe), the gap (channel), the shortest box edge, or
  // the largest inlet's effective diameter (file geometries, unless `spacing` is set).
  double cells_across = 20;

  // File geometries. The file holds LPS millimetres; a relative path is taken from the case
  // file's folder. Its open ends (a surface's boundary loops; where a label map or segmented
  // lumen meets the scan's edge or the region of interest) become the inlets and outlets,
  // named opening1, opening2, ... by decreasing area.
  std::string file;
  double file_unit = 1;             // mm per coordinate unit of a surface file (1, 10 or 1000)
  double spacing = 0;               // m, lattice spacing; 0: from cells_across
  double extension = 0;             // flow extensions at every opening, in its diameters
  std::vector<std::string> inlets;  // openings that are velocity inlets; empty: the largest
  // Planes that cut the wall open (point in the lumen, normal towards the part to remove): an
  // opening where the user wants one, e.g. where a label map's vessel ends inside the scan.
  std::vector<Eigen::Vector3d> cut_points;  // m, LPS
  std::vector<Eigen::Vector3d> cut_normals;
  /// Label maps and scans: > 0 opens each vessel where it leaves the grid (or region of interest)
  /// with a cut across it, perpendicular to its centerline, this many of its radii in; 0: the
  /// openings are where the grid's faces cut the lumen.
  double trim_radii = 0;
  /// Label maps and scans: side branches thinner than this (m, radius) are taken out of the
  /// lumen instead of opened as outlets; 0 keeps every branch.
  double min_branch_radius = 0;
  int label = 0;         // label map: the lumen's label; 0: every non-zero label
  double smoothing = 0;  // m, Gaussian sigma on the lumen mask; 0: half a voxel
  // Scan: threshold + connected component from seeds (hemotwin::imaging::threshold_connected).
  std::vector<Eigen::Vector3d> seeds;  // m, LPS
  bool has_lower = false, has_upper = false;
  double lower = 0, upper = 0;  // intensity range; unset: from the seeds and background
  bool has_roi = false;
  Eigen::Vector3d roi_min{0, 0, 0}, roi_max{0, 0, 0};  // m, LPS: the scan is cut to this box
  int smoothing_iterations = 5;    // curvature-flow iterations before the threshold
  bool vesselness = false;         // thin vessels: grow on multiscale vesselness instead
  bool sato = false;               // vesselness by Sato's line filter instead of Frangi's
  double vesselness_level = 0.05;  // 0..1 of the strongest response
  double sigma_min = 0.3e-3, sigma_max = 2e-3;  // m, the vesselness scales
  bool level_set = false;     // refine the segmentation with a threshold level set
  double barrier_radius = 0;  // m; > 0: each cut is also a disc the region may not grow through
  int series = -1;            // DICOM folder with several series: which one

  // Surface series: a chamber whose closed wall moves through a cycle (hemotwin::SurfaceSeries),
  // from one surface file per phase (in cycle order, evenly spread over the period), or from
  // `file`, one .vtp with a displacement array per phase. Its openings are the case's valves.
  std::vector<std::string> phase_files;
  // Or from a cine (4D) scan: one file per frame (in cycle order, evenly spread over the period),
  // the wall segmented on frame `cine_reference` (from 1) as `segmentation` says and carried
  // onto the others by deformable registration (hemotwin::imaging::track_wall).
  std::vector<std::string> cine_frames;
  int cine_reference = 1;
  double period = 0;       // s, the wall's cycle (time.cycles counts by it)
  int relink_every = 4;    // steps between relinks of the moving wall
  int phase_samples = 64;  // phases sampled for the lattice's bricks and the relinked band
};

/// When a valve opens: at given phases of the cycle, or with the wall's volume — while the
/// chamber fills (from the wall's smallest volume to its largest: a mitral or tricuspid valve) or
/// while it ejects (from the largest to the smallest: an aortic or pulmonary valve), as ideal
/// valves would open on the pressure across them where the wall's motion is prescribed.
enum class ValveTiming { Phases, Filling, Ejection };

/// A valve of a chamber (geometry.shape = "surface_series"): a round opening in its wall through
/// which blood flows when it is open, as a pressure outlet whose model [outlets.NAME] sets. With
/// ValveTiming::Phases it is open from `opens_at` to `closes_at` (fractions of the cycle from the
/// first phase; closes_at < opens_at: open across the cycle's end); otherwise the run derives
/// them from the wall's volume (detail::chamber_valves).
struct ValveSpec {
  std::string name;
  Eigen::Vector3d point{0, 0, 0};   // m, LPS: the opening's centre, on the chamber's wall
  Eigen::Vector3d normal{0, 0, 1};  // out of the chamber
  double radius = 0;                // m
  ValveTiming timing = ValveTiming::Phases;
  double opens_at = 0, closes_at = 1;
  /// An ideal diode (with Filling or Ejection, which give its direction): during the run it opens
  /// when the pressure across it pushes blood its way (into the chamber while it fills, out while
  /// it ejects) and closes when its flow turns back, rather than on the wall's volume; the
  /// volume's timing still plans the run (the expected jet, its first state).
  bool diode = false;
  /// Whether the valve is open at `phase` (0 to 1 of the cycle).
  bool open_at(double phase) const {
    return opens_at <= closes_at ? phase >= opens_at && phase < closes_at
                                 : phase >= opens_at || phase < closes_at;
  }
};

/// Blood's viscosity as a function of the shear rate (docs/case-file.md, [blood]).
enum class RheologyModel { Newtonian, CarreauYasuda, Casson, PowerLaw };

struct BloodSpec {
  double density = 1060.0;    // kg/m^3
  double viscosity = 0.0035;  // Pa s (dynamic): the Newtonian viscosity
  RheologyModel model = RheologyModel::Newtonian;
  // Carreau-Yasuda, mu = mu_inf + (mu_0 - mu_inf) (1 + (lambda gamma)^a)^((n - 1) / a); the
  // defaults are Cho & Kensey's fit to whole blood (Biorheology 28:241, 1991).
  double zero_shear_viscosity = 0.056;        // Pa s, mu_0
  double infinite_shear_viscosity = 0.00345;  // Pa s, mu_inf
  double relaxation_time = 3.313;             // s, lambda
  double yasuda_exponent = 2.0;               // a
  double power_index = 0.3568;                // n (also the power law's)
  // Power law, mu = k gamma^(n - 1); Casson, sqrt(mu) = sqrt(tau_y / gamma) + sqrt(mu_c).
  double consistency = 0.017;        // Pa s^n, k
  double yield_stress = 0.004;       // Pa, tau_y
  double casson_viscosity = 0.0035;  // Pa s, mu_c
  // Power law and Casson diverge at rest: the viscosity is kept within these (Pa s).
  double min_viscosity = 0.00345, max_viscosity = 0.056;
};

/// Large-eddy simulation: Smagorinsky's eddy viscosity (C_s Delta)^2 |S|, Delta the cell size.
struct TurbulenceSpec {
  bool smagorinsky = false;
  double constant = 0.1;  // C_s
};

struct InletSpec {
  InletProfile profile = InletProfile::Parabolic;
  double mean_velocity = 0.2;  // m/s, cycle-mean of the cross-section mean velocity
  double flow_rate = 0;    // m^3/s; file geometries: > 0 sets mean_velocity from the inlets' area
  double amplitude = 0.0;  // relative amplitude of a sinusoidal pulsation (0 = steady)
  double period = 1.0;     // s
  double ramp = 0.0;       // s, start-up ramp (half-cosine)
  // A measured inflow Q(t), m^3/s, over one cycle of `period` (times from 0): when set it drives
  // the velocity inlets (periodic cubic spline, divided by their total area) instead of
  // mean_velocity and amplitude. The io layer fills it from inlet.waveform_file.
  std::string waveform_file;
  double waveform_scale = 1.0;  // file units to m^3/s (1e-6 for mL/s)
  std::vector<double> waveform_time, waveform_flow;
};

/// What sets an outlet's pressure (or flow).
///  - Pressure: a fixed pressure, or a pressure waveform over the cardiac cycle;
///  - Resistance: P = P_d + R Q, with Q the outlet's flow, every step;
///  - Windkessel: three-element RCR, C dP_c/dt = Q - (P_c - P_d)/R2 and P = P_c + R1 Q, every step;
///  - FlowSplit: the outflow is a fixed fraction of the inflow (a velocity outlet).
enum class OutletModel { Pressure, Resistance, Windkessel, FlowSplit };

struct OutletSpec {
  std::string name;  // the outlet it applies to ("outlet0", "opening2", ...); "" for the default
  OutletModel model = OutletModel::Pressure;
  double pressure = 0.0;  // Pa, gauge: the outlet pressure (Pressure), the distal pressure P_d
                          // (Resistance, Windkessel)
  // A time-varying pressure P(t), Pa, over one cycle of inlet.period (Pressure model); the io
  // layer fills it from pressure_file.
  std::string pressure_file;
  std::vector<double> pressure_time, pressure_value;
  double resistance = 0;         // Pa s/m^3: R (Resistance) or the proximal R1 (Windkessel)
  double distal_resistance = 0;  // Pa s/m^3: R2 (Windkessel)
  double compliance = 0;         // m^3/Pa: C (Windkessel)
  double flow_fraction = 0;      // FlowSplit: the outlet's share of the inflow, (0, 1)
  // Windkessel from the whole outflow's: every outlet whose settings give total_resistance > 0
  // gets R1 + R2 = R_total / s and C = C_total s, with s its share r^n / sum r^n of those outlets'
  // flow by Murray's law (r the opening's effective radius, n = murray_exponent), and R1 the
  // proximal_fraction of R1 + R2. Replaces r1, r2 and compliance.
  double total_resistance = 0;     // Pa s/m^3, of those outlets in parallel; 0: not used
  double total_compliance = 0;     // m^3/Pa, of those outlets together
  double proximal_fraction = 0.1;  // R1 / (R1 + R2)
  double murray_exponent = 3;      // flow share ~ radius^n (3: Murray's law; 2: by area)
  // A sponge layer inside the outlet plane (not FlowSplit): its depth in outlet diameters (0:
  // none) and the viscosity at the plane over the fluid's (IoletPlane::sponge_length).
  double sponge_diameters = 0;
  double sponge_viscosity_ratio = 10;
};

struct BodyForceSpec {
  // Driving pressure gradient -dp/dx along the flow direction (Pa/m): steady part and the amplitude
  // of a cosine oscillation of the given period (Womersley flow).
  double gradient = 0.0;
  double oscillation_amplitude = 0.0;
  double period = 1.0;
  Eigen::Vector3d direction{1, 0, 0};
};

struct TimeSpec {
  double time_step = 0.0;  // s; 0 = derived from `max_mach` and the expected peak velocity
  double max_mach = 0.1;   // used when time_step is 0
  double duration = 0.1;   // s
  // Cardiac cycles: > 0 runs this many periods of the inflow (duration = cycles x period), and
  // run_case reports each cycle's change from the one before.
  int cycles = 0;
  double cycle_tolerance = 0;  // > 0: stop once a cycle changes less than this (relative)
};

struct OutputSpec {
  std::string directory = "results";
  double interval = 0.0;  // s between field outputs; 0 = only the final state
  bool hdf5 = true;
  bool vti = false;
  /// The wall shear stress of every sample in the averaging window (results.h5
  /// /wall/wss_series), from which analysis recomputes TAWSS, OSI, RRT, ECAP and peak-systolic
  /// WSS. Held in memory until the end: 12 bytes per wall point per sample.
  bool wall_series = true;
  /// Q and lambda2 (flow_fields.hpp) with every field snapshot (results.h5 and .vti).
  bool vortex_fields = true;
  int check_every = 100;  // steps between divergence checks and iolet samples
  /// Checkpoints (into `<directory>.checkpoint/`): every so many simulated seconds, and every so
  /// many seconds of wall-clock time; 0 = never.
  double checkpoint_interval = 0.0;
  double checkpoint_wall_interval = 0.0;
};

/// A measurement section: flow and mean pressure sampled there with the iolets' (they go to the
/// results as the iolets' do); the pressure drop and virtual FFR are taken between two of them.
struct SectionSpec {
  std::string name;
  Eigen::Vector3d point{0, 0, 0};   // m, on the plane, inside the vessel
  Eigen::Vector3d normal{1, 0, 0};  // the flow direction that counts positive
  double radius = 0;                // m: the fluid within this distance of the point's line; 0 all
};

struct Case {
  std::string name = "case";
  std::string source_file;  // the case file this came from, if any (for messages)
  std::string source_text;  // the case as run, stored in the results file
  BackendKind backend = BackendKind::Auto;
  Precision precision = Precision::Float;
  LatticeKind lattice = LatticeKind::D3Q19;
  StreamingScheme streaming = StreamingScheme::Auto;
  CollisionModel collision = CollisionModel::Trt;
  double trt_magic = 3.0 / 16.0;
  WallMethod walls = WallMethod::Bouzidi;
  FlowDriver driver = FlowDriver::Inlet;
  GeometrySpec geometry;
  BloodSpec blood;
  TurbulenceSpec turbulence;
  InletSpec inlet;
  OutletSpec outlet;                // every outlet not named in `outlets`
  std::vector<OutletSpec> outlets;  // outlets set one by one, by name
  // Pa, gauge: the pressure that lattice density 1 stands for. Lattice-Boltzmann pressure is a
  // density deviation, accurate while small, so runs against Windkessel pressures of 100 mmHg
  // work around such a reference. NaN: the mean outlet pressure expected at the mean inflow
  // (Simulation::create estimates it from the outlet models).
  double reference_pressure = std::numeric_limits<double>::quiet_NaN();
  std::vector<SectionSpec> sections;  // measurement sections (a case file's in name order)
  std::vector<ValveSpec> valves;      // a chamber's valves (a case file's in name order)
  BodyForceSpec body_force;
  TimeSpec time;
  OutputSpec output;
  int threads = 0;  // OpenMP threads; 0 = OpenMP's default
};

const char* to_string(BackendKind);
const char* to_string(CollisionModel);
const char* to_string(WallMethod);
const char* to_string(ShapeKind);
const char* to_string(InletProfile);
const char* to_string(FlowDriver);
const char* to_string(OutletModel);
const char* to_string(RheologyModel);

/// The smallest viscosity the blood model takes (Pa s): what the time step and relaxation time
/// must allow.
double min_viscosity(const BloodSpec& b);
/// The largest (Pa s): bounds the local relaxation time.
double max_viscosity(const BloodSpec& b);
/// The blood's dynamic viscosity (Pa s) at shear rate `gamma` (1/s), within its bounds.
double viscosity_at(const BloodSpec& b, double gamma);
/// The viscosity (Pa s) the flow of case `c` feels at shear rate `gamma` (1/s) on a lattice of
/// spacing `dx` (m): the blood's, plus with LES Smagorinsky's eddy viscosity rho (C_s dx)^2 gamma
/// (the engine's, from the same shear rate): what dissipates the resolved flow's energy.
double effective_viscosity(const Case& c, double dx, double gamma);

/// The outlet settings that apply to outlet `name`: its entry in c.outlets, else c.outlet.
const OutletSpec& outlet_spec(const Case& c, const std::string& name);
const char* to_string(StreamingScheme);
const char* to_string(Precision);
const char* to_string(LatticeKind);

}  // namespace hemotwin
