// The beating left-ventricle phantom as a cine CT (one 3-D scan per phase, rendered from the
// phase's exact surface), and its wall recovered from the images: every frame registered onto
// end-diastole by diffeomorphic demons, the end-diastolic wall carried by each field. Issue 20
// asks for the wall's motion within half a voxel; the wall left where it is at end-diastole
// misses end-systole by several voxels, so the checks can fail.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "hemotwin/core/error.hpp"
#include "hemotwin/geometry/chamber_phantom.hpp"
#include "hemotwin/geometry/surface_shape.hpp"
#include "hemotwin/imaging/phantom.hpp"
#include "hemotwin/imaging/wall_motion.hpp"

namespace hemotwin::imaging {
namespace {

constexpr double kVoxel = 1.0;  // mm
constexpr int kFrames = 8;

// The phantom of `hemotwin phantom ventricle` at EDV 40 mL, EF 0.6: 36 x 18 mm semi-axes.
struct Cine {
  std::shared_ptr<SurfaceSeries> series;
  TriangleMesh ed;
  std::vector<Image> frames;
  Grid grid;
};

const Cine& cine() {
  static const Cine c = [] {
    Cine out;
    VolumeCurve curve;
    curve.period = 0.8;
    curve.end_diastolic = 40;
    curve.end_systolic = 16;
    out.ed = prolate_cavity_mesh(36, 18, 0.5, 16, 32);
    const ProlateChamber lv(Vec3::Zero(), Vec3::UnitZ(), 36, 18, 0.5, curve);
    out.series = prolate_series(lv, out.ed, kFrames);
    RenderOptions o;
    o.spacing = Vec3::Constant(kVoxel);
    o.margin = 8;
    o.blur_sigma = 0.6;
    o.noise_sigma = 15;
    // End-diastole is the largest phase: its grid holds every frame.
    Phantom first = render(SurfaceShape(out.series->mesh_at(0)), o);
    out.grid = o.grid = first.image.grid;
    out.frames.push_back(std::move(first.image));
    for (int k = 1; k < kFrames; ++k) {
      o.seed = std::uint32_t(k + 1);
      out.frames.push_back(
          render(SurfaceShape(out.series->mesh_at(out.series->times()[std::size_t(k)])), o).image);
    }
    return out;
  }();
  return c;
}

// How far the points lie from the true wall: RMS, 95th percentile and largest (mm).
struct Miss {
  double rms = 0, p95 = 0, max = 0;
};
Miss miss(const std::vector<Vec3>& points, const SurfaceShape& truth) {
  std::vector<double> d;
  Miss m;
  for (const Vec3& p : points) {
    d.push_back(truth.nearest(p).distance);
    m.rms += d.back() * d.back();
  }
  std::sort(d.begin(), d.end());
  m.rms = std::sqrt(m.rms / double(d.size()));
  m.p95 = d[std::size_t(0.95 * double(d.size() - 1))];
  m.max = d.back();
  return m;
}

TEST(WallMotion, DemonsCarryTheVentricleWallWithinHalfAVoxel) {
  const auto t0 = std::chrono::steady_clock::now();
  const Cine& c = cine();
  const auto t1 = std::chrono::steady_clock::now();
  const WallMotion w = track_wall(c.ed, c.frames, 0);
  const auto t2 = std::chrono::steady_clock::now();
  std::printf("grid %d x %d x %d, render %.1f s, register %.1f s\n", c.grid.size[0], c.grid.size[1],
              c.grid.size[2], std::chrono::duration<double>(t1 - t0).count(),
              std::chrono::duration<double>(t2 - t1).count());
  // The ejection fraction from the frames (the smallest volume of the sampled cycle).
  const double ed_volume = c.ed.signed_volume();
  double ef = 0, ef_true = 0;
  for (int k = 1; k < kFrames; ++k) {
    const TriangleMesh truth_mesh = c.series->mesh_at(c.series->times()[std::size_t(k)]);
    const SurfaceShape truth(truth_mesh);
    const Miss still = miss(c.ed.points, truth), moved = miss(w.phases[std::size_t(k)], truth);
    const auto& r = w.registrations[std::size_t(k)];
    TriangleMesh carried = c.ed;
    carried.points = w.phases[std::size_t(k)];
    const double v = carried.signed_volume(), v_true = truth_mesh.signed_volume();
    std::printf(
        "frame %d: volume %.2f mL (true %.2f); the ED wall misses it by %.2f mm RMS, %.2f "
        "max; carried: %.3f RMS, %.3f 95th percentile, %.3f max; mismatch %.0f -> %.0f in %d "
        "iterations, smallest Jacobian %.3f\n",
        k + 1, v * 1e-3, v_true * 1e-3, still.rms, still.max, moved.rms, moved.p95, moved.max,
        r.mismatch_before, r.mismatch_after, r.iterations, r.min_jacobian);
    EXPECT_TRUE(r.converged);
    EXPECT_LT(moved.rms, 0.25 * kVoxel) << "frame " << k + 1;
    EXPECT_LT(moved.p95, 0.5 * kVoxel) << "frame " << k + 1;
    // The base's rim is a crease the smooth field rounds: there, within a voxel.
    EXPECT_LT(moved.max, kVoxel) << "frame " << k + 1;
    EXPECT_NEAR(v / v_true, 1, 0.025) << "frame " << k + 1;
    ef = std::max(ef, 1 - v / ed_volume);
    ef_true = std::max(ef_true, 1 - v_true / ed_volume);
  }
  std::printf("ejection fraction from the frames %.2f %% (true %.2f %%)\n", 100 * ef,
              100 * ef_true);
  EXPECT_NEAR(ef, ef_true, 0.02);
}

TEST(WallMotion, RefusesWhatCannotBeRegistered) {
  const Cine& c = cine();
  auto message = [](const auto& f) {
    try {
      f();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("(nothing thrown)");
  };
  // Frames on other grids.
  Image shifted = c.frames[1];
  shifted.grid.origin += Vec3(0.5, 0, 0);
  EXPECT_NE(message([&] { register_deformable(c.frames[0], shifted); }).find("different grids"),
            std::string::npos);
  // Too few iterations to get there: not converged, with what to change.
  DeformableOptions few;
  few.iterations = 5;
  const std::string m = message([&] { track_wall(c.ed, c.frames, 0, few); });
  EXPECT_NE(m.find("frame 2 of 8"), std::string::npos) << m;
  EXPECT_NE(m.find("did not converge"), std::string::npos) << m;
  EXPECT_NE(m.find("more iterations"), std::string::npos) << m;
  // A wall outside the scan, too few frames, a reference not among them.
  TriangleMesh far = c.ed;
  for (Vec3& p : far.points) p += Vec3(200, 0, 0);
  const std::vector<Image> three(c.frames.begin(), c.frames.begin() + 3);
  EXPECT_NE(message([&] { track_wall(far, three, 0); }).find("outside"), std::string::npos);
  EXPECT_NE(message([&] {
              track_wall(c.ed, {c.frames[0], c.frames[1]}, 0);
            }).find("at least 3"),
            std::string::npos);
  EXPECT_NE(message([&] { track_wall(c.ed, three, 3); }).find("1 to 3"), std::string::npos);
}

}  // namespace
}  // namespace hemotwin::imaging
