#include "hemotwin/geometry/surface_series.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <string>

#include "hemotwin/core/error.hpp"

namespace hemotwin {
namespace {

std::string num(double v) {
  std::string s = std::to_string(v);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

double largest_step(const std::vector<Vec3>& a, const std::vector<Vec3>& b) {
  double d = 0;
  for (std::size_t v = 0; v < a.size(); ++v) d = std::max(d, (a[v] - b[v]).norm());
  return d;
}

}  // namespace

SurfaceSeries::SurfaceSeries(std::vector<std::array<std::int32_t, 3>> triangles,
                             std::vector<std::vector<Vec3>> phases, std::vector<double> times,
                             double period)
    : triangles_(std::move(triangles)),
      y_(std::move(phases)),
      times_(std::move(times)),
      period_(period) {
  const std::size_t n = y_.size();
  const auto fail = [](const std::string& what) { throw Error("surface series: " + what); };
  if (n < 3)
    fail("a cycle needs at least 3 phases, got " + std::to_string(n) +
         " (a periodic cubic spline through fewer is not a motion)");
  if (times_.size() != n)
    fail(std::to_string(n) + " phases but " + std::to_string(times_.size()) + " times");
  if (!(period_ > 0) || !std::isfinite(period_))
    fail("the cycle's period must be positive, got " + num(period_));
  const std::size_t nv = y_[0].size();
  if (nv < 4 || triangles_.size() < 4) fail("the mesh needs at least 4 vertices and 4 triangles");
  for (const auto& t : triangles_)
    for (std::int32_t v : t)
      if (v < 0 || std::size_t(v) >= nv)
        fail("a triangle uses vertex " + std::to_string(v) + " of " + std::to_string(nv));
  for (std::size_t k = 0; k < n; ++k) {
    const std::string phase = "phase " + std::to_string(k + 1);
    if (y_[k].size() != nv)
      fail(phase + " has " + std::to_string(y_[k].size()) + " vertices, phase 1 has " +
           std::to_string(nv) + ": a series moves one mesh, vertex for vertex");
    for (const Vec3& p : y_[k])
      if (!p.allFinite()) fail(phase + " has a vertex that is not a finite number");
    if (!std::isfinite(times_[k])) fail(phase + "'s time is not a finite number");
    if (k > 0 && !(times_[k] > times_[k - 1]))
      fail("the phases' times must increase: phase " + std::to_string(k + 1) + " at " +
           num(times_[k]) + " follows phase " + std::to_string(k) + " at " + num(times_[k - 1]));
  }
  if (!(times_.back() - times_.front() < period_))
    fail("the phases span " + num(times_.back() - times_.front()) + ", not less than the period " +
         num(period_) + ": list one cycle's phases, the first not repeated at its end");
  // The steps from each phase to the next, the last across the cycle's end.
  std::vector<double> step(n);
  for (std::size_t k = 0; k < n; ++k) step[k] = largest_step(y_[k], y_[(k + 1) % n]);
  // (A phase may repeat the one before it: a chamber holds still while its valves are closed.)
  const double others = *std::max_element(step.begin(), step.end() - 1);
  if (step[n - 1] > 3 * others)
    fail("the series does not close its cycle: its last phase lies up to " + num(step[n - 1]) +
         " from its first, against at most " + num(others) +
         " between the others; give phases over one whole cycle, evenly or with their times");

  // The periodic spline's second derivatives: h_{k-1} M_{k-1} + 2 (h_{k-1} + h_k) M_k +
  // h_k M_{k+1} = 6 ((y_{k+1} - y_k) / h_k - (y_k - y_{k-1}) / h_{k-1}), indices cyclic.
  std::vector<double> h(n);
  for (std::size_t k = 0; k < n; ++k)
    h[k] = k + 1 < n ? times_[k + 1] - times_[k] : times_[0] + period_ - times_[k];
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(Eigen::Index(n), Eigen::Index(n));
  Eigen::MatrixXd rhs(Eigen::Index(n), Eigen::Index(3 * nv));
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t prev = (k + n - 1) % n, next = (k + 1) % n;
    a(Eigen::Index(k), Eigen::Index(prev)) += h[prev];
    a(Eigen::Index(k), Eigen::Index(k)) += 2 * (h[prev] + h[k]);
    a(Eigen::Index(k), Eigen::Index(next)) += h[k];
    for (std::size_t v = 0; v < nv; ++v) {
      const Vec3 r = 6 * ((y_[next][v] - y_[k][v]) / h[k] - (y_[k][v] - y_[prev][v]) / h[prev]);
      for (int c = 0; c < 3; ++c) rhs(Eigen::Index(k), Eigen::Index(3 * v + std::size_t(c))) = r[c];
    }
  }
  const Eigen::MatrixXd m = a.partialPivLu().solve(rhs);
  m_.assign(n, std::vector<Vec3>(nv));
  for (std::size_t k = 0; k < n; ++k)
    for (std::size_t v = 0; v < nv; ++v)
      for (int c = 0; c < 3; ++c)
        m_[k][v][c] = m(Eigen::Index(k), Eigen::Index(3 * v + std::size_t(c)));

  // Closed (SurfaceShape checks), and which way its triangles wind.
  TriangleMesh first{y_[0], triangles_};
  SurfaceShape check(first);
  orientation_ = first.signed_volume() < 0 ? -1.0 : 1.0;
  // The envelope: 16 samples an interval, widened by the most a vertex moves between two.
  std::vector<Vec3> p, prev;
  envelope_.setEmpty();
  double widen = 0;
  for (std::size_t k = 0; k < n; ++k)
    for (int s = 0; s < 16; ++s) {
      evaluate(times_[k] + h[k] * s / 16, &p, nullptr);
      for (const Vec3& x : p) envelope_.extend(x);
      if (!prev.empty()) widen = std::max(widen, largest_step(p, prev));
      prev.swap(p);
    }
  envelope_.min() -= Vec3::Constant(widen);
  envelope_.max() += Vec3::Constant(widen);
}

std::pair<std::size_t, double> SurfaceSeries::locate(double t) const {
  double tau = std::fmod(t - times_[0], period_);
  if (tau < 0) tau += period_;
  const auto it = std::upper_bound(times_.begin(), times_.end(), times_[0] + tau);
  const std::size_t k = std::size_t(it - times_.begin()) - 1;
  return {k, times_[0] + tau - times_[k]};
}

void SurfaceSeries::evaluate(double t, std::vector<Vec3>* position,
                             std::vector<Vec3>* velocity) const {
  const std::size_t n = times_.size(), nv = y_[0].size();
  const auto [k, s] = locate(t);
  const std::size_t next = (k + 1) % n;
  const double h = k + 1 < n ? times_[k + 1] - times_[k] : times_[0] + period_ - times_[k];
  const double a = (h - s) / h, b = s / h;
  if (position) {
    position->resize(nv);
    const double ca = (a * a * a - a) * h * h / 6, cb = (b * b * b - b) * h * h / 6;
    for (std::size_t v = 0; v < nv; ++v)
      (*position)[v] = a * y_[k][v] + b * y_[next][v] + ca * m_[k][v] + cb * m_[next][v];
  }
  if (velocity) {
    velocity->resize(nv);
    const double ca = -(3 * a * a - 1) * h / 6, cb = (3 * b * b - 1) * h / 6;
    for (std::size_t v = 0; v < nv; ++v)
      (*velocity)[v] = (y_[next][v] - y_[k][v]) / h + ca * m_[k][v] + cb * m_[next][v];
  }
}

TriangleMesh SurfaceSeries::mesh_at(double t) const {
  TriangleMesh mesh;
  mesh.triangles = triangles_;
  evaluate(t, &mesh.points, nullptr);
  return mesh;
}

std::vector<Vec3> SurfaceSeries::velocities_at(double t) const {
  std::vector<Vec3> v;
  evaluate(t, nullptr, &v);
  return v;
}

double SurfaceSeries::volume(double t) const { return orientation_ * mesh_at(t).signed_volume(); }

// A relink asks for the shape and then the velocities at one time: the last is kept.
std::shared_ptr<const SurfaceSeries::Snapshot> SurfaceSeries::snapshot(double t) const {
  std::lock_guard lock(mutex_);
  if (last_ && last_->t == t) return last_;
  auto snap = std::make_shared<Snapshot>();
  snap->t = t;
  TriangleMesh mesh;
  mesh.triangles = triangles_;
  evaluate(t, &mesh.points, &snap->velocity);
  snap->shape = std::make_shared<SurfaceShape>(std::move(mesh));
  last_ = snap;
  return snap;
}

std::shared_ptr<const Shape> SurfaceSeries::at(double t) const { return snapshot(t)->shape; }

namespace {
Vec3 interpolated(const std::vector<Vec3>& velocity, const TriangleMesh& mesh,
                  std::int32_t triangle, const std::array<double, 3>& weights) {
  const auto& tri = mesh.triangles[std::size_t(triangle)];
  Vec3 u = Vec3::Zero();
  for (std::size_t c = 0; c < 3; ++c) u += weights[c] * velocity[std::size_t(tri[c])];
  return u;
}
}  // namespace

std::function<Vec3(const Vec3&)> SurfaceSeries::velocity_field(double t) const {
  return [snap = snapshot(t)](const Vec3& p) -> Vec3 {
    const auto near = snap->shape->nearest(p);
    return interpolated(snap->velocity, snap->shape->mesh(), near.triangle, near.weights);
  };
}

// The triangles are the same at every time: a crossing found on the shape at t has its weights
// on the vertices whose velocities at t the snapshot holds.
std::function<Vec3(const Vec3&, const WallPoint&)> SurfaceSeries::velocity_field_on(
    double t) const {
  return [snap = snapshot(t)](const Vec3& p, const WallPoint& at) -> Vec3 {
    if (at.element >= 0)
      return interpolated(snap->velocity, snap->shape->mesh(), at.element, at.weights);
    const auto near = snap->shape->nearest(p);
    return interpolated(snap->velocity, snap->shape->mesh(), near.triangle, near.weights);
  };
}

}  // namespace hemotwin
