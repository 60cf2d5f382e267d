// `hemotwin phantom` writes a synthetic angiogram and its exact label map; `hemotwin segment`
// turns a scan into a label map from seed points. Input problems exit with code 2, failures to
// write with 1 (failure.hpp).
#include "imaging_commands.hpp"

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "failure.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/imaging/image_io.hpp"
#include "hemotwin/imaging/phantom.hpp"
#include "hemotwin/imaging/segment.hpp"

namespace fs = std::filesystem;

namespace hemotwin::cli {
using namespace hemotwin::imaging;

namespace {

// "x,y,z" (or with n numbers) in mm.
std::vector<double> numbers(const std::string& text, std::size_t n, const std::string& what) {
  std::vector<double> v;
  std::stringstream s(text);
  std::string item;
  while (std::getline(s, item, ',')) {
    try {
      std::size_t used = 0;
      v.push_back(std::stod(item, &used));
      if (used != item.size()) throw std::invalid_argument(item);
    } catch (const std::exception&) {
      throw Failure(exit_usage, what + " '" + text + "': '" + item +
                                    "' is not a number; expected " + std::to_string(n) +
                                    " numbers separated by commas, in mm");
    }
  }
  if (v.size() != n)
    throw Failure(exit_usage, what + " '" + text + "': expected " + std::to_string(n) +
                                  " numbers separated by commas (mm), got " +
                                  std::to_string(v.size()));
  return v;
}

std::string point_text(const Vec3& p) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.2f,%.2f,%.2f", p[0], p[1], p[2]);
  return buf;
}

// Runs `f`; a library error there is about the input: exit code 2.
template <class F>
auto input_stage(F&& f) {
  try {
    return f();
  } catch (const Error& e) {
    throw Failure(exit_usage, e.what());
  }
}
}  // namespace

CLI::App* add_phantom_command(CLI::App& app, PhantomOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "phantom", "Write a synthetic CT or MR angiogram of a vessel and its exact label map");
  cmd->add_option("kind", o.kind, "straight, curved, stenosis, aneurysm or carotid")
      ->required()
      ->check(CLI::IsMember({"straight", "curved", "stenosis", "aneurysm", "carotid"}));
  cmd->add_option("-o,--output", o.output, "Directory for scan.nii.gz and labels.nrrd")
      ->required()
      ->type_name("DIR");
  cmd->add_option("--modality", o.modality, "ct or mr")->check(CLI::IsMember({"ct", "mr"}));
  cmd->add_option("--spacing", o.spacing, "Voxel size, mm")->check(CLI::Range(0.05, 5.0));
  cmd->add_option("--severity", o.severity,
                  "Stenosis as a fractional diameter reduction (stenosis, carotid)")
      ->check(CLI::Range(0.0, 0.95));
  cmd->add_option("--noise", o.noise, "Noise standard deviation (HU for CT); default 20 CT, 40 MR")
      ->check(CLI::Range(0.0, 1000.0));
  cmd->add_option("--blur", o.blur, "Point-spread sigma, mm")->check(CLI::Range(0.0, 10.0));
  cmd->add_option("--seed", o.seed, "Random seed of the noise");
  return cmd;
}

CLI::App* add_segment_command(CLI::App& app, SegmentOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "segment", "Segment a vessel lumen from seed points (threshold + connected component)");
  cmd->add_option("scan", o.scan, "DICOM folder or file, .nii(.gz), .nrrd, .mha")->required();
  cmd->add_option("-o,--output", o.output, "Label map to write (.nrrd, .nii.gz, .mha)")
      ->required()
      ->type_name("FILE");
  cmd->add_option("--seed", o.seeds, "A point in the lumen, x,y,z in mm (LPS); repeatable")
      ->required()
      ->type_name("X,Y,Z");
  cmd->add_option("--lower", o.lower, "Lowest lumen intensity (default: from the seeds)");
  cmd->add_option("--upper", o.upper, "Highest lumen intensity (default: from the seeds)");
  cmd->add_option("--roi", o.roi, "Region of interest x0,y0,z0,x1,y1,z1 in mm, applied first")
      ->type_name("BOX");
  cmd->add_option("--series", o.series, "DICOM folders with several series: which one (0, 1, ...)");
  cmd->add_option("--smoothing", o.smoothing, "Curvature-flow iterations before the threshold")
      ->check(CLI::Range(0, 100));
  cmd->add_option("--reference", o.reference,
                  "A label map on the same grid to score against (Dice, surface distance)");
  return cmd;
}

int phantom_command(const PhantomOptions& o) {
  const Vec3 x(1, 0, 0);
  VesselModel model;
  Vec3 seed;
  if (o.kind == "straight") {
    model = VesselModel::straight(Vec3(0, 0, 0), Vec3(40, 0, 0), 3.0);
    seed = Vec3(5, 0, 0);
  } else if (o.kind == "curved") {
    model = VesselModel::curved(Vec3(0, 0, 0), x, Vec3(0, 1, 0), 20, 1.6, 2.5);
    seed = Vec3(0.5, 0, 0);
  } else if (o.kind == "stenosis") {
    model = VesselModel::stenosis(Vec3(0, 0, 0), Vec3(40, 0, 0), 3.0, o.severity, 20, 10);
    seed = Vec3(5, 0, 0);
  } else if (o.kind == "aneurysm") {
    model = VesselModel::aneurysm(Vec3(0, 0, 0), Vec3(40, 0, 0), 2.0, 20, Vec3(0, 1, 0), 4.0, 4.5);
    seed = Vec3(5, 0, 0);
  } else {
    model = VesselModel::carotid_bifurcation(Vec3(0, 0, 0), o.severity);
    seed = Vec3(0, 5, 0);
  }
  RenderOptions r;
  r.modality = o.modality == "mr" ? Modality::MR : Modality::CT;
  r.spacing = Vec3::Constant(o.spacing);
  r.noise_sigma = o.noise >= 0 ? o.noise : (r.modality == Modality::CT ? 20 : 40);
  r.blur_sigma = o.blur;
  r.seed = o.seed;
  const Phantom ph = input_stage([&] { return render(model, r); });
  fs::create_directories(o.output);
  write_image(ph.image, fs::path(o.output) / "scan.nii.gz");
  write_labels(ph.labels, fs::path(o.output) / "labels.nrrd");
  const auto& g = ph.image.grid;
  std::printf("phantom   %s, %s, %d x %d x %d voxels of %.3g mm\n", o.kind.c_str(),
              o.modality.c_str(), g.size[0], g.size[1], g.size[2], o.spacing);
  std::printf("scan      %s\n", (fs::path(o.output) / "scan.nii.gz").c_str());
  std::printf("labels    %s\n", (fs::path(o.output) / "labels.nrrd").c_str());
  std::printf("seed      %s   (a point in the lumen, for hemotwin segment --seed)\n",
              point_text(seed).c_str());
  return exit_ok;
}

int segment_command(const SegmentOptions& o) {
  ThresholdOptions t;
  for (const auto& s : o.seeds) {
    const auto v = numbers(s, 3, "--seed");
    t.seeds.push_back(Vec3(v[0], v[1], v[2]));
  }
  if (o.has_lower) t.lower = o.lower;
  if (o.has_upper) t.upper = o.upper;
  t.smoothing_iterations = o.smoothing;
  const Segmentation s = input_stage([&] {
    ReadOptions read;
    read.series = o.series;
    Image scan = read_image(o.scan, read);
    if (!o.roi.empty()) {
      const auto b = numbers(o.roi, 6, "--roi");
      scan = crop(scan, Box{Vec3(b[0], b[1], b[2]), Vec3(b[3], b[4], b[5])});
    }
    return threshold_connected(scan, t);
  });
  write_labels(s.labels, o.output);
  std::printf("segmented %lld voxels, %.1f mm^3, intensities [%.1f, %.1f]\n",
              static_cast<long long>(s.voxels), s.volume_mm3, s.lower, s.upper);
  std::printf("labels    %s\n", o.output.c_str());
  if (!o.reference.empty()) {
    const LabelMap ref = input_stage([&] { return read_labels(o.reference); });
    if (!ref.grid.same_as(s.labels.grid))
      throw Failure(exit_usage, o.reference +
                                    ": the reference lies on a different grid than the "
                                    "segmentation (give the scan's own label map, "
                                    "without --roi)");
    std::printf("reference Dice %.4f, mean surface distance %.3f mm\n", dice(s.labels, ref),
                mean_surface_distance(s.labels, ref));
  }
  return exit_ok;
}

}  // namespace hemotwin::cli
