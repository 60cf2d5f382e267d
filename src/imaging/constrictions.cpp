#include "hemotwin/imaging/constrictions.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <set>

#include "hemotwin/core/error.hpp"

namespace hemotwin::imaging {

namespace {

constexpr double kMm = 1e-3;  // metres per mm

/// The area of the lumen's cross-section through p (metres) normal to `tangent`: 32 rays in the
/// plane to the exact wall (Shape::intersect), A = 1/2 sum r_i^2 dtheta. `reach`: how far a ray
/// may go.
double section_area(const Shape& shape, const Vec3& p, const Vec3& tangent, double reach) {
  const Vec3 t = tangent.normalized();
  const Vec3 a = (std::abs(t.x()) < 0.9 ? Vec3::UnitX() : Vec3::UnitY()).cross(t).normalized();
  const Vec3 b = t.cross(a);
  constexpr int rays = 32;
  double area = 0;
  for (int i = 0; i < rays; ++i) {
    const double th = 2 * std::numbers::pi * i / rays;
    const Vec3 d = reach * (std::cos(th) * a + std::sin(th) * b);
    const double f = shape.intersect(p, d);
    const double r = std::min(f, 1.0) * reach;
    area += 0.5 * r * r * (2 * std::numbers::pi / rays);
  }
  return area;
}

/// Whether path `j` passes within `within` of point p (mm) near arc length s: the paths leave the
/// inlet together, so a shared stretch lies at about the same arc length on both.
bool passes(const Centerline& j, const Vec3& p, double s, double within) {
  const double lo = s - 4 * within - 1, hi = s + 4 * within + 1;
  for (std::size_t i = 0; i < j.points.size(); ++i) {
    if (j.arc_length[i] < lo || j.arc_length[i] > hi) continue;
    if ((j.points[i] - p).norm() < within) return true;
  }
  return false;
}

// The first velocity inlet (null without one) and the outlets, in order.
const Opening* split_openings(const std::vector<Opening>& openings,
                              std::vector<const Opening*>& outlets) {
  const Opening* inlet = nullptr;
  for (const auto& o : openings) {
    if (o.kind == IoletKind::VelocityInlet && !inlet)
      inlet = &o;
    else if (o.kind != IoletKind::VelocityInlet)
      outlets.push_back(&o);
  }
  return inlet;
}

}  // namespace

LabelMap domain_mask(const DomainSpec& d) {
  if (!d.shape) throw Error("domain_mask: the domain has no shape");
  Grid g;
  for (int a = 0; a < 3; ++a) g.size[a] = d.cells[a];
  g.origin = d.origin / kMm;
  g.spacing = Vec3::Constant(d.dx / kMm);
  if (g.voxels() <= 0) throw Error("domain_mask: the domain has no cells");
  LabelMap m(g, 0);
  for (int k = 0; k < g.size[2]; ++k)
    for (int j = 0; j < g.size[1]; ++j) {
      const Vec3 start = d.origin + d.dx * Vec3(0, j, k);
      d.shape->contains_row(start, d.dx, g.size[0], &m.at(0, j, k));
    }
  return m;
}

std::vector<Centerline> flow_paths(const DomainSpec& domain, const std::vector<Opening>& openings) {
  std::vector<const Opening*> outlets;
  const Opening* inlet = split_openings(openings, outlets);
  if (!inlet || outlets.empty()) return {};
  const LabelMap mask = domain_mask(domain);
  std::vector<Vec3> targets;
  for (const auto* o : outlets) targets.push_back(o->centre);
  CenterlineOptions co;
  co.snap = 3 * domain.dx / kMm + 0.5 * inlet->radius;  // the openings' centres lie on their caps
  std::vector<Centerline> lines = centerlines(mask, inlet->centre, targets, co);
  // Each point's radius: the equivalent radius of the exact cross-section, sqrt(A / pi).
  for (auto& c : lines) {
    for (std::size_t i = 0; i < c.points.size(); ++i) {
      const Vec3 t = c.points.size() > 1 ? c.tangent_at(c.arc_length[i]) : Vec3::UnitX();
      const double reach = 3 * std::max(c.radius[i], 2 * domain.dx / kMm) * kMm;
      const double area = section_area(*domain.shape, c.points[i] * kMm, t, reach);
      c.radius[i] = std::sqrt(area / std::numbers::pi) / kMm;
    }
  }
  return lines;
}

std::vector<Constriction> find_constrictions(const DomainSpec& domain,
                                             const std::vector<Opening>& openings) {
  const std::vector<Centerline> lines = flow_paths(domain, openings);
  if (lines.empty()) return {};
  std::vector<const Opening*> outlets;
  const Opening* inlet = split_openings(openings, outlets);
  std::vector<Constriction> out;
  for (std::size_t k = 0; k < lines.size(); ++k) {
    const Centerline& c = lines[k];
    // Off the caps at either end: a radius and a half of each opening, and a cell more.
    const double h = domain.dx / kMm;
    const double s0 = 1.5 * inlet->radius + h, s1 = c.length() - 1.5 * outlets[k]->radius - h;
    std::set<std::size_t> current;
    std::size_t best = c.points.size();
    const auto flush = [&] {
      if (best >= c.points.size()) return;
      Constriction x;
      x.point = c.points[best] * kMm;
      x.radius = c.radius[best] * kMm;
      for (std::size_t j : current) x.outlets.push_back(outlets[j]->name);
      x.path = inlet->name + " -> " + outlets[k]->name;
      // The same stretch seen from another path that carries the same outlets: keep one.
      const bool seen = std::any_of(out.begin(), out.end(), [&](const Constriction& y) {
        return y.outlets == x.outlets &&
               (y.point - x.point).norm() < 2 * std::max(x.radius, y.radius);
      });
      if (!seen) out.push_back(std::move(x));
      best = c.points.size();
    };
    for (std::size_t i = 0; i < c.points.size(); ++i) {
      if (c.arc_length[i] < s0 || c.arc_length[i] > s1) continue;
      std::set<std::size_t> sharing{k};
      for (std::size_t j = 0; j < lines.size(); ++j)
        if (j != k && passes(lines[j], c.points[i], c.arc_length[i], 0.5 * c.radius[i]))
          sharing.insert(j);
      if (sharing != current) {
        flush();
        current = sharing;
      }
      if (best >= c.points.size() || c.radius[i] < c.radius[best]) best = i;
    }
    flush();
  }
  return out;
}

}  // namespace hemotwin::imaging
