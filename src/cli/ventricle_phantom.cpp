// `hemotwin phantom ventricle`: the beating left-ventricle phantom as a chamber case — the
// cavity's wall at each phase of the cycle as a surface file (as a 4D scan's segmentation gives
// them), and a case that runs it with its mitral and aortic valves (geometry.shape =
// "surface_series", docs/case-file.md); with --cine, the cine CT a scanner would take of it.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "failure.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/geometry/chamber_phantom.hpp"
#include "hemotwin/geometry/surface_shape.hpp"
#include "hemotwin/imaging/image_io.hpp"
#include "hemotwin/imaging/phantom.hpp"
#include "hemotwin/io/case_file.hpp"
#include "hemotwin/io/output_dir.hpp"
#include "imaging_commands.hpp"

namespace fs = std::filesystem;

namespace hemotwin::cli {
namespace {

// The phantom's proportions (mm) at the end-diastolic volume of its mesh, 40.8 mL: 36 mm from
// the base to the ellipsoid's centre, 18 mm across, the base at half the long semi-axis; the
// valves side by side on the base as tests/imaging/test_chamber_case.cpp runs them. At an
// ejection fraction of 60 % they reach the base's rim at end-systole.
constexpr double kA = 36, kB = 18, kBeta = 0.5;
// Why the case halves the time step's Mach number (measured at 1.5 mm, EDV 40 mL: at 0.1 the
// mitral inflow swings +-200 mL/s at ~135 Hz through the E wave and the kinetic energy peaks at
// 42 mJ; at 0.05 the inflow is smooth and it peaks at 19 mJ).
constexpr const char* kMachNote =
    "# Half the usual Mach number: at 0.1 the lattice's sound speed, ten times the expected jet\n"
    "# (35 m/s at 40 mL), puts the chamber's Helmholtz resonance through the mitral opening\n"
    "# (~130 Hz) where the filling jet sheds, and the jet sets it ringing (tens of mmHg, the\n"
    "# kinetic energy doubled).\n";
struct ValvePlace {
  const char* name;
  double x, radius;
};
constexpr ValvePlace kMitral{"mitral", -5.7, 4.8}, kAortic{"aortic", 5.55, 4.5};

// The cine CT: each phase's cavity rendered on one grid (end-diastole's, the largest), the
// blood pool bright with contrast in uniform tissue (a static texture would pin a registration's
// field outside the moving wall, which the myocardium does not do), each frame with its own
// noise.
void write_cine(const SurfaceSeries& series, const PhantomOptions& o, io::OutputDir& dir) {
  imaging::RenderOptions r;
  r.spacing = Vec3::Constant(o.spacing > 0 ? o.spacing : 1.0);
  r.margin = 8;
  r.noise_sigma = o.noise >= 0 ? o.noise : 20;
  r.blur_sigma = o.blur;
  for (std::size_t k = 0; k < series.phase_count(); ++k) {
    r.seed = o.seed + unsigned(k);
    const imaging::Phantom p = imaging::render(SurfaceShape(series.mesh_at(series.times()[k])), r);
    r.grid = p.image.grid;
    char name[48];
    std::snprintf(name, sizeof name, "frame_%02d.nii.gz", int(k));
    imaging::write_image(p.image, dir.staged(name));
  }
  const Grid& g = r.grid;
  std::printf("cine CT   %zu frames of %d x %d x %d voxels of %.3g mm, %s/frame_00.nii.gz ...\n",
              series.phase_count(), g.size[0], g.size[1], g.size[2], g.spacing[0],
              o.output.c_str());
}

}  // namespace

int ventricle_phantom_command(const PhantomOptions& o) {
  VolumeCurve curve;
  curve.period = o.period;
  curve.end_diastolic = o.edv;
  curve.end_systolic = o.edv * (1 - o.ef);
  const TriangleMesh unit = prolate_cavity_mesh(kA, kB, kBeta, 16, 32);
  const double s = std::cbrt(o.edv * 1e3 / unit.signed_volume());  // mm^3 per mL
  const ProlateChamber lv(Vec3::Zero(), Vec3::UnitZ(), s * kA, s * kB, kBeta, curve);
  const auto series =
      prolate_series(lv, prolate_cavity_mesh(s * kA, s * kB, kBeta, 16, 32), o.phases);

  // Everything is written into a staging folder and moved into place whole.
  io::OutputDir dir(o.output, "ventricle.toml");
  std::string files;
  for (int k = 0; k < o.phases; ++k) {
    char name[32];
    std::snprintf(name, sizeof name, "lv_%02d.vtp", k);
    write_surface(series->mesh_at(series->times()[std::size_t(k)]), dir.staged(name));
    files += std::string(k ? ", " : "") + "\"" + name + "\"";
  }
  if (o.cine) write_cine(*series, o, dir);
  // The valves open with the wall's volume: the mitral while the chamber fills, the aortic while
  // it ejects. Fixed phases (the curve's isovolumic intervals) would close both while the spline
  // through the phases still changes the volume by a few per cent of its fastest rate: the
  // lattice's fluid, compressible at its sound speed (tens of m/s), then builds tens of mmHg that
  // ring through the opening valve.
  std::ostringstream c;
  c.precision(6);
  c << "# The left-ventricle phantom of `hemotwin phantom ventricle`: EDV " << o.edv << " mL, EF "
    << o.ef << ", a " << o.period << " s beat, " << o.phases
    << " phase surfaces.\n[case]\nname = \"ventricle\"\n\n[geometry]\nshape = \"surface_series\"\n"
    << "phase_files = [" << files << "]\nperiod_s = " << o.period
    << "\nspacing_mm = " << o.lattice_spacing
    << "\n# At Mach 0.05 the wall moves under 0.005 cells in 8 steps.\nrelink_every = 8"
    << "\n\n[blood]\nviscosity_pa_s = " << o.viscosity
    << "\n\n# The jets through the valves reach metres per second: at blood's viscosity the "
       "lattice\n"
    << "# resolves them only with a subgrid model.\n[turbulence]\nmodel = \"smagorinsky\"\n\n";
  for (const auto& [v, during] : {std::pair{kMitral, "filling"}, std::pair{kAortic, "ejection"}})
    c << "[valves." << v.name << "]\npoint_mm = [" << s * v.x
      << ", 0, 0]\nnormal = [0, 0, 1]\nradius_mm = " << s * v.radius << "\nopen_during = \""
      << during << "\"\n\n";
  c << "[time]\ncycles = " << o.cycles << "\n"
    << kMachNote << "max_mach = 0.05\n\n[output]\ninterval_s = " << o.period / 8 << "\n";
  dir.write_file("ventricle.toml", c.str());
  // The case must load as written (its phase files from the staging folder).
  std::vector<std::string> notes;
  const Case loaded = io::load_case(dir.staged("ventricle.toml"), {}, &notes);
  dir.commit();

  std::printf("phantom   ventricle: EDV %.4g mL, ESV %.4g mL (EF %.3g), a %.4g s beat\n", o.edv,
              curve.end_systolic, o.ef, o.period);
  std::printf("surfaces  %d phases, %s/lv_00.vtp ... (wall moved by the volume curve)\n", o.phases,
              o.output.c_str());
  for (const auto& v : loaded.valves)
    std::printf("valve     %-7s radius %.3g mm, open while the chamber %s\n", v.name.c_str(),
                v.radius * 1e3, v.timing == ValveTiming::Filling ? "fills" : "ejects");
  std::printf("case      %s   (hemotwin run %s)\n", (fs::path(o.output) / "ventricle.toml").c_str(),
              (fs::path(o.output) / "ventricle.toml").c_str());
  return exit_ok;
}

}  // namespace hemotwin::cli
