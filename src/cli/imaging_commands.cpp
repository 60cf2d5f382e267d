// `hemotwin phantom` writes a synthetic angiogram and its exact label map; `hemotwin segment`
// turns a scan into a label map (and a wall surface) from seed points; `hemotwin voxelize` lays a
// surface or label map onto the lattice and reports its openings. Input problems exit with code
// 2, failures to write with 1 (failure.hpp).
#include "imaging_commands.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "failure.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/core/lattice.hpp"
#include "hemotwin/imaging/case_geometry.hpp"
#include "hemotwin/imaging/image_io.hpp"
#include "hemotwin/imaging/phantom.hpp"
#include "hemotwin/imaging/segment.hpp"
#include "hemotwin/io/output_dir.hpp"
#include "hemotwin/io/vti_writer.hpp"

namespace fs = std::filesystem;

namespace hemotwin::cli {
using namespace hemotwin::imaging;

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

namespace {

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
      "phantom",
      "Write a synthetic CT or MR angiogram of a vessel and its exact label map, or a beating "
      "left ventricle as phase surfaces and a chamber case (ventricle)");
  cmd->add_option("kind", o.kind, "straight, curved, stenosis, aneurysm, carotid or ventricle")
      ->required()
      ->check(
          CLI::IsMember({"straight", "curved", "stenosis", "aneurysm", "carotid", "ventricle"}));
  cmd->add_option("-o,--output", o.output, "Directory for scan.nii.gz and labels.nrrd")
      ->required()
      ->type_name("DIR");
  cmd->add_option("--modality", o.modality, "ct or mr")->check(CLI::IsMember({"ct", "mr"}));
  cmd->add_option("--spacing", o.spacing,
                  "Voxel size, mm (default 0.4; a ventricle's cine scans 1.0)")
      ->check(CLI::Range(0.05, 5.0));
  cmd->add_option("--severity", o.severity,
                  "Stenosis as a fractional diameter reduction (stenosis, carotid)")
      ->check(CLI::Range(0.0, 0.95));
  cmd->add_option("--noise", o.noise, "Noise standard deviation (HU for CT); default 20 CT, 40 MR")
      ->check(CLI::Range(0.0, 1000.0));
  cmd->add_option("--blur", o.blur, "Point-spread sigma, mm")->check(CLI::Range(0.0, 10.0));
  cmd->add_option("--seed", o.seed, "Random seed of the noise");
  cmd->add_option("--sac-radius", o.sac_radius, "The aneurysm's sac radius, mm (aneurysm)")
      ->check(CLI::Range(0.5, 20.0));
  cmd->add_option("--rotate", o.rotate,
                  "Turn the patient by DEG degrees about the axis (AX, AY, AZ) through the origin, "
                  "as a later scan finds them")
      ->type_name("DEG,AX,AY,AZ");
  cmd->add_option("--translate", o.translate, "Then move the patient by X,Y,Z mm")
      ->type_name("X,Y,Z");
  cmd->add_option("--edv", o.edv, "ventricle: end-diastolic volume, mL")
      ->check(CLI::Range(5.0, 500.0));
  cmd->add_option("--ef", o.ef,
                  "ventricle: ejection fraction (up to 0.6: the valves are sized to the base at "
                  "end-systole then)")
      ->check(CLI::Range(0.05, 0.6));
  cmd->add_option("--period", o.period, "ventricle: the beat's length, s")
      ->check(CLI::Range(0.2, 3.0));
  cmd->add_option("--phases", o.phases, "ventricle: surfaces over the cycle")
      ->check(CLI::Range(3, 200));
  cmd->add_option("--lattice-spacing", o.lattice_spacing, "ventricle: the case's lattice, mm")
      ->check(CLI::Range(0.1, 10.0));
  cmd->add_option("--viscosity", o.viscosity,
                  "ventricle: the case's blood viscosity, Pa s (default blood's, 0.0035)")
      ->check(CLI::Range(1e-4, 100.0));
  cmd->add_option("--cycles", o.cycles, "ventricle: the case's beats")->check(CLI::Range(1, 1000));
  cmd->add_flag("--cine", o.cine,
                "ventricle: also a cine CT, one scan per phase (frame_NN.nii.gz), rendered "
                "from the phase's surface (--spacing, --noise, --blur, --seed)");
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
  cmd->add_option(
         "--method", o.method,
         "threshold (default), or for thin vessels multiscale Hessian vesselness: vesselness "
         "(Frangi's) or sato (Sato's line filter)")
      ->check(CLI::IsMember({"threshold", "vesselness", "sato"}));
  cmd->add_option("--vesselness-level", o.vesselness_level,
                  "vesselness: the fraction of the strongest response a voxel needs")
      ->check(CLI::Range(1e-6, 0.999999));
  cmd->add_option("--sigma-min", o.sigma_min, "vesselness: smallest scale, mm")
      ->check(CLI::Range(1e-3, 50.0));
  cmd->add_option("--sigma-max", o.sigma_max, "vesselness: largest scale, mm")
      ->check(CLI::Range(1e-3, 50.0));
  cmd->add_option("--barrier", o.barriers,
                  "A disc the region may not grow through (a valve or vein plane of a cardiac "
                  "chamber): centre, normal and radius, x,y,z,nx,ny,nz,r in mm; repeatable")
      ->type_name("X,Y,Z,NX,NY,NZ,R");
  cmd->add_flag("--level-set", o.level_set,
                "Refine the segmentation with a threshold level set (ITK)");
  cmd->add_option("--surface", o.surface,
                  "Also write the lumen's wall surface (marching cubes, smoothed): .vtp or .stl")
      ->type_name("FILE");
  cmd->add_option("--surface-sigma", o.surface_sigma,
                  "Gaussian blur of the lumen mask before its surface, mm (default: half a voxel)")
      ->check(CLI::Range(0.0, 50.0));
  cmd->add_option("--surface-smoothing", o.surface_smoothing,
                  "Windowed-sinc smoothing iterations of the surface (0: none)")
      ->check(CLI::Range(0, 500));
  return cmd;
}

CLI::App* add_voxelize_command(CLI::App& app, VoxelizeOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "voxelize",
      "Lay a surface or a label map onto the lattice: openings (inlets/outlets), fluid cells, "
      "wall links");
  cmd->add_option("input", o.input,
                  "A surface (.stl, .vtp, .vtk, .obj, .ply) or a label map (.nrrd, .nii.gz, .mha)")
      ->required();
  cmd->add_option("-o,--output", o.output,
                  "Directory for openings.json, lattice.vti (fluid mask) and closed_wall.vtp")
      ->type_name("DIR");
  cmd->add_option("--spacing", o.spacing, "Lattice spacing, mm (default: from --cells-across)")
      ->check(CLI::Range(1e-4, 100.0));
  cmd->add_option("--cells-across", o.cells_across,
                  "Cells across the largest inlet's effective diameter")
      ->check(CLI::Range(4.0, 4096.0));
  cmd->add_option("--extension", o.extension, "Flow extension at every opening, in diameters")
      ->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--inlet", o.inlets,
                  "An opening that is an inlet (opening1, opening2, ...; repeatable; default: the "
                  "largest)");
  cmd->add_option("--cut", o.cuts,
                  "Cut the wall open with a plane: a point in the lumen and the normal towards the "
                  "part to remove, x,y,z,nx,ny,nz (mm; repeatable)")
      ->type_name("X,Y,Z,NX,NY,NZ");
  cmd->add_option("--label", o.label, "Label maps: the lumen's label (default: any non-zero)")
      ->check(CLI::Range(0, 255));
  cmd->add_option("--sigma", o.sigma,
                  "Label maps: > 0 takes the wall from the mask blurred by a Gaussian of this "
                  "sigma, mm; 0 (default) takes it at sub-voxel accuracy from the mask's signed "
                  "distance (geometry.smoothing_mm)")
      ->check(CLI::Range(0.0, 50.0));
  return cmd;
}

int phantom_command(const PhantomOptions& o) {
  if (o.kind == "ventricle") return ventricle_phantom_command(o);
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
    // A side-wall aneurysm beside a branch that leaves below it (which also pins a later
    // scan's rotation about the parent's axis for registration).
    model = VesselModel::aneurysm(Vec3(0, 0, 0), Vec3(40, 0, 0), 2.0, 20, Vec3(0, 1, 0),
                                  o.sac_radius, 4.5);
    model.add_tube({{Vec3(8, 0, 0), Vec3(18, -8, 6), Vec3(30, -12, 10)}, {1.4, 1.3, 1.2}});
    seed = Vec3(5, 0, 0);
  } else {
    model = VesselModel::carotid_bifurcation(Vec3(0, 0, 0), o.severity);
    seed = Vec3(0, 5, 0);
  }
  RenderOptions r;
  r.modality = o.modality == "mr" ? Modality::MR : Modality::CT;
  r.spacing = Vec3::Constant(o.spacing > 0 ? o.spacing : 0.4);
  r.noise_sigma = o.noise >= 0 ? o.noise : (r.modality == Modality::CT ? 20 : 40);
  r.blur_sigma = o.blur;
  r.seed = o.seed;
  Eigen::Isometry3d pose = Eigen::Isometry3d::Identity();
  if (!o.rotate.empty()) {
    const auto v = numbers(o.rotate, 4, "--rotate");
    const Vec3 axis(v[1], v[2], v[3]);
    if (!(axis.norm() > 0))
      throw Failure(exit_usage,
                    "--rotate '" + o.rotate + "': the axis (last three numbers) is zero");
    pose.rotate(Eigen::AngleAxisd(v[0] * 3.14159265358979323846 / 180, axis.normalized()));
  }
  if (!o.translate.empty()) {
    const auto v = numbers(o.translate, 3, "--translate");
    pose.pretranslate(Vec3(v[0], v[1], v[2]));
  }
  r.pose = pose;
  seed = pose * seed;
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
  for (const auto& b : o.barriers) {
    const auto v = numbers(b, 7, "--barrier");
    t.barriers.push_back({Vec3(v[0], v[1], v[2]), Vec3(v[3], v[4], v[5]), v[6]});
  }
  const Segmentation s = input_stage([&] {
    ReadOptions read;
    read.series = o.series;
    Image scan = read_image(o.scan, read);
    if (!o.roi.empty()) {
      const auto b = numbers(o.roi, 6, "--roi");
      scan = crop(scan, Box{Vec3(b[0], b[1], b[2]), Vec3(b[3], b[4], b[5])});
    }
    SegmentationSteps steps;
    steps.threshold = t;
    steps.vesselness = o.method != "threshold";
    if (o.method == "sato") steps.vesselness_options.filter = VesselnessOptions::Filter::Sato;
    steps.vesselness_level = o.vesselness_level;
    steps.vesselness_options.sigma_min_mm = o.sigma_min;
    steps.vesselness_options.sigma_max_mm = o.sigma_max;
    steps.level_set = o.level_set;
    return segment_lumen(scan, steps);
  });
  // The surface is made before anything is written: a failure leaves no partial output.
  TriangleMesh wall;
  if (!o.surface.empty()) {
    const std::string ext = fs::path(o.surface).extension().string();
    if (ext != ".vtp" && ext != ".stl")
      throw Failure(exit_usage, "--surface " + o.surface + ": write .vtp or .stl");
    wall = input_stage(
        [&] { return lumen_surface(s.labels, 0, o.surface_sigma, o.surface_smoothing); });
  }
  write_labels(s.labels, o.output);
  std::printf("segmented %lld voxels, %.1f mm^3, intensities [%.1f, %.1f]\n",
              static_cast<long long>(s.voxels), s.volume_mm3, s.lower, s.upper);
  std::printf("labels    %s\n", o.output.c_str());
  if (!o.surface.empty()) {
    write_surface(wall, o.surface);
    const auto open = find_openings(wall);
    std::printf(
        "surface   %s: %zu triangles, %zu openings where the lumen meets the scan's or "
        "the region's edge\n",
        o.surface.c_str(), wall.triangles.size(), open.size());
  }
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

int voxelize_command(const VoxelizeOptions& o) {
  const std::string name = fs::path(o.input).filename().string();
  const bool is_surface = [&] {
    for (const char* e : {".stl", ".vtp", ".vtk", ".obj", ".ply"})
      if (name.size() > std::strlen(e) &&
          name.compare(name.size() - std::strlen(e), std::strlen(e), e) == 0)
        return true;
    return false;
  }();
  Case c;
  c.geometry.shape = is_surface ? ShapeKind::Surface : ShapeKind::LabelMap;
  c.geometry.file = o.input;
  c.geometry.spacing = o.spacing * 1e-3;
  c.geometry.cells_across = o.cells_across;
  c.geometry.extension = o.extension;
  c.geometry.inlets = o.inlets;
  for (const auto& cut : o.cuts) {
    const auto v = numbers(cut, 6, "--cut");
    c.geometry.cut_points.push_back(Vec3(v[0], v[1], v[2]) * 1e-3);
    c.geometry.cut_normals.push_back(Vec3(v[3], v[4], v[5]));
    if (!(c.geometry.cut_normals.back().norm() > 0))
      throw Failure(exit_usage, "--cut '" + cut + "': the normal (last three numbers) is zero");
  }
  c.geometry.label = o.label;
  c.geometry.smoothing = o.sigma * 1e-3;
  const auto t0 = std::chrono::steady_clock::now();
  const PreparedGeometry g = [&] {
    try {
      return prepare_geometry(c);
    } catch (const Error& e) {
      // Errors about the input file name it already; the others are given its name here.
      const std::string& m = e.message();
      throw Failure(exit_usage, m.starts_with(o.input + ": ") ? m : o.input + ": " + m);
    }
  }();
  const auto t1 = std::chrono::steady_clock::now();
  const SparseLattice lattice = input_stage([&] { return SparseLattice(g.domain); });
  const LinkList links = build_links<D3Q19>(lattice, g.domain);
  const auto t2 = std::chrono::steady_clock::now();
  auto seconds = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };

  std::printf("%s: %zu triangles, %zu openings\n", o.input.c_str(), g.wall.triangles.size(),
              g.openings.size());
  nlohmann::json openings = nlohmann::json::array();
  for (const auto& op : g.openings) {
    std::printf(
        "  %-9s %-6s area %8.3f mm^2  radius %6.3f mm  centre (%.2f, %.2f, %.2f)  normal "
        "(%.3f, %.3f, %.3f)\n",
        op.name.c_str(), op.kind == IoletKind::VelocityInlet ? "inlet" : "outlet", op.area,
        op.radius, op.centre.x(), op.centre.y(), op.centre.z(), op.normal.x(), op.normal.y(),
        op.normal.z());
    openings.push_back({{"name", op.name},
                        {"kind", op.kind == IoletKind::VelocityInlet ? "inlet" : "outlet"},
                        {"centre_mm", {op.centre.x(), op.centre.y(), op.centre.z()}},
                        {"normal", {op.normal.x(), op.normal.y(), op.normal.z()}},
                        {"area_mm2", op.area},
                        {"effective_radius_mm", op.radius},
                        {"max_radius_mm", op.max_radius},
                        {"perimeter_mm", op.perimeter},
                        {"planarity_mm", op.planarity},
                        {"extension_diameters", op.extension}});
  }
  const auto& n = lattice.cells();
  const double fluid_mm3 = double(lattice.fluid_cells()) * std::pow(g.spacing_mm, 3);
  std::printf(
      "lattice   spacing %.4g mm, %lld fluid cells (%.1f mm^3) in %d bricks of a %d x %d "
      "x %d box; %zu boundary links (D3Q19)\n",
      g.spacing_mm, static_cast<long long>(lattice.fluid_cells()), fluid_mm3, lattice.brick_count(),
      n[0], n[1], n[2], links.size());
  std::printf("time      geometry %.2f s, lattice and links %.2f s\n", seconds(t0, t1),
              seconds(t1, t2));
  if (o.output.empty()) return exit_ok;

  nlohmann::json report{{"input", o.input},
                        {"triangles", g.wall.triangles.size()},
                        {"spacing_mm", g.spacing_mm},
                        {"fluid_cells", lattice.fluid_cells()},
                        {"fluid_volume_mm3", fluid_mm3},
                        {"bricks", lattice.brick_count()},
                        {"boundary_links_d3q19", links.size()},
                        {"openings", openings}};
  try {
    io::OutputDir out(o.output, "openings.json");
    out.replace_on_commit({"openings.json", "lattice.vti", "closed_wall.vtp"});
    const GridInfo grid = lattice.grid_info();
    FieldSnapshot empty;
    empty.velocity.assign(grid.cell_type.size() * 3, 0.0f);
    empty.pressure.assign(grid.cell_type.size(), 0.0f);
    io::write_vti(out.staged("lattice.vti"), grid, empty);
    TriangleMesh closed = close_openings(g.wall, g.openings).mesh;
    for (auto& p : closed.points) p *= 1e-3;  // metres, as the lattice and results are
    write_surface(closed, out.staged("closed_wall.vtp"));
    out.write_file("openings.json", report.dump(2) + "\n");
    out.commit();
  } catch (const Error& e) {
    throw Failure(exit_run_failed, e.what());
  }
  std::printf(
      "written   %s/{openings.json, lattice.vti, closed_wall.vtp} (lattice and wall in "
      "metres)\n",
      o.output.c_str());
  return exit_ok;
}

}  // namespace hemotwin::cli
