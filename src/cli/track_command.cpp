// `hemotwin track`: a chamber's wall through the frames of a cine (4D) scan. The wall is
// segmented on one frame (`hemotwin segment ... --surface`); every other frame is registered onto
// that one (diffeomorphic demons, hemotwin::imaging::track_wall) and the wall carried by each
// displacement field, vertex for vertex. The result is the one-.vtp surface series a chamber case
// runs with (geometry.shape = "surface_series", geometry.file).
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "failure.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/geometry/surface.hpp"
#include "hemotwin/geometry/surface_series.hpp"
#include "hemotwin/geometry/surface_shape.hpp"
#include "hemotwin/imaging/image_io.hpp"
#include "hemotwin/imaging/wall_motion.hpp"
#include "imaging_commands.hpp"

namespace fs = std::filesystem;

namespace hemotwin::cli {

CLI::App* add_track_command(CLI::App& app, TrackOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "track",
      "A chamber's wall through a cine (4D) scan: every frame registered deformably onto the "
      "reference frame, the wall segmented there carried onto each; writes the surface series a "
      "chamber case runs with");
  cmd->add_option("frames", o.frames,
                  "The frames in the cycle's order, evenly spread over it (.nii.gz, .nrrd, .mha, "
                  "DICOM folders)")
      ->required();
  cmd->add_option("--wall", o.wall,
                  "The wall on the reference frame, a closed surface (.vtp, .stl)")
      ->required();
  cmd->add_option("-o,--output", o.output, "The surface series to write (.vtp)")->required();
  cmd->add_option("--period", o.period, "The cycle's length, s (the frames span it)")
      ->required()
      ->check(CLI::Range(0.05, 10.0));
  cmd->add_option("--reference", o.reference, "The frame the wall was segmented on (from 1)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--levels", o.levels, "Registration pyramid levels (more for larger motion)")
      ->check(CLI::Range(1, 6));
  cmd->add_option("--iterations", o.iterations, "Registration iterations per level, at most")
      ->check(CLI::Range(5, 10000));
  cmd->add_option("--smoothing", o.smoothing,
                  "The displacement field's regularisation, Gaussian sigma in voxels")
      ->check(CLI::Range(0.5, 10.0));
  return cmd;
}

int track_command(const TrackOptions& o) {
  if (fs::path(o.output).extension() != ".vtp")
    throw Failure(exit_usage, "--output '" + o.output + "': a surface series is written as .vtp");
  const int n = int(o.frames.size());
  if (n < 3)
    throw Failure(exit_usage,
                  "a cine scan's cycle needs at least 3 frames, got " + std::to_string(n));
  if (o.reference > n)
    throw Failure(exit_usage, "--reference " + std::to_string(o.reference) + ": there are " +
                                  std::to_string(n) + " frames (1 to " + std::to_string(n) + ")");
  std::vector<Image> frames;
  TriangleMesh wall;
  try {
    for (const auto& f : o.frames) {
      frames.push_back(imaging::read_image(f));
      if (!frames.back().grid.same_as(frames.front().grid))
        throw Error("its grid (size, origin, spacing or direction) is not " + o.frames.front() +
                        "'s: the frames of one cine scan share one",
                    f);
    }
    wall = read_surface(o.wall);
  } catch (const Error& e) {
    throw Failure(exit_usage, e.what());
  }
  try {
    SurfaceShape closed(wall);  // a wall with holes cannot hold the chamber's blood
  } catch (const Error& e) {
    throw Failure(exit_usage, o.wall + ": " + e.message());
  }
  const Grid& g = frames.front().grid;
  std::printf("cine      %d frames of %d x %d x %d voxels of %.3g x %.3g x %.3g mm, over %.4g s\n",
              n, g.size[0], g.size[1], g.size[2], g.spacing[0], g.spacing[1], g.spacing[2],
              o.period);
  std::printf("wall      %s: %zu vertices, %.4g mL, on frame %d\n", o.wall.c_str(),
              wall.points.size(), wall.signed_volume() * 1e-3, o.reference);
  std::fflush(stdout);

  imaging::DeformableOptions d;
  d.levels = o.levels;
  d.iterations = o.iterations;
  d.smoothing_voxels = o.smoothing;
  imaging::WallMotion motion;
  try {
    motion = imaging::track_wall(
        wall, frames, o.reference - 1, d, [&](int k, const imaging::DeformableRegistration& r) {
          std::printf(
              "frame %2d  mismatch %.4g -> %.4g in %d iterations, smallest Jacobian %.3f, largest "
              "shift %.3g mm\n",
              k + 1, r.mismatch_before, r.mismatch_after, r.iterations, r.min_jacobian,
              r.field.max_length());
          std::fflush(stdout);
        });
  } catch (const Error& e) {
    throw Failure(exit_usage, e.what());
  }

  std::vector<double> times, volumes;
  for (int k = 0; k < n; ++k) {
    times.push_back(o.period * k / n);
    TriangleMesh m = wall;
    m.points = motion.phases[std::size_t(k)];
    volumes.push_back(m.signed_volume() * 1e-3);
  }
  try {
    // The series must be one a case can run: refused here, not at `hemotwin run`.
    SurfaceSeries series(wall.triangles, motion.phases, times, o.period);
    write_surface_series(wall, motion.phases, times, o.period, o.output);
  } catch (const Error& e) {
    throw Failure(exit_usage, e.what());
  }
  const auto [lo, hi] = std::minmax_element(volumes.begin(), volumes.end());
  std::printf(
      "volume    from %.4g mL (frame %d) to %.4g mL (frame %d): ejection fraction %.1f %%\n", *hi,
      int(hi - volumes.begin()) + 1, *lo, int(lo - volumes.begin()) + 1, 100 * (1 - *lo / *hi));
  std::printf("series    %s   (geometry.shape = \"surface_series\", geometry.file)\n",
              o.output.c_str());
  return exit_ok;
}

}  // namespace hemotwin::cli
