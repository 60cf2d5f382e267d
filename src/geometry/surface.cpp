// Triangle meshes: measures, boundary loops (openings), closing them for voxelisation. Plain C++
// on the indexed mesh, so point indices stay those of the file; VTK lives in surface_io.cpp.
#include "hemotwin/geometry/surface.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>
#include <unordered_map>

#include "hemotwin/core/error.hpp"
#include "hemotwin/geometry/surface_shape.hpp"

namespace hemotwin {
namespace {

std::uint64_t edge_key(std::int32_t a, std::int32_t b) {
  const auto lo = std::uint32_t(std::min(a, b)), hi = std::uint32_t(std::max(a, b));
  return (std::uint64_t(hi) << 32) | lo;
}

std::string point_str(const Vec3& p) {
  std::ostringstream s;
  s.precision(4);
  s << "(" << p.x() << ", " << p.y() << ", " << p.z() << ")";
  return s.str();
}

/// Directed boundary edges (as their one triangle traverses them).
std::vector<std::pair<std::int32_t, std::int32_t>> boundary(const TriangleMesh& m) {
  std::unordered_map<std::uint64_t, std::int32_t> uses;
  uses.reserve(m.triangles.size() * 2);
  for (const auto& t : m.triangles)
    for (int e = 0; e < 3; ++e) ++uses[edge_key(t[e], t[(e + 1) % 3])];
  std::vector<std::pair<std::int32_t, std::int32_t>> out;
  for (const auto& t : m.triangles)
    for (int e = 0; e < 3; ++e)
      if (uses[edge_key(t[e], t[(e + 1) % 3])] == 1) out.emplace_back(t[e], t[(e + 1) % 3]);
  return out;
}

}  // namespace

Eigen::AlignedBox3d TriangleMesh::bounds() const {
  Eigen::AlignedBox3d b;
  for (const auto& t : triangles)
    for (int v : t) b.extend(points[std::size_t(v)]);
  return b;
}

double TriangleMesh::area() const {
  double a = 0;
  for (const auto& t : triangles)
    a += 0.5 * (points[t[1]] - points[t[0]]).cross(points[t[2]] - points[t[0]]).norm();
  return a;
}

double TriangleMesh::signed_volume() const {
  if (triangles.empty()) return 0;
  const Vec3 o = points[std::size_t(triangles[0][0])];  // reference point: less cancellation
  double v = 0;
  for (const auto& t : triangles)
    v += (points[t[0]] - o).dot((points[t[1]] - o).cross(points[t[2]] - o));
  return v / 6.0;
}

std::int64_t TriangleMesh::boundary_edges() const { return std::int64_t(boundary(*this).size()); }

void TriangleMesh::flip() {
  for (auto& t : triangles) std::swap(t[1], t[2]);
}

std::vector<Opening> find_openings(const TriangleMesh& mesh) {
  const auto edges = boundary(mesh);
  if (edges.empty()) return {};
  // Each boundary vertex starts exactly one boundary edge and ends exactly one, when the surface
  // is consistently wound; otherwise follow undirected neighbours.
  std::unordered_map<std::int32_t, std::vector<std::int32_t>> next;
  std::unordered_map<std::uint64_t, bool> forward;  // edge key -> traversed low->high
  for (const auto& [a, b] : edges) {
    next[a].push_back(b);
    next[b].push_back(a);
    forward[edge_key(a, b)] = a < b;
  }
  for (const auto& [v, nb] : next)
    if (nb.size() != 2)
      throw Error(
          "the surface's boundary is not a set of simple loops: " + std::to_string(nb.size()) +
          " boundary edges meet at " + point_str(mesh.points[std::size_t(v)]) +
          "; repair the surface (openings must not touch each other)");

  // Third vertex of the triangle on each boundary edge: it lies on the lumen's side.
  std::unordered_map<std::uint64_t, std::int32_t> third;
  for (const auto& t : mesh.triangles)
    for (int e = 0; e < 3; ++e) {
      const auto k = edge_key(t[e], t[(e + 1) % 3]);
      if (forward.count(k)) third[k] = t[(e + 2) % 3];
    }

  std::vector<Opening> out;
  std::unordered_map<std::int32_t, bool> seen;
  for (const auto& [a0, b0] : edges) {
    if (seen[a0]) continue;
    Opening o;
    // Walk from a0 towards b0, so the loop runs as its triangles traverse it.
    std::int32_t prev = a0, cur = b0;
    o.loop.push_back(a0);
    seen[a0] = true;
    while (cur != a0) {
      if (seen[cur]) throw Error("internal: boundary loop walk revisited a vertex");
      seen[cur] = true;
      o.loop.push_back(cur);
      const auto& nb = next[cur];
      const std::int32_t nxt = nb[0] == prev ? nb[1] : nb[0];
      prev = cur;
      cur = nxt;
    }
    const std::size_t n = o.loop.size();
    if (n < 3)
      throw Error("the surface has a degenerate boundary loop of " + std::to_string(n) +
                  " points near " + point_str(mesh.points[std::size_t(a0)]));
    auto P = [&](std::size_t i) -> const Vec3& { return mesh.points[std::size_t(o.loop[i % n])]; };

    Vec3 mean = Vec3::Zero();
    for (std::size_t i = 0; i < n; ++i) mean += P(i);
    mean /= double(n);
    Vec3 vec_area = Vec3::Zero();
    for (std::size_t i = 0; i < n; ++i) vec_area += 0.5 * (P(i) - mean).cross(P(i + 1) - mean);
    o.area = vec_area.norm();
    if (!(o.area > 0))
      throw Error("the surface has a boundary loop with no area near " + point_str(mean));
    o.normal = vec_area / o.area;
    Vec3 centre = Vec3::Zero();
    for (std::size_t i = 0; i < n; ++i) {
      const double w = 0.5 * (P(i) - mean).cross(P(i + 1) - mean).dot(o.normal);
      centre += w * (mean + P(i) + P(i + 1)) / 3.0;
    }
    o.centre = centre / o.area;
    // Outward: away from the triangles along the loop.
    double side = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const auto it = third.find(edge_key(o.loop[i], o.loop[(i + 1) % n]));
      if (it != third.end())
        side += (mesh.points[std::size_t(it->second)] - 0.5 * (P(i) + P(i + 1))).dot(o.normal);
    }
    if (side > 0) o.normal = -o.normal;
    for (std::size_t i = 0; i < n; ++i) {
      const Vec3 r = P(i) - o.centre;
      const double along = r.dot(o.normal);
      o.planarity = std::max(o.planarity, std::abs(along));
      o.max_radius = std::max(o.max_radius, (r - along * o.normal).norm());
      o.perimeter += (P(i + 1) - P(i)).norm();
    }
    o.radius = std::sqrt(o.area / std::numbers::pi);
    out.push_back(std::move(o));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Opening& a, const Opening& b) { return a.area > b.area; });
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i].name = "opening" + std::to_string(i + 1);
    out[i].kind = i == 0 ? IoletKind::VelocityInlet : IoletKind::PressureOutlet;
  }
  return out;
}

ClosedSurface close_openings(const TriangleMesh& mesh, const std::vector<Opening>& openings) {
  ClosedSurface out;
  out.mesh = mesh;
  auto& pts = out.mesh.points;
  auto& tris = out.mesh.triangles;
  for (const auto& o : openings) {
    if (o.loop.size() < 3 || !(o.radius > 0))
      throw Error("opening '" + o.name + "' has no loop; find it with find_openings");
    if (!(o.extension >= 0))
      throw Error("opening '" + o.name + "': a flow extension must be zero or positive (" +
                  std::to_string(o.extension) + " diameters given)");
    const Vec3 n = o.normal.normalized();
    double beyond = 0;  // farthest loop point along the normal
    for (const auto v : o.loop) beyond = std::max(beyond, (pts[std::size_t(v)] - o.centre).dot(n));
    const double margin = 0.1 * o.radius;
    const double plane = std::max(o.extension * 2.0 * o.radius, beyond + margin);
    const double cap = plane + margin;
    const std::size_t m = o.loop.size();
    const auto first = std::int32_t(pts.size());
    double reach = 0;
    for (const auto v : o.loop) {
      const Vec3 p = pts[std::size_t(v)];
      const Vec3 q = p + (cap - (p - o.centre).dot(n)) * n;
      pts.push_back(q);
      const Vec3 r = q - o.centre;
      reach = std::max(reach, (r - r.dot(n) * n).norm());
    }
    const auto apex = std::int32_t(pts.size());
    pts.push_back(o.centre + cap * n);
    // The loop runs as the mesh's triangles traverse it; the new ones traverse it backwards.
    for (std::size_t i = 0; i < m; ++i) {
      const std::size_t j = (i + 1) % m;
      const std::int32_t a = o.loop[i], b = o.loop[j];
      const std::int32_t a2 = first + std::int32_t(i), b2 = first + std::int32_t(j);
      tris.push_back({b, a, a2});
      tris.push_back({b, a2, b2});
      tris.push_back({apex, b2, a2});
    }
    IoletPlane io;
    io.name = o.name;
    io.kind = o.kind;
    io.point = o.centre + plane * n;
    io.normal = n;
    io.parabolic = true;
    io.radius = o.radius;
    io.reach = 1.1 * reach;
    io.circular = false;  // a vessel's cross-section: profiles follow the distance to its wall
    out.iolets.push_back(io);
  }
  return out;
}

DomainSpec surface_domain(const ClosedSurface& surface, double dx, int margin) {
  if (!(dx > 0)) throw Error("the lattice spacing must be positive");
  auto spec = DomainSpec::around(std::make_shared<SurfaceShape>(surface.mesh), dx, margin);
  spec.iolets = surface.iolets;
  return spec;
}

}  // namespace hemotwin
