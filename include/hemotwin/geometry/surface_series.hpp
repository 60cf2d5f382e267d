#pragma once
// A chamber's wall from data (DomainSpec::moving_wall): one closed triangle mesh whose vertices
// are known at phases of a cycle (the frames of a 4D scan's segmentation carried by registration,
// or a series of surfaces exported by a tracking tool, vertex for vertex), interpolated between
// them by a periodic cubic spline in time: positions, velocities and accelerations continuous
// through every phase and across the cycle's end. The wall's velocity at a point is that of the
// nearest point of the surface (its triangle's vertices' velocities, barycentrically).
#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "hemotwin/core/moving_shapes.hpp"
#include "hemotwin/geometry/surface.hpp"
#include "hemotwin/geometry/surface_shape.hpp"

namespace hemotwin {

class SurfaceSeries final : public MovingShape {
 public:
  /// `phases[k]`: the mesh's vertices at `times[k]` (increasing, spanning less than `period`),
  /// the triangles shared by every phase. Throws hemotwin::Error naming the phase (counted from
  /// 1) for fewer than 3 phases, a phase whose vertex count differs from the first's or with a
  /// vertex that is not finite, times that do not increase within one period and a series that
  /// does not close its cycle (its last phase more than three times as far from its first as
  /// the farthest step between the others); and for an open mesh (SurfaceShape). Each phase is
  /// listed once: the cycle closes by itself (a first phase listed again at the end would hold
  /// the wall still for a phase, which only the times can tell from a chamber at rest).
  SurfaceSeries(std::vector<std::array<std::int32_t, 3>> triangles,
                std::vector<std::vector<Vec3>> phases, std::vector<double> times, double period);

  std::shared_ptr<const Shape> at(double t) const override;
  Vec3 wall_velocity(const Vec3& p, double t) const override { return velocity_field(t)(p); }
  std::function<Vec3(const Vec3&)> velocity_field(double t) const override;
  /// The vertices' velocities interpolated at the crossing's weights on its triangle; a point
  /// without one (element < 0) by its nearest point, as velocity_field.
  std::function<Vec3(const Vec3&, const WallPoint&)> velocity_field_on(double t) const override;
  Eigen::AlignedBox3d envelope() const override { return envelope_; }
  double period() const override { return period_; }

  std::size_t phase_count() const { return times_.size(); }
  const std::vector<double>& times() const { return times_; }
  /// The mesh at time t, and its vertices' velocities (length per time unit).
  TriangleMesh mesh_at(double t) const;
  std::vector<Vec3> velocities_at(double t) const;
  /// The enclosed volume at time t (positive).
  double volume(double t) const override;

 private:
  struct Snapshot {
    double t;
    std::shared_ptr<const SurfaceShape> shape;
    std::vector<Vec3> velocity;
  };
  /// The interval holding t and t's offset in it.
  std::pair<std::size_t, double> locate(double t) const;
  void evaluate(double t, std::vector<Vec3>* position, std::vector<Vec3>* velocity) const;
  std::shared_ptr<const Snapshot> snapshot(double t) const;

  std::vector<std::array<std::int32_t, 3>> triangles_;
  std::vector<std::vector<Vec3>> y_;  // the vertices at each phase
  std::vector<std::vector<Vec3>> m_;  // the spline's second derivatives there
  std::vector<double> times_;
  double period_ = 0;
  double orientation_ = 1;  // -1 when the triangles wind inward
  Eigen::AlignedBox3d envelope_;
  mutable std::mutex mutex_;
  mutable std::shared_ptr<const Snapshot> last_;
};

/// A series read from one surface file per phase (any format read_surface takes), the phases
/// evenly spread over `period` from t = 0, coordinates times `scale`. Throws hemotwin::Error
/// naming the file whose mesh is not the first's (vertex or triangle counts, or its triangles)
/// and what SurfaceSeries refuses.
std::shared_ptr<const SurfaceSeries> read_surface_series(
    const std::vector<std::filesystem::path>& files, double period, double scale = 1);

/// A series read from one .vtp: its mesh, and one 3-component point array per phase whose name
/// starts with "displacement" (in the file's order), phase k at the points plus displacement k,
/// times `scale`. The phases' times from a field array "times" when the file has one (as many as
/// phases, in the period's unit), else evenly spread from 0; the period from `period` when
/// positive, else from a one-value field array "period"; a `period` other than the stored one
/// stretches the stored times with it (the same fractions of the cycle). Throws hemotwin::Error
/// naming the file
/// and the array at fault, and what SurfaceSeries refuses.
std::shared_ptr<const SurfaceSeries> read_surface_series(const std::filesystem::path& vtp,
                                                         double period = 0, double scale = 1);

/// Writes a series as the one-.vtp reader above reads it: `mesh` (its points the wall at the first
/// phase, its triangles every phase's), one point array "displacement_NN" per phase (that phase's
/// vertices less the mesh's points), and the field arrays "times" and "period". Written whole or
/// not at all. Throws hemotwin::Error naming the file for a phase whose vertex count is not the
/// mesh's, times not one per phase, or a file that cannot be written.
void write_surface_series(const TriangleMesh& mesh, const std::vector<std::vector<Vec3>>& phases,
                          const std::vector<double>& times, double period,
                          const std::filesystem::path& vtp);

}  // namespace hemotwin
