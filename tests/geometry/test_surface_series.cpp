// A chamber's wall from a series of surfaces (SurfaceSeries): the prolate left-ventricle phantom
// (ProlateChamber) sampled as meshes at phases of its cycle, vertex for vertex, and interpolated
// back: positions, velocities and volume against the phantom's exact motion; a beating ventricle
// driven by the series ejects what the exact one does; bad series are refused with what to
// change.
#include <gtest/gtest.h>
#include <vtkCellArray.h>
#include <vtkDoubleArray.h>
#include <vtkFieldData.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkXMLPolyDataWriter.h>

#include <cmath>
#include <cstdio>
#include <numbers>

#include "hemotwin/core/engine.hpp"
#include "hemotwin/geometry/chamber_phantom.hpp"
#include "hemotwin/geometry/surface_series.hpp"
#include "meshes.hpp"

using namespace hemotwin;
using hemotwin::test::message_of;
using hemotwin::test::scratch;
namespace fs = std::filesystem;

namespace {
constexpr double kPi = std::numbers::pi;

// The phantom of tests/core/test_chamber_flow.cpp: 36 cells from apex to base at end-diastole,
// 24 across, the base plane z = 0, EF 60 %, a beat of 16 000 steps.
constexpr double kA = 24, kB = 12, kBeta = 0.5, kPeriod = 16000;

std::shared_ptr<ProlateChamber> ventricle() {
  VolumeCurve curve;
  curve.period = kPeriod;
  return std::make_shared<ProlateChamber>(Vec3::Zero(), Vec3::UnitZ(), kA, kB, kBeta, curve);
}

// The phantom's motion of a wall point from end-diastole to time t.
Vec3 moved(const ProlateChamber& lv, const Vec3& p, double t) {
  const auto [axial, radial] = lv.scales(t);
  return {radial * p.x(), radial * p.y(), axial * p.z()};
}

}  // namespace

// 32 phases: between them every vertex lies where the phantom puts it within 1 % of the farthest
// a vertex moves over the beat (0.30 %), and moves at its velocity within 8 % of the fastest
// (6.5 %: the volume curve's acceleration jumps where its phases meet, which a cubic rounds) and
// 1.5 % in the mean square (0.74 %; velocities of the phases' differences, without the spline's
// curvature, miss by 21 % and 4.3 %); the volume follows the curve's within 1.5 % of the stroke
// volume (0.64 %: the chords of a 32-by-64 mesh hold less than the ellipsoid), and a point half
// a cell inside the wall moves with its nearest wall point within 6 % (4.0 %).
TEST(SurfaceSeries, FollowsTheProlateChambersMotion) {
  const auto lv = ventricle();
  const TriangleMesh ed = prolate_cavity_mesh(kA, kB, kBeta, 32, 64);
  const auto series = prolate_series(*lv, ed, 32);
  double stroke = 0, fastest = 0;
  for (const Vec3& p : ed.points)
    stroke = std::max(stroke, (moved(*lv, p, 0.32 * kPeriod) - p).norm());
  for (int s = 0; s < 400; ++s) {
    const auto field = lv->velocity_field(kPeriod * s / 400);
    for (const Vec3& p : ed.points)
      fastest = std::max(fastest, field(moved(*lv, p, kPeriod * s / 400)).norm());
  }
  double position = 0, velocity = 0, volume = 0, off_wall = 0, squares = 0;
  std::int64_t count = 0;
  const double sv = lv->curve().end_diastolic - lv->curve().end_systolic;
  for (int s = 0; s < 400; ++s) {
    const double t = kPeriod * (s + 0.37) / 400;
    const TriangleMesh mesh = series->mesh_at(t);
    const auto v = series->velocities_at(t);
    const auto exact = lv->velocity_field(t);
    for (std::size_t k = 0; k < ed.points.size(); ++k) {
      const Vec3 want = moved(*lv, ed.points[k], t);
      position = std::max(position, (mesh.points[k] - want).norm());
      velocity = std::max(velocity, (v[k] - exact(want)).norm());
      squares += (v[k] - exact(want)).squaredNorm();
      ++count;
    }
    volume = std::max(volume, std::abs(series->volume(t) - lv->volume(t)));
    if (s % 40 == 0) {
      // Points half a cell inside the wall, on the wall's side bands.
      const auto field = series->velocity_field(t);
      for (std::size_t k = 64; k < 31 * 64; k += 97) {
        const Vec3 wall = moved(*lv, ed.points[k], t);
        const Vec3 inside = wall - 0.5 * Vec3(wall.x(), wall.y(), 0).normalized();
        off_wall = std::max(off_wall, (field(inside) - exact(wall)).norm());
      }
    }
  }
  const double rms = std::sqrt(squares / double(count));
  std::printf(
      "largest errors: position %.3f %% of the stroke, velocity %.2f %% of the fastest "
      "(rms %.2f %%), volume %.2f %% of the stroke volume, off the wall %.2f %%\n",
      100 * position / stroke, 100 * velocity / fastest, 100 * rms / fastest, 100 * volume / sv,
      100 * off_wall / fastest);
  EXPECT_LT(position, 0.01 * stroke);
  EXPECT_LT(velocity, 0.08 * fastest);
  EXPECT_LT(rms, 0.015 * fastest);
  EXPECT_LT(volume, 0.015 * sv);
  EXPECT_LT(off_wall, 0.06 * fastest);
  // At its phases it passes through them.
  EXPECT_LT(
      (series->mesh_at(kPeriod * 5 / 32).points[100] - moved(*lv, ed.points[100], kPeriod * 5 / 32))
          .norm(),
      1e-9);
  const auto box = series->envelope();
  EXPECT_TRUE(box.contains(lv->envelope().min() + Vec3::Constant(0.5)));
}

// A beating ventricle driven by 32 phases of its surface ejects what the exact phantom does:
// the aortic outflow over the first 800 steps of ejection within 1.5 % of the exact one's (the
// mesh's chords hold 0.4 % less than the ellipsoid, and eject as much less), the cavity's cell
// count within 0.5 %. Relinked every eighth step (the wall 0.02 cells behind).
// A relink reads each wall link's velocity off the triangle its crossing lies on
// (velocity_field_on): the same as the nearest point's (velocity_field) at that crossing, the
// velocity being linear on each triangle and continuous across edges. Links a cell long from
// points inside the cavity, mid-ejection.
TEST(SurfaceSeries, ACrossingsVelocityIsItsNearestPointsVelocity) {
  const auto lv = ventricle();
  const auto series = prolate_series(*lv, prolate_cavity_mesh(kA, kB, kBeta, 16, 32), 16);
  const double t = 0.15 * kPeriod;
  const auto shape = series->at(t);
  const auto on = series->velocity_field_on(t);
  const auto nearest = series->velocity_field(t);
  double fastest = 0, worst = 0;
  int crossed = 0;
  for (int k = 0; k < 400; ++k) {
    const Vec3 p(20 * std::fmod(0.618034 * k, 1.0) - 10, 20 * std::fmod(0.414214 * k, 1.0) - 10,
                 -40 * std::fmod(0.7071 * k, 1.0));
    if (!shape->contains(p)) continue;
    for (int q = 1; q < D3Q19::Q; ++q) {
      const Vec3 d = 1.5 * Vec3(D3Q19::c[q][0], D3Q19::c[q][1], D3Q19::c[q][2]);
      WallPoint at;
      const double s = shape->intersect_at(p, d, at);
      if (s > 1) continue;
      ASSERT_GE(at.element, 0);
      ++crossed;
      const Vec3 x = p + s * d, u = on(x, at);
      fastest = std::max(fastest, u.norm());
      worst = std::max(worst, (u - nearest(x)).norm());
    }
  }
  EXPECT_GT(crossed, 100);
  EXPECT_GT(fastest, 0);
  EXPECT_LT(worst, 1e-9 * fastest) << crossed << " crossings";
}

TEST(SurfaceSeries, DrivesAVentricleAsTheExactWallDoes) {
  const auto lv = ventricle();
  const auto series = prolate_series(*lv, prolate_cavity_mesh(kA, kB, kBeta, 32, 64), 32);
  double outflow[2];
  std::int64_t cells[2];
  for (int which = 0; which < 2; ++which) {
    DomainSpec spec;
    const std::shared_ptr<const MovingShape> shape =
        which ? std::shared_ptr<const MovingShape>(series) : lv;
    spec.moving_wall = {shape, 1.0, 0.0, 32, 8};
    const auto box = lv->envelope();
    spec.origin = box.min() - Vec3::Constant(2);
    for (int a = 0; a < 3; ++a) spec.cells[a] = int(std::ceil(box.sizes()[a])) + 5;
    for (auto [name, x, r] : {std::tuple{"mitral", -3.8, 3.2}, {"aortic", 3.7, 3.0}}) {
      IoletPlane v;
      v.name = name;
      v.kind = IoletKind::PressureOutlet;
      v.point = Vec3(x, 0, -0.5);
      v.normal = Vec3::UnitZ();
      v.reach = v.radius = r;
      spec.iolets.push_back(v);
    }
    EngineOptions opt;
    opt.tau = 0.6;
    Engine<double, D3Q19> e(spec, opt);
    e.set_iolet_values({1.0, 1.0});
    e.set_iolets_open({false, true});
    e.initialise();
    outflow[which] = 0;
    for (int s = 0; s < 800; ++s) {
      e.step();
      outflow[which] += e.iolet_link_flow()[1];
    }
    cells[which] = e.lattice().fluid_cells();
  }
  std::printf("aortic outflow: exact wall %.2f, surface series %.2f; cells %lld and %lld\n",
              outflow[0], outflow[1], (long long)cells[0], (long long)cells[1]);
  EXPECT_GT(outflow[0], 300);
  EXPECT_NEAR(outflow[1], outflow[0], 0.015 * outflow[0]);
  EXPECT_NEAR(double(cells[1]), double(cells[0]), 0.005 * double(cells[0]));
}

// What a series must be, each refused with what was found and what to change.
TEST(SurfaceSeries, RefusesSeriesThatAreNotACycle) {
  const auto lv = ventricle();
  const TriangleMesh ed = prolate_cavity_mesh(kA, kB, kBeta, 8, 16);
  std::vector<std::vector<Vec3>> phases;
  std::vector<double> times;
  for (int k = 0; k < 8; ++k) {
    times.push_back(kPeriod * k / 8);
    std::vector<Vec3> p;
    for (const Vec3& x : ed.points) p.push_back(moved(*lv, x, times.back()));
    phases.push_back(std::move(p));
  }
  const auto refusal = [&](std::vector<std::vector<Vec3>> ph, std::vector<double> t,
                           const TriangleMesh& mesh) {
    return message_of([&] { SurfaceSeries(mesh.triangles, std::move(ph), std::move(t), kPeriod); });
  };
  EXPECT_EQ(refusal(phases, times, ed), "(no error)");
  {
    auto p = phases;
    p[3].pop_back();
    const std::string want = "phase 4 has " + std::to_string(ed.points.size() - 1) +
                             " vertices, phase 1 has " + std::to_string(ed.points.size());
    EXPECT_NE(refusal(p, times, ed).find(want), std::string::npos) << refusal(p, times, ed);
  }
  {  // half a cycle sampled as if it were a whole one
    std::vector<std::vector<Vec3>> p;
    for (int k = 0; k < 8; ++k) {
      std::vector<Vec3> q;
      for (const Vec3& x : ed.points) q.push_back(moved(*lv, x, 0.3 * kPeriod * k / 8));
      p.push_back(std::move(q));
    }
    EXPECT_NE(refusal(p, times, ed).find("does not close its cycle"), std::string::npos)
        << refusal(p, times, ed);
  }
  {
    auto t = times;
    std::swap(t[2], t[3]);
    EXPECT_NE(refusal(phases, t, ed).find("times must increase: phase 4 at 4000 follows phase 3"),
              std::string::npos)
        << refusal(phases, t, ed);
  }
  {
    auto p = phases;
    p.resize(2);
    auto t = times;
    t.resize(2);
    EXPECT_NE(refusal(p, t, ed).find("at least 3 phases"), std::string::npos);
  }
  {
    auto p = phases;
    p[5][7].x() = std::nan("");
    EXPECT_NE(refusal(p, times, ed).find("phase 6 has a vertex that is not a finite number"),
              std::string::npos);
  }
  {  // an open mesh: the apex fan removed
    TriangleMesh open = ed;
    open.triangles.erase(open.triangles.begin() + 7 * 2 * 16,
                         open.triangles.begin() + 8 * 2 * 16 - 16);
    EXPECT_NE(refusal(phases, times, open).find("not closed"), std::string::npos)
        << refusal(phases, times, open);
  }
}

// One file per phase: a file whose mesh is not the first's is named.
TEST(SurfaceSeries, ReadsOneFilePerPhase) {
  const auto lv = ventricle();
  const TriangleMesh ed = prolate_cavity_mesh(kA, kB, kBeta, 16, 32);
  const auto dir = scratch("surface_series");
  std::vector<std::filesystem::path> files;
  for (int k = 0; k < 6; ++k) {
    TriangleMesh m = ed;
    for (Vec3& p : m.points) p = moved(*lv, p, kPeriod * k / 6);
    files.push_back(dir / ("phase" + std::to_string(k) + ".vtp"));
    write_surface(m, files.back());
  }
  const auto series = read_surface_series(files, 0.8);
  EXPECT_EQ(series->phase_count(), 6u);
  EXPECT_DOUBLE_EQ(series->period(), 0.8);
  EXPECT_NEAR(series->times()[3], 0.4, 1e-12);
  EXPECT_NEAR(series->volume(0.4), lv->volume(kPeriod / 2), 0.05 * lv->volume(kPeriod / 2));
  write_surface(prolate_cavity_mesh(kA, kB, kBeta, 16, 33), files[4]);
  const std::string err = message_of([&] { read_surface_series(files, 0.8); });
  EXPECT_NE(err.find("phase4.vtp"), std::string::npos) << err;
  EXPECT_NE(err.find("vertex for vertex"), std::string::npos) << err;
}

// One .vtp: the mesh, a displacement array per phase, the period as a field array; coordinates
// scaled (mm to m). Arrays that are not a series are named.
TEST(SurfaceSeries, ReadsOneVtpWithADisplacementPerPhase) {
  const auto lv = ventricle();
  const TriangleMesh ed = prolate_cavity_mesh(kA, kB, kBeta, 16, 32);
  const auto dir = scratch("surface_series_vtp");
  const auto write = [&](const std::string& name, int phases, int components, bool period,
                         int times) {
    vtkNew<vtkPoints> points;
    for (const Vec3& p : ed.points) points->InsertNextPoint(p.data());
    vtkNew<vtkCellArray> cells;
    for (const auto& t : ed.triangles) {
      const vtkIdType ids[3] = {t[0], t[1], t[2]};
      cells->InsertNextCell(3, ids);
    }
    vtkNew<vtkPolyData> poly;
    poly->SetPoints(points);
    poly->SetPolys(cells);
    for (int k = 0; k < phases; ++k) {
      vtkNew<vtkDoubleArray> d;
      d->SetName(("displacement_" + std::to_string(k)).c_str());
      d->SetNumberOfComponents(components);
      for (const Vec3& p : ed.points) {
        const Vec3 u = moved(*lv, p, kPeriod * k / phases) - p;
        d->InsertNextTuple(u.data());
      }
      poly->GetPointData()->AddArray(d);
    }
    if (period) {
      vtkNew<vtkDoubleArray> a;
      a->SetName("period");
      a->InsertNextValue(0.8);
      poly->GetFieldData()->AddArray(a);
    }
    if (times > 0) {
      vtkNew<vtkDoubleArray> a;
      a->SetName("times");
      for (int k = 0; k < times; ++k) a->InsertNextValue(0.8 * k / times);
      poly->GetFieldData()->AddArray(a);
    }
    vtkNew<vtkXMLPolyDataWriter> w;
    w->SetInputData(poly);
    w->SetFileName((dir / name).c_str());
    w->Write();
    return dir / name;
  };
  const auto series = read_surface_series(write("lv.vtp", 8, 3, true, 8), 0, 1e-3);
  EXPECT_EQ(series->phase_count(), 8u);
  EXPECT_DOUBLE_EQ(series->period(), 0.8);
  EXPECT_NEAR(series->times()[4], 0.4, 1e-12);
  const double want = lv->volume(kPeriod / 2) * 1e-9;  // mm^3 to m^3
  EXPECT_NEAR(series->volume(0.4), want, 0.02 * want);
  // The period given wins over the file's.
  EXPECT_DOUBLE_EQ(read_surface_series(dir / "lv.vtp", 1.6)->period(), 1.6);

  const auto error = [&](const fs::path& file, double period = 0) {
    return message_of([&] { read_surface_series(file, period); });
  };
  std::string e = error(write("none.vtp", 0, 3, true, 0));
  EXPECT_NE(e.find("no point array named displacement"), std::string::npos) << e;
  e = error(write("flat.vtp", 4, 2, true, 0));
  EXPECT_NE(e.find("'displacement_0' has 2 components"), std::string::npos) << e;
  e = error(write("no_period.vtp", 4, 3, false, 0));
  EXPECT_NE(e.find("geometry.period_s"), std::string::npos) << e;
  EXPECT_EQ(error(dir / "no_period.vtp", 0.8), "(no error)");
  e = error(write("times.vtp", 4, 3, true, 5));
  EXPECT_NE(e.find("'times' holds 5 values for 4"), std::string::npos) << e;
  e = error(write("two.vtp", 2, 3, true, 0));
  EXPECT_NE(e.find("two.vtp"), std::string::npos) << e;
  EXPECT_NE(e.find("at least 3 phases"), std::string::npos) << e;
}

// write_surface_series writes what the one-.vtp reader reads: the same vertices at every phase,
// the times and the period; a phase of another mesh is refused with the file's name.
TEST(SurfaceSeries, WritesTheSeriesItReads) {
  const auto lv = ventricle();
  const TriangleMesh ed = prolate_cavity_mesh(kA, kB, kBeta, 16, 32);
  std::vector<std::vector<Vec3>> phases;
  std::vector<double> times;
  for (int k = 0; k < 5; ++k) {
    times.push_back(0.8 * k / 5 + 0.01);
    phases.emplace_back();
    for (const Vec3& p : ed.points) phases.back().push_back(moved(*lv, p, kPeriod * k / 5));
  }
  const auto file = scratch("surface_series_write") / "wall.vtp";
  write_surface_series(ed, phases, times, 0.8, file);
  const auto series = read_surface_series(file);
  ASSERT_EQ(series->phase_count(), 5u);
  EXPECT_DOUBLE_EQ(series->period(), 0.8);
  for (std::size_t k = 0; k < 5; ++k) {
    EXPECT_DOUBLE_EQ(series->times()[k], times[k]);
    const TriangleMesh m = series->mesh_at(times[k]);
    double worst = 0;
    for (std::size_t v = 0; v < m.points.size(); ++v)
      worst = std::max(worst, (m.points[v] - phases[k][v]).norm());
    EXPECT_LT(worst, 1e-9) << "phase " << k;
  }
  // Another heart rate: the stored times stretch with the period given.
  const auto slower = read_surface_series(file, 1.6);
  for (std::size_t k = 0; k < 5; ++k) EXPECT_DOUBLE_EQ(slower->times()[k], 2 * times[k]);
  phases[2].pop_back();
  const std::string e = message_of([&] { write_surface_series(ed, phases, times, 0.8, file); });
  EXPECT_NE(e.find("wall.vtp"), std::string::npos) << e;
  EXPECT_NE(e.find("phase 3 has"), std::string::npos) << e;
  EXPECT_EQ(read_surface_series(file)->phase_count(), 5u);  // the earlier file stands
}
