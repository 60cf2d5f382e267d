// Synthetic vessel phantoms and their rendering as CT- or MR-like angiograms.
#include "hemotwin/imaging/phantom.hpp"

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <random>

#include "hemotwin/core/error.hpp"
#include "raw.hpp"

namespace hemotwin::imaging {

namespace {
constexpr double kPi = std::numbers::pi;

// Distance from p to a round cone between (a, ra) and (b, rb): the distance to the nearest point
// of the axis segment less the radius interpolated there.
double segment_distance(const Vec3& p, const Vec3& a, const Vec3& b, double ra, double rb) {
  const Vec3 ab = b - a;
  const double len2 = ab.squaredNorm();
  const double t = len2 > 0 ? std::clamp((p - a).dot(ab) / len2, 0.0, 1.0) : 0.0;
  return (p - (a + t * ab)).norm() - (ra + t * (rb - ra));
}

// One primitive of the union: a tube segment or a sphere (b unused, rb unused).
struct Primitive {
  Vec3 a, b;
  double ra, rb;
  bool sphere;
  double distance(const Vec3& p) const {
    return sphere ? (p - a).norm() - ra : segment_distance(p, a, b, ra, rb);
  }
};

std::vector<Primitive> primitives(const VesselModel& m) {
  std::vector<Primitive> out;
  for (const auto& t : m.tubes())
    for (std::size_t k = 0; k + 1 < t.points.size(); ++k)
      out.push_back({t.points[k], t.points[k + 1], t.radii[k], t.radii[k + 1], false});
  for (const auto& s : m.spheres()) out.push_back({s.centre, s.centre, s.radius, s.radius, true});
  return out;
}

Vec3 unit(const Vec3& v, const char* what) {
  if (!(v.norm() > 0)) throw Error(std::string(what) + " must be a non-zero vector");
  return v.normalized();
}
}  // namespace

VesselModel& VesselModel::add_tube(Tube tube) {
  if (tube.points.size() < 2 || tube.points.size() != tube.radii.size())
    throw Error("a tube needs at least two centreline points and one radius per point");
  for (double r : tube.radii)
    if (!(r > 0)) throw Error("a tube's radii must be positive (mm)");
  tubes_.push_back(std::move(tube));
  return *this;
}

VesselModel& VesselModel::add_sphere(const Vec3& centre, double radius) {
  if (!(radius > 0)) throw Error("a sphere's radius must be positive (mm)");
  spheres_.push_back({centre, radius});
  return *this;
}

double VesselModel::distance(const Vec3& p) const {
  double d = std::numeric_limits<double>::infinity();
  for (const auto& t : tubes_)
    for (std::size_t k = 0; k + 1 < t.points.size(); ++k)
      d = std::min(d,
                   segment_distance(p, t.points[k], t.points[k + 1], t.radii[k], t.radii[k + 1]));
  for (const auto& s : spheres_) d = std::min(d, (p - s.centre).norm() - s.radius);
  return d;
}

VesselModel VesselModel::transformed(const Eigen::Isometry3d& pose) const {
  VesselModel m = *this;
  for (Tube& t : m.tubes_)
    for (Vec3& p : t.points) p = pose * p;
  for (Sphere& s : m.spheres_) s.centre = pose * s.centre;
  return m;
}

void VesselModel::bounds(Vec3& lo, Vec3& hi) const {
  lo = Vec3::Constant(std::numeric_limits<double>::infinity());
  hi = -lo;
  for (const auto& t : tubes_)
    for (std::size_t k = 0; k < t.points.size(); ++k) {
      lo = lo.cwiseMin(t.points[k] - Vec3::Constant(t.radii[k]));
      hi = hi.cwiseMax(t.points[k] + Vec3::Constant(t.radii[k]));
    }
  for (const auto& s : spheres_) {
    lo = lo.cwiseMin(s.centre - Vec3::Constant(s.radius));
    hi = hi.cwiseMax(s.centre + Vec3::Constant(s.radius));
  }
  if (tubes_.empty() && spheres_.empty()) throw Error("the vessel model is empty");
}

VesselModel VesselModel::straight(const Vec3& a, const Vec3& b, double radius) {
  VesselModel m;
  m.add_tube({{a, b}, {radius, radius}});
  return m;
}

VesselModel VesselModel::curved(const Vec3& start, const Vec3& axis, const Vec3& towards,
                                double bend_radius, double angle, double radius) {
  const Vec3 t0 = unit(axis, "the axis");
  const Vec3 n =
      unit(towards - towards.dot(t0) * t0, "the bend direction (towards, not along the axis)");
  if (!(bend_radius > radius)) throw Error("the bend radius must exceed the tube radius");
  const Vec3 centre = start + bend_radius * n;
  Tube t;
  const int pieces = std::max(8, int(std::ceil(std::abs(angle) / (kPi / 90))));  // 2° pieces
  for (int k = 0; k <= pieces; ++k) {
    const double phi = angle * k / pieces;
    t.points.push_back(centre - bend_radius * std::cos(phi) * n + bend_radius * std::sin(phi) * t0);
    t.radii.push_back(radius);
  }
  VesselModel m;
  m.add_tube(std::move(t));
  return m;
}

VesselModel VesselModel::stenosis(const Vec3& a, const Vec3& b, double radius, double severity,
                                  double position, double length) {
  if (!(severity >= 0 && severity < 1)) throw Error("stenosis severity must lie in [0, 1)");
  const double total = (b - a).norm();
  if (!(length > 0) || position - length / 2 < 0 || position + length / 2 > total)
    throw Error("the stenosis must lie within the tube");
  const Vec3 e = unit(b - a, "the tube");
  Tube t;
  auto add = [&](double s) {
    double r = radius;
    if (std::abs(s - position) < length / 2)
      r = radius * (1 - severity / 2 * (1 + std::cos(2 * kPi * (s - position) / length)));
    t.points.push_back(a + s * e);
    t.radii.push_back(r);
  };
  add(0);
  const int pieces = 64;
  for (int k = 0; k <= pieces; ++k) add(position - length / 2 + length * k / pieces);
  add(total);
  VesselModel m;
  m.add_tube(std::move(t));
  return m;
}

VesselModel VesselModel::aneurysm(const Vec3& a, const Vec3& b, double radius, double position,
                                  const Vec3& side, double sac_radius, double offset) {
  const Vec3 e = unit(b - a, "the tube");
  const Vec3 s = unit(side - side.dot(e) * e, "the aneurysm side (across the tube)");
  VesselModel m = straight(a, b, radius);
  m.add_sphere(a + position * e + offset * s, sac_radius);
  return m;
}

VesselModel VesselModel::carotid_bifurcation(const Vec3& origin, double ica_stenosis) {
  const Vec3 up(0, 1, 0);
  const Vec3 fork = origin + 30 * up;
  const double angle = 25 * kPi / 180;
  const Vec3 ica_dir(std::sin(angle), std::cos(angle), 0),
      eca_dir(-std::sin(angle), std::cos(angle), 0);
  VesselModel m = straight(origin, fork, 3.0);
  // The internal carotid: a short taper from the bulb, then the stenosis 10 mm past the fork.
  VesselModel ica = stenosis(fork, fork + 40 * ica_dir, 2.5, ica_stenosis, 10, 8);
  m.add_tube(ica.tubes().front());
  m.add_tube({{fork, fork + 40 * eca_dir}, {1.8, 1.8}});
  return m;
}

namespace {

void check(const RenderOptions& o) {
  for (int a = 0; a < 3; ++a)
    if (!(o.spacing[a] > 0)) throw Error("phantom spacing must be positive (mm)");
  if (!(o.blur_sigma >= 0) || !(o.noise_sigma >= 0) || o.supersample < 1)
    throw Error("phantom blur, noise must be >= 0 and supersample >= 1");
  const Eigen::Matrix3d R = o.direction;
  if (!(R.transpose() * R).isApprox(Eigen::Matrix3d::Identity(), 1e-9))
    throw Error("phantom direction must be orthonormal");
  if (o.grid.voxels() > 0 &&
      (!(o.grid.spacing.minCoeff() > 0) || !(o.grid.direction.transpose() * o.grid.direction)
                                                .isApprox(Eigen::Matrix3d::Identity(), 1e-9)))
    throw Error("phantom grid: spacing must be positive and the direction orthonormal");
}

// The grid over [lo, hi] plus the margin, at the options' spacing along their direction.
Grid bounding_grid(Vec3 lo, Vec3 hi, const RenderOptions& o) {
  const Eigen::Matrix3d R = o.direction;
  lo -= Vec3::Constant(o.margin);
  hi += Vec3::Constant(o.margin);
  Vec3 rlo = Vec3::Constant(1e300), rhi = -rlo;
  for (int c = 0; c < 8; ++c) {
    const Vec3 p((c & 1) ? hi[0] : lo[0], (c & 2) ? hi[1] : lo[1], (c & 4) ? hi[2] : lo[2]);
    const Vec3 r = R.transpose() * p;
    rlo = rlo.cwiseMin(r);
    rhi = rhi.cwiseMax(r);
  }
  Grid b;
  b.spacing = o.spacing;
  b.direction = R;
  b.origin = R * rlo;
  for (int a = 0; a < 3; ++a) b.size[a] = int(std::ceil((rhi[a] - rlo[a]) / o.spacing[a])) + 1;
  return b;
}

double lumen_value(const RenderOptions& o) {
  return o.lumen >= 0 ? o.lumen : (o.modality == Modality::CT ? 400 : 600);
}
double tissue_value(const RenderOptions& o) {
  return o.tissue >= 0 ? o.tissue : (o.modality == Modality::CT ? 40 : 100);
}
// Tissue's smooth variation at a point of the scene's own frame.
double tissue_at(const RenderOptions& o, const Vec3& p) {
  const double variation = o.modality == Modality::CT ? 30 : 40;
  return tissue_value(o) +
         variation * std::sin(2 * kPi * p[0] / 37.0) * std::cos(2 * kPi * p[1] / 53.0);
}

// The scanner's point spread and noise.
void blur_and_noise(Image& image, const RenderOptions& o) {
  if (o.blur_sigma > 0) {
    auto raw = detail::to_raw(image);
    itk_ops::gaussian_blur(raw, o.blur_sigma);
    image.data = std::move(raw.data);
  }
  if (o.noise_sigma > 0) {
    std::mt19937 rng(o.seed);
    std::normal_distribution<double> noise(0.0, o.noise_sigma);
    for (float& v : image.data) {
      if (o.modality == Modality::CT) {
        v = float(v + noise(rng));
      } else {  // Rician: the magnitude of a complex signal with Gaussian noise on both parts
        const double re = v + noise(rng), im = noise(rng);
        v = float(std::sqrt(re * re + im * im));
      }
    }
  }
}

}  // namespace

Phantom render(const VesselModel& model, const RenderOptions& o) {
  check(o);
  const bool ct = o.modality == Modality::CT;
  const double lumen = lumen_value(o);
  auto model_grid = [&](const VesselModel& m) {
    Vec3 lo, hi;
    m.bounds(lo, hi);
    return bounding_grid(lo, hi, o);
  };
  // `frame` is the scene's own grid (the identity pose's), which places the bone; `g` the scan's.
  const bool posed = !o.pose.isApprox(Eigen::Isometry3d::Identity(), 1e-12);
  const VesselModel moved = posed ? model.transformed(o.pose) : VesselModel();
  const VesselModel& scene = posed ? moved : model;
  const Grid frame = model_grid(model);
  const Grid g = o.grid.voxels() > 0 ? o.grid : posed ? model_grid(moved) : frame;

  Phantom out{Image(g, 0.0f), LabelMap(g, 0)};
  const auto prims = primitives(scene);
  const double half_diag = 0.5 * g.spacing.norm();

  // Blocks of 8^3 voxels: the primitives that can be nearest within a block, found once from its
  // centre (the distance changes by at most the displacement, with a margin for tapered tubes).
  constexpr int S = 8;
  const int bx = (g.size[0] + S - 1) / S, by = (g.size[1] + S - 1) / S,
            bz = (g.size[2] + S - 1) / S;
  const double block_reach = 1.5 * (S * 0.5 * g.spacing.norm() + half_diag);
  std::vector<float> fraction(std::size_t(g.voxels()), 0.0f);
  std::vector<double> block_distance(std::size_t(bx) * by * bz);  // the lumen's, from the centre
#pragma omp parallel for schedule(dynamic, 1) collapse(2)
  for (int kz = 0; kz < bz; ++kz)
    for (int ky = 0; ky < by; ++ky)
      for (int kx = 0; kx < bx; ++kx) {
        const Vec3 centre =
            g.point(Vec3((kx + 0.5) * S - 0.5, (ky + 0.5) * S - 0.5, (kz + 0.5) * S - 0.5));
        std::vector<double> dist(prims.size());
        double dmin = std::numeric_limits<double>::infinity();
        for (std::size_t n = 0; n < prims.size(); ++n)
          dmin = std::min(dmin, dist[n] = prims[n].distance(centre));
        block_distance[std::size_t(kx + bx * (ky + std::size_t(by) * kz))] = dmin;
        if (dmin > block_reach) continue;  // all outside
        std::vector<const Primitive*> near;
        for (std::size_t n = 0; n < prims.size(); ++n)
          if (dist[n] < dmin + 2 * block_reach) near.push_back(&prims[n]);
        auto d_at = [&](const Vec3& p) {
          double d = std::numeric_limits<double>::infinity();
          for (const Primitive* q : near) d = std::min(d, q->distance(p));
          return d;
        };
        const bool all_inside = dmin < -block_reach;
        for (int z = kz * S; z < std::min(g.size[2], (kz + 1) * S); ++z)
          for (int y = ky * S; y < std::min(g.size[1], (ky + 1) * S); ++y)
            for (int x = kx * S; x < std::min(g.size[0], (kx + 1) * S); ++x) {
              const std::int64_t n = g.linear(x, y, z);
              if (all_inside) {
                fraction[n] = 1;
                out.labels.data[n] = 1;
                continue;
              }
              const double d = d_at(g.point(x, y, z));
              out.labels.data[n] = d < 0 ? 1 : 0;
              if (d <= -1.5 * half_diag) {
                fraction[n] = 1;
              } else if (d < 1.5 * half_diag) {  // the wall may cross this voxel: sub-sample
                const int m = o.supersample;
                int in = 0;
                for (int c = 0; c < m; ++c)
                  for (int b = 0; b < m; ++b)
                    for (int a = 0; a < m; ++a) {
                      const Vec3 sub(x + (a + 0.5) / m - 0.5, y + (b + 0.5) / m - 0.5,
                                     z + (c + 0.5) / m - 0.5);
                      in += d_at(g.point(sub)) < 0;
                    }
                fraction[n] = float(in) / float(m * m * m);
              }
            }
      }

  // Intensities: tissue with a smooth variation, the lumen by its volume fraction, and on CT a
  // block of bone well away from the lumen (at the low-x side of the grid).
  const Eigen::Isometry3d inverse = o.pose.inverse();
#pragma omp parallel for schedule(static)
  for (int z = 0; z < g.size[2]; ++z)
    for (int y = 0; y < g.size[1]; ++y)
      for (int x = 0; x < g.size[0]; ++x) {
        const std::int64_t n = g.linear(x, y, z);
        const Vec3 p = posed ? Vec3(inverse * g.point(x, y, z)) : g.point(x, y, z);
        double v = tissue_at(o, p);
        v += (lumen - v) * fraction[n];
        const bool bone_side =
            posed ? std::lround(frame.index(p)[0]) < frame.size[0] / 6 : x < g.size[0] / 6;
        if (ct && bone_side && fraction[n] == 0) {
          // Bone where the lumen is more than 3 mm away; whole blocks decide without the model.
          const double db =
              block_distance[std::size_t(x / S + bx * (y / S + std::size_t(by) * (z / S)))];
          if (db > 3.0 + block_reach || (db >= 3.0 - block_reach && model.distance(p) > 3.0))
            v = 1000;
        }
        out.image.data[n] = float(v);
      }

  blur_and_noise(out.image, o);
  return out;
}

Phantom render(const SurfaceShape& shape, const RenderOptions& o) {
  check(o);
  if (!o.pose.isApprox(Eigen::Isometry3d::Identity(), 1e-12))
    throw Error("a surface phantom renders where its mesh lies: move the mesh, not the pose");
  const auto box = shape.bounds();
  const Grid g = o.grid.voxels() > 0 ? o.grid : bounding_grid(box.min(), box.max(), o);
  const double lumen = lumen_value(o), tissue = tissue_value(o);
  Phantom out{Image(g, 0.0f), LabelMap(g, 0)};

  // The voxels the wall may cross: those within a voxel of some triangle's bounding box.
  std::vector<std::uint8_t> near(std::size_t(g.voxels()), 0);
  const TriangleMesh& mesh = shape.mesh();
  for (const auto& t : mesh.triangles) {
    Vec3 lo = Vec3::Constant(1e300), hi = -lo;
    for (int v = 0; v < 3; ++v) {
      const Vec3 c = g.index(mesh.points[std::size_t(t[std::size_t(v)])]);
      lo = lo.cwiseMin(c);
      hi = hi.cwiseMax(c);
    }
    int a[3], b[3];
    for (int d = 0; d < 3; ++d) {
      a[d] = std::max(0, int(std::floor(lo[d])) - 1);
      b[d] = std::min(g.size[d] - 1, int(std::ceil(hi[d])) + 1);
    }
    for (int z = a[2]; z <= b[2]; ++z)
      for (int y = a[1]; y <= b[1]; ++y)
        for (int x = a[0]; x <= b[0]; ++x) near[std::size_t(g.linear(x, y, z))] = 1;
  }
  const int m = o.supersample;
#pragma omp parallel for schedule(dynamic, 1)
  for (int z = 0; z < g.size[2]; ++z)
    for (int y = 0; y < g.size[1]; ++y)
      for (int x = 0; x < g.size[0]; ++x) {
        const std::int64_t n = g.linear(x, y, z);
        const bool inside = shape.contains(g.point(x, y, z));
        out.labels.data[std::size_t(n)] = inside ? 1 : 0;
        double fraction = inside ? 1 : 0;
        if (near[std::size_t(n)]) {
          int in = 0;
          for (int c = 0; c < m; ++c)
            for (int b = 0; b < m; ++b)
              for (int a = 0; a < m; ++a)
                in += shape.contains(g.point(Vec3(x + (a + 0.5) / m - 0.5, y + (b + 0.5) / m - 0.5,
                                                  z + (c + 0.5) / m - 0.5)));
          fraction = double(in) / double(m * m * m);
        }
        out.image.data[std::size_t(n)] = float(tissue + (lumen - tissue) * fraction);
      }
  blur_and_noise(out.image, o);
  return out;
}

}  // namespace hemotwin::imaging
