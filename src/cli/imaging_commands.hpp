#pragma once
// `hemotwin phantom`, `hemotwin segment` and `hemotwin voxelize`: the scan side of the pipeline.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace hemotwin::cli {

/// "x,y,z" (or any n numbers separated by commas); throws Failure (usage) naming `what`.
std::vector<double> numbers(const std::string& text, std::size_t n, const std::string& what);

struct PhantomOptions {
  std::string kind;             // straight, curved, stenosis, aneurysm, carotid
  std::string output;           // directory
  std::string modality = "ct";  // ct, mr
  double spacing = 0;           // mm; 0: the kind's (0.4 for a vessel, 1.0 for a cine ventricle)
  double severity = 0.5;        // stenosis, carotid
  double noise = -1;            // -1: the modality's default
  double blur = 0.5;            // mm
  unsigned seed = 1;
  double sac_radius = 4.0;  // aneurysm, mm
  std::string rotate;       // "DEG,AX,AY,AZ": the patient turned about an axis through the origin
  std::string translate;    // "X,Y,Z" mm: and then moved
  // ventricle: the beating left ventricle as phase surfaces and a chamber case
  double edv = 120;              // mL
  double ef = 0.6;               // ejection fraction
  double period = 0.8;           // s
  int phases = 16;               // surfaces over the cycle
  double lattice_spacing = 1.5;  // mm, the case's
  double viscosity = 0.0035;     // Pa s, the case's blood
  int cycles = 3;                // the case's beats
  bool cine = false;             // and a cine CT: one scan per phase
};

/// `hemotwin phantom ventricle` (ventricle_phantom.cpp).
int ventricle_phantom_command(const PhantomOptions& o);

struct SegmentOptions {
  std::string scan;
  std::string output;              // label map file
  std::vector<std::string> seeds;  // "x,y,z" in mm (LPS)
  double lower = 0, upper = 0;
  bool has_lower = false, has_upper = false;
  std::string roi;  // "x0,y0,z0,x1,y1,z1"
  int series = -1;
  int smoothing = 5;
  std::string reference;             // a label map to score against (Dice, surface distance)
  std::string method = "threshold";  // or "vesselness" (Frangi), "sato"
  double vesselness_level = 0.05;
  double sigma_min = 0.3, sigma_max = 2.0;  // mm
  bool level_set = false;
  std::vector<std::string> barriers;  // "x,y,z,nx,ny,nz,r"
  std::string surface;                // wall surface to write (.vtp, .stl)
  double surface_sigma = 0;
  int surface_smoothing = 20;
};

struct VoxelizeOptions {
  std::string input;   // a surface (.stl, .vtp, ...) or a label map (.nrrd, .nii.gz, ...)
  std::string output;  // directory; empty: report only
  double spacing = 0;  // mm; 0: from cells_across
  double cells_across = 20;
  double extension = 0;
  std::vector<std::string> inlets;
  std::vector<std::string> cuts;  // "x,y,z,nx,ny,nz"
  int label = 0;
  double sigma = 0;  // mm, label maps
};

/// `hemotwin track` (track_command.cpp): a chamber's wall through a cine scan.
struct TrackOptions {
  std::vector<std::string> frames;  // the cine scan's frames, in the cycle's order
  std::string wall;                 // the wall segmented on the reference frame (a surface)
  std::string output;               // the surface series to write (.vtp)
  int reference = 1;                // counted from 1
  double period = 0;                // s
  int levels = 3, iterations = 200;
  double smoothing = 1.5;  // voxels
};
CLI::App* add_track_command(CLI::App& app, TrackOptions& o);
int track_command(const TrackOptions& o);

CLI::App* add_phantom_command(CLI::App& app, PhantomOptions& o);
CLI::App* add_segment_command(CLI::App& app, SegmentOptions& o);
CLI::App* add_voxelize_command(CLI::App& app, VoxelizeOptions& o);
int voxelize_command(const VoxelizeOptions& o);
int phantom_command(const PhantomOptions& o);
int segment_command(const SegmentOptions& o);

}  // namespace hemotwin::cli
