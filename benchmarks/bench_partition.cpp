// The partitioner at clinical scale, on paper (docs/scaling.md): lays a geometry onto the lattice
// at the resolution a clinical run would use, splits it for 8 to 1024 processes with the
// partitioner hemotwin runs (partition_bricks: a Hilbert curve cut by cost) and, with --scotch,
// with Scotch's graph partitioner on the bricks (Debian's libscotch, the sequential form of
// PT-Scotch) for comparison, and prints for each split the fluid cells per process, the load
// imbalance, the halo (cells read from other processes, populations received per step, bytes
// in float) and the neighbours; then the parallel efficiency the split implies on H100 or H200
// nodes under the bandwidth model printed with it.
//
//   build/benchmarks/bench_partition --surface ../shared/data/vampy/models_artery_artery.vtp
//                                    --spacing 0.05 [--ranks 8,16,...] [--scotch] [--gpu h200]
//   build/benchmarks/bench_partition --aortic-tree --spacing 0.1 [--scotch]
//
// Geometry lengths in mm. The aortic tree is ours: the aorta of the ADAN56 arterial model
// (Boileau et al. 2015, segment lengths and radii as in ../shared/data/openbf-inflow-waveforms)
// from the root to the iliac bifurcation with its main branches, laid out by hand along an arch
// and a straight descending aorta, the branches truncated where a clinical aortic model ends them.
#include <omp.h>
#include <scotch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <numbers>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "hemotwin/core/decomposition.hpp"
#include "hemotwin/core/kernels.hpp"
#include "hemotwin/core/lattice.hpp"
#include "hemotwin/core/shapes.hpp"
#include "hemotwin/core/sparse_lattice.hpp"
#include "hemotwin/geometry/surface.hpp"

using namespace hemotwin;

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// ---- the synthetic aortic tree: a union of tapered tubes

struct Tube {
  Vec3 a, b;
  double ra, rb;
};

class VesselTree final : public Shape {
 public:
  explicit VesselTree(std::vector<Tube> tubes) : tubes_(std::move(tubes)) {
    for (const Tube& t : tubes_) {
      const double r = std::max(t.ra, t.rb);
      Eigen::AlignedBox3d box(t.a.cwiseMin(t.b) - Vec3::Constant(r),
                              t.a.cwiseMax(t.b) + Vec3::Constant(r));
      boxes_.push_back(box);
      bounds_.extend(box);
    }
  }
  bool contains(const Vec3& p) const override {
    for (std::size_t k = 0; k < tubes_.size(); ++k)
      if (boxes_[k].contains(p) && inside(tubes_[k], p)) return true;
    return false;
  }
  double intersect(const Vec3& p, const Vec3& d) const override {  // bisection; unused here
    if (contains(p + d)) return 2.0;
    double lo = 0, hi = 1;
    for (int i = 0; i < 40; ++i) (contains(p + 0.5 * (lo + hi) * d) ? lo : hi) = 0.5 * (lo + hi);
    return hi;
  }
  Eigen::AlignedBox3d bounds() const override { return bounds_; }
  void contains_row(const Vec3& start, double step, int n, std::uint8_t* out) const override {
    std::fill(out, out + n, std::uint8_t(0));
    for (std::size_t k = 0; k < tubes_.size(); ++k) {
      const auto& box = boxes_[k];
      if (start.y() < box.min().y() || start.y() > box.max().y() || start.z() < box.min().z() ||
          start.z() > box.max().z())
        continue;
      const int i0 = std::max(0, int(std::floor((box.min().x() - start.x()) / step)));
      const int i1 = std::min(n - 1, int(std::ceil((box.max().x() - start.x()) / step)));
      for (int i = i0; i <= i1; ++i)
        if (!out[i] && inside(tubes_[k], start + Vec3(step * i, 0, 0))) out[i] = 1;
    }
  }

 private:
  static bool inside(const Tube& t, const Vec3& p) {
    const Vec3 ab = t.b - t.a;
    const double s = std::clamp((p - t.a).dot(ab) / ab.squaredNorm(), 0.0, 1.0);
    const double r = t.ra + s * (t.rb - t.ra);
    return (p - (t.a + s * ab)).squaredNorm() < r * r;
  }
  std::vector<Tube> tubes_;
  std::vector<Eigen::AlignedBox3d> boxes_;
  Eigen::AlignedBox3d bounds_;
};

// A vessel from `from` along `dir` for `length` mm, its radius tapering from r0 to r1, as tubes
// of at most 5 mm; returns its end.
Vec3 vessel(std::vector<Tube>& out, Vec3 from, Vec3 dir, double length, double r0, double r1) {
  dir.normalize();
  const int n = std::max(1, int(std::ceil(length / 5.0)));
  for (int i = 0; i < n; ++i) {
    const double s0 = double(i) / n, s1 = double(i + 1) / n;
    out.push_back({from + s0 * length * dir, from + s1 * length * dir, r0 + s0 * (r1 - r0),
                   r0 + s1 * (r1 - r0)});
  }
  return from + length * dir;
}

// The aorta's centreline by arc length s (mm): up 40 mm from the root, an arch of radius 27 mm
// in the x-z plane, then straight down (-z).
Vec3 aorta_at(double s) {
  constexpr double up = 40, radius = 27, arch = std::numbers::pi * radius;
  if (s <= up) return {0, 0, s};
  if (s <= up + arch) {
    const double t = std::numbers::pi - (s - up) / radius;
    return {radius + radius * std::cos(t), 0, up + radius * std::sin(t)};
  }
  return {2 * radius, 0, up - (s - up - arch)};
}

std::shared_ptr<VesselTree> aortic_tree() {
  std::vector<Tube> t;
  // The aorta, ADAN56 segment by segment: (end arc length, radius at its start, at its end).
  const double seg[][3] = {{74.4, 15.95, 12.95},  {84.0, 12.95, 12.57}, {91.0, 12.57, 12.28},
                           {134.1, 12.28, 10.55}, {172.8, 10.55, 9.82}, {294.4, 9.82, 7.54},
                           {297.6, 7.54, 7.49},   {311.6, 7.49, 7.32},  {315.9, 7.32, 7.26},
                           {327.9, 7.26, 7.11},   {382.0, 7.11, 6.43},  {424.2, 6.43, 5.90}};
  double s0 = 0;
  for (const auto& g : seg) {
    const int n = std::max(1, int(std::ceil((g[0] - s0) / 3.0)));
    for (int i = 0; i < n; ++i) {
      const double a = s0 + (g[0] - s0) * i / n, b = s0 + (g[0] - s0) * (i + 1) / n;
      const double ra = g[1] + (g[2] - g[1]) * (a - s0) / (g[0] - s0);
      const double rb = g[1] + (g[2] - g[1]) * (b - s0) / (g[0] - s0);
      t.push_back({aorta_at(a), aorta_at(b), ra, rb});
    }
    s0 = g[0];
  }
  const Vec3 up(0, 0, 1), down(0, 0, -1), right(0, -1, 0), left(0, 1, 0), front(-1, 0, 0);
  // Supra-aortic branches (common carotids truncated at 60 mm).
  const Vec3 bct = vessel(t, aorta_at(74.4), Vec3(-0.2, -0.3, 1), 47.4, 6.73, 6.16);
  vessel(t, vessel(t, bct, right + 0.3 * up, 15.7, 4.90, 4.18), right, 41.1, 4.18, 2.30);
  vessel(t, bct, up, 60, 4.48, 3.9);
  vessel(t, aorta_at(84.0), up, 60, 4.48, 3.9);
  vessel(t, vessel(t, aorta_at(91.0), Vec3(0.2, 0.3, 1), 49.4, 4.90, 3.48), left, 41.1, 3.48, 2.30);
  // Visceral branches (celiac's and the mesenterics' truncated).
  const Vec3 celiac = vessel(t, aorta_at(297.6), front + 0.3 * down, 16.8, 3.35, 3.21);
  vessel(t, celiac, front + right, 30, 2.69, 2.69);
  vessel(t, celiac, front + left, 30, 2.17, 2.17);
  vessel(t, aorta_at(311.6), front + 2 * down, 60, 3.93, 3.93);
  vessel(t, aorta_at(315.9), left, 21.8, 2.71, 2.71);
  vessel(t, aorta_at(327.9), right, 37.7, 3.10, 3.10);
  vessel(t, aorta_at(382.0), front + 2 * down, 40, 2.08, 2.08);
  // Iliacs: common, then external (truncated at 60 mm) and internal (at 40 mm).
  for (const Vec3& side : {right, left}) {
    const Vec3 bif =
        vessel(t, aorta_at(424.2), side * std::sin(0.44) + down * std::cos(0.44), 75.2, 4.50, 4.09);
    vessel(t, bif, side * 0.17 + down, 60, 3.38, 3.28);
    vessel(t, bif, front * 0.5 + side * 0.3 + down * 0.8, 40, 2.82, 2.82);
  }
  return std::make_shared<VesselTree>(std::move(t));
}

// ---- the bandwidths of the model (docs/scaling.md states their sources)

struct Gpu {
  std::string name;
  double mlups;       // D3Q19 float two-lattice on a large dense box, one GPU
  double launch_s;    // fixed cost per step, one GPU (kernel launches and a synchronisation)
  double split_s;     // more per step when split: border/inner launches, gather, scatter
  double nvlink_bps;  // per GPU and direction, within a node
  double ib_bps;      // per GPU and direction, between nodes
  double latency_s;   // per message
  int per_node;
};

Gpu gpu_model(const std::string& name) {
  // H100: 18 982 MLUPS and 21 us per step measured (docs/performance.md); NVLink 4 900 GB/s
  // bidirectional, NDR InfiniBand 400 Gb/s per GPU (DGX H100). H200: HBM3e 4.8 TB/s against the
  // H100's 3.35, the same links.
  if (name == "h200")
    return {"H200 (assumed: H100 measured x 4.8/3.35)",
            18982 * 4.8 / 3.35,
            21e-6,
            20e-6,
            450e9,
            50e9,
            5e-6,
            8};
  return {"H100 (measured)", 18982, 21e-6, 20e-6, 450e9, 50e9, 5e-6, 8};
}

// ---- scotch on the brick graph

std::vector<std::int32_t> scotch_partition(const SparseLattice& lat, std::span<const double> cost,
                                           int ranks, const std::array<int, 3>* dirs, int Q) {
  const std::int32_t nb = lat.brick_count();
  std::vector<std::int32_t> vertex(std::size_t(nb), -1), brick;
  for (std::int32_t b = 0; b < nb; ++b)
    if (cost[std::size_t(b)] > 0)
      vertex[std::size_t(b)] = std::int32_t(brick.size()), brick.push_back(b);
  // Edges: the populations that cross between two bricks per step, both ways.
  std::vector<std::vector<std::pair<std::int32_t, SCOTCH_Num>>> adj(brick.size());
  const auto& type = lat.cell_type();
  const std::int32_t* nbr = lat.neighbours().data();
  for (std::size_t v = 0; v < brick.size(); ++v) {
    const std::int32_t b = brick[v];
    auto& row = adj[v];
    for (int c = 0; c < brick_cells; ++c) {
      const std::int64_t x = std::int64_t(b) * brick_cells + c;
      if (type[std::size_t(x)] != 1) continue;
      for (int q = 1; q < Q; ++q) {
        const std::int64_t y = kernels::neighbour_cell(nbr, x, dirs[q][0], dirs[q][1], dirs[q][2]);
        const std::int32_t ob = std::int32_t(y / brick_cells);
        if (ob >= nb || ob == b || type[std::size_t(y)] != 1) continue;
        const std::int32_t w = vertex[std::size_t(ob)];
        auto it = std::find_if(row.begin(), row.end(), [w](const auto& e) { return e.first == w; });
        if (it == row.end())
          row.push_back({w, 1});
        else
          ++it->second;
      }
    }
  }
  std::vector<SCOTCH_Num> verttab{0}, velotab, edgetab, edlotab;
  for (std::size_t v = 0; v < brick.size(); ++v) {
    velotab.push_back(
        std::max<SCOTCH_Num>(1, SCOTCH_Num(std::llround(4 * cost[std::size_t(brick[v])]))));
    for (const auto& [w, load] : adj[v]) {
      edgetab.push_back(w);
      edlotab.push_back(load);
    }
    verttab.push_back(SCOTCH_Num(edgetab.size()));
  }
  SCOTCH_Graph graph;
  SCOTCH_Strat strat;
  SCOTCH_graphInit(&graph);
  SCOTCH_stratInit(&strat);
  std::vector<SCOTCH_Num> part(brick.size());
  if (SCOTCH_graphBuild(&graph, 0, SCOTCH_Num(brick.size()), verttab.data(), nullptr,
                        velotab.data(), nullptr, SCOTCH_Num(edgetab.size()), edgetab.data(),
                        edlotab.data()) != 0 ||
      SCOTCH_stratGraphMapBuild(&strat, SCOTCH_STRATQUALITY, ranks, 0.01) != 0 ||
      SCOTCH_graphPart(&graph, ranks, &strat, part.data()) != 0) {
    std::fprintf(stderr, "scotch failed\n");
    std::exit(1);
  }
  SCOTCH_stratExit(&strat);
  SCOTCH_graphExit(&graph);
  std::vector<std::int32_t> owner(std::size_t(nb), 0);
  for (std::size_t v = 0; v < brick.size(); ++v)
    owner[std::size_t(brick[v])] = std::int32_t(part[v]);
  return owner;
}

// ---- the report

template <class T>
std::pair<double, double> mean_max(const std::vector<T>& v) {
  const double sum = std::accumulate(v.begin(), v.end(), 0.0);
  return {sum / double(v.size()), double(*std::max_element(v.begin(), v.end()))};
}

// Seconds per step of the slowest process: its stream-collide at the GPU's rate, the fixed costs,
// and its halo over NVLink (peers on its node: ranks r / per_node alike, as the Hilbert curve
// places neighbours next to each other) and InfiniBand (the others); the halo overlapping the
// inner bricks (`overlap`) or not.
double step_time(const PartitionSummary& s, const Gpu& g, bool overlap) {
  double worst = 0;
  for (int r = 0; r < s.ranks; ++r) {
    const double compute = double(s.fluid_cells[std::size_t(r)]) / (g.mlups * 1e6);
    double intra = 0, inter = 0;
    int n_intra = 0, n_inter = 0;
    for (const auto& [peer, values] : s.halo_from[std::size_t(r)]) {
      const bool same_node = peer / g.per_node == r / g.per_node;
      (same_node ? intra : inter) += 4.0 * double(values);  // float
      ++(same_node ? n_intra : n_inter);
    }
    const double comm = std::max(intra / g.nvlink_bps + n_intra * g.latency_s,
                                 inter / g.ib_bps + n_inter * g.latency_s);
    const double t = g.launch_s + g.split_s + (overlap ? std::max(compute, comm) : compute + comm);
    worst = std::max(worst, t);
  }
  return worst;
}

void report(const char* method, const PartitionSummary& s, double seconds, const Gpu& g,
            std::int64_t fluid) {
  const auto [cells_mean, cells_max] = mean_max(s.fluid_cells);
  const auto [halo_mean, halo_max] = mean_max(s.halo_cells);
  const auto [values_mean, values_max] = mean_max(s.halo_values);
  const auto [nb_mean, nb_max] = mean_max(s.neighbours);
  const double one = double(fluid) / (g.mlups * 1e6) + g.launch_s;
  const double e_overlap = one / (s.ranks * step_time(s, g, true));
  const double e_serial = one / (s.ranks * step_time(s, g, false));
  std::printf(
      "%-8s %5d  %11.0f %11.0f  %6.2f %%  %9.0f %9.0f  %9.0f %9.1f  %5.1f %3.0f  %5.1f %%  "
      "%5.1f %%  %6.2f\n",
      method, s.ranks, cells_mean, cells_max, 100 * s.imbalance, halo_mean, halo_max, values_mean,
      4.0 * values_max / 1e6, nb_mean, nb_max, 100 * e_overlap, 100 * e_serial, seconds);
}

std::vector<int> parse_ranks(const std::string& text) {
  std::vector<int> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) {
    out.push_back(std::stoi(item));
    if (out.back() < 1) throw std::invalid_argument("ranks");
  }
  if (out.empty()) throw std::invalid_argument("ranks");
  return out;
}

struct Options {
  std::string surface, gpu = "h100";
  double spacing = 0;
  bool tree = false, scotch = false;
  std::vector<int> ranks = {8, 16, 32, 64, 128, 256, 512, 1024};
};

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--surface")
      o.surface = next();
    else if (a == "--aortic-tree")
      o.tree = true;
    else if (a == "--spacing" || a == "--ranks") {
      const std::string value = next();
      try {
        if (a == "--spacing")
          o.spacing = std::stod(value);
        else
          o.ranks = parse_ranks(value);
      } catch (const std::logic_error&) {
        std::fprintf(stderr, "%s takes %s, not '%s'\n", a.c_str(),
                     a == "--spacing" ? "a length in mm" : "counts such as 8,64,1024",
                     value.c_str());
        std::exit(2);
      }
    } else if (a == "--scotch")
      o.scotch = true;
    else if (a == "--gpu")
      o.gpu = next();
    else {
      std::fprintf(stderr,
                   "usage: bench_partition (--surface FILE | --aortic-tree) --spacing MM "
                   "[--ranks 8,16,...] [--scotch] [--gpu h100|h200]\n");
      std::exit(2);
    }
  }
  if (o.gpu != "h100" && o.gpu != "h200") {
    std::fprintf(stderr, "--gpu takes h100 or h200, not %s\n", o.gpu.c_str());
    std::exit(2);
  }
  if ((o.surface.empty() == !o.tree) || !(o.spacing > 0)) {
    std::fprintf(stderr, "give one of --surface FILE or --aortic-tree, and --spacing MM\n");
    std::exit(2);
  }
  return o;
}

// Each fluid cell's wall links (neighbours that are not fluid), a cell once per link: the links'
// share of the cost.
std::vector<std::int64_t> wall_link_cells(const SparseLattice& lattice,
                                          std::span<const std::array<int, 3>> dirs) {
  std::vector<std::int64_t> out;
  const auto& type = lattice.cell_type();
  const std::int32_t* nbr = lattice.neighbours().data();
  for (std::int64_t x = 0; x < std::int64_t(lattice.brick_count()) * brick_cells; ++x) {
    if (type[std::size_t(x)] != 1) continue;
    for (std::size_t q = 1; q < dirs.size(); ++q)
      if (type[std::size_t(kernels::neighbour_cell(nbr, x, dirs[q][0], dirs[q][1], dirs[q][2]))] !=
          1)
        out.push_back(x);
  }
  return out;
}

void run(const Options& opt);

}  // namespace

int main(int argc, char** argv) {
  const Options opt = parse_options(argc, argv);
  try {
    run(opt);
  } catch (const std::exception& e) {  // a file that cannot be read, more ranks than bricks
    std::fprintf(stderr, "bench_partition: %s\n", e.what());
    return 1;
  }
  return 0;
}

namespace {

void run(const Options& opt) {
  auto t0 = Clock::now();
  DomainSpec domain;
  if (opt.tree) {
    auto shape = aortic_tree();
    domain = DomainSpec::around(shape, opt.spacing, 2);
  } else {
    const TriangleMesh mesh = read_surface(opt.surface);
    domain = surface_domain(close_openings(mesh, find_openings(mesh)), opt.spacing, 2);
  }
  const SparseLattice lattice(domain);
  const double build_s = since(t0);
  std::vector<std::array<int, 3>> q_dirs;
  for (const auto& c : D3Q19::c) q_dirs.push_back({c[0], c[1], c[2]});

  const std::vector<std::int64_t> link_cells = wall_link_cells(lattice, q_dirs);
  const std::vector<double> cost = brick_costs(lattice, link_cells, BrickCost{});
  const Gpu g = gpu_model(opt.gpu);
  std::printf("geometry    %s at %.3g mm\n",
              opt.tree ? "synthetic aortic tree (ADAN56 aorta)" : opt.surface.c_str(), opt.spacing);
  std::printf(
      "lattice     %d x %d x %d cells, %d bricks of %d^3, %.1f M fluid cells, %.1f M wall links, "
      "built in %.1f s (%d threads)\n",
      lattice.cells()[0], lattice.cells()[1], lattice.cells()[2], lattice.brick_count(), brick_size,
      lattice.fluid_cells() / 1e6, link_cells.size() / 1e6, build_s, omp_get_max_threads());
  std::printf(
      "model       %s: %.0f MLUPS, %.0f + %.0f us per step, NVLink %.0f GB/s, IB %.0f GB/s per GPU "
      "and direction, %.0f us a message, %d GPUs a node\n",
      g.name.c_str(), g.mlups, g.launch_s * 1e6, g.split_s * 1e6, g.nvlink_bps / 1e9,
      g.ib_bps / 1e9, g.latency_s * 1e6, g.per_node);
  std::printf("\n%-8s %5s  %11s %11s  %8s  %9s %9s  %9s %9s  %5s %3s  %7s  %7s  %6s\n", "method",
              "ranks", "cells mean", "cells max", "imbal.", "halo mean", "halo max", "pops mean",
              "MB max", "nbrs", "max", "E ovl", "E ser", "time s");
  for (const int n : opt.ranks) {
    t0 = Clock::now();
    const auto owner = partition_bricks(lattice, cost, n);
    const double part_s = since(t0);
    report("hilbert", summarise_partition(lattice, owner, cost, q_dirs), part_s, g,
           lattice.fluid_cells());
    if (opt.scotch) {
      t0 = Clock::now();
      const auto so = scotch_partition(lattice, cost, n, q_dirs.data(), 19);
      const double scotch_s = since(t0);
      report("scotch", summarise_partition(lattice, so, cost, q_dirs), scotch_s, g,
             lattice.fluid_cells());
    }
    std::fflush(stdout);
  }
  std::printf(
      "\nhalo: fluid cells of other processes read per step; pops: populations received per step "
      "(MB: in float, the most any process receives); E: parallel efficiency against one GPU "
      "running the whole lattice, halo overlapped with the inner bricks (ovl) or after them (ser); "
      "time: the partitioner's seconds on this machine\n");
}

}  // namespace
