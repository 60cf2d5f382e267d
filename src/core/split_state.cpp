#include "split_state.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <span>
#include <type_traits>

namespace hemotwin::detail {
namespace {

// FNV-1a over what decides how the cells step: bricks, cell types, links and their q, iolets.
class Fnv1a {
 public:
  template <class V>
  void add(const V& v) {
    static_assert(std::is_trivially_copyable_v<V>);
    const auto* p = reinterpret_cast<const unsigned char*>(&v);
    for (std::size_t i = 0; i < sizeof(V); ++i) h_ = (h_ ^ p[i]) * 1099511628211ull;
  }
  template <class V>
  void add_all(const std::vector<V>& v) {
    add(v.size());
    for (const V& x : v) add(x);
  }
  std::uint64_t value() const { return h_ == 0 ? 1 : h_; }

 private:
  std::uint64_t h_ = 14695981039346656037ull;
};

}  // namespace

std::uint64_t hash_lattice(const SparseLattice& lat, const LinkList& links,
                           const std::vector<IoletPlane>& iolets, int q_count, const Subdomain* sub,
                           Communicator* comm) {
  std::uint64_t link_sum = 0;
  for (std::size_t k = 0; k < links.size(); ++k) {
    Fnv1a l;
    l.add(sub ? sub->global_cell(links.fluid[k]) : links.fluid[k]);
    l.add(links.dir[k]);
    l.add(links.kind[k]);
    l.add(links.iolet[k]);
    l.add(links.q[k]);
    link_sum += l.value();
  }
  if (sub) comm->sum({&link_sum, 1});
  Fnv1a h;
  h.add(q_count);
  h.add(brick_size);
  h.add(lat.dx());
  for (int a = 0; a < 3; ++a) h.add(lat.origin()[a]);
  h.add(lat.cells());
  h.add(lat.periodic());
  h.add_all(lat.brick_origins());
  h.add_all(lat.cell_type());
  h.add(link_sum);
  h.add(iolets.size());
  for (const auto& io : iolets) {
    h.add(io.kind);
    for (int a = 0; a < 3; ++a) h.add(io.point[a]), h.add(io.normal[a]);
  }
  return h.value();
}

WallShearField gather_wall_shear(Communicator& comm, const WallShearField& mine,
                                 const std::vector<std::int64_t>& keys) {
  std::vector<double> packed;  // per point: its cell (exact below 2^53), point, normal, wss
  for (std::size_t k = 0; k < mine.point.size(); ++k) {
    packed.push_back(double(keys[k]));
    for (const Vec3* v : {&mine.point[k], &mine.normal[k], &mine.wss[k]})
      packed.insert(packed.end(), v->data(), v->data() + 3);
  }
  const auto parts = comm.gather(std::as_bytes(std::span<const double>(packed)), 0);
  WallShearField w;
  w.time = mine.time;
  if (comm.rank() != 0) return w;
  std::vector<std::pair<double, std::array<Vec3, 3>>> all;
  for (const auto& part : parts) {
    const auto* d = reinterpret_cast<const double*>(part.data());
    for (std::size_t at = 0; at + 10 <= part.size() / sizeof(double); at += 10)
      all.push_back({d[at],
                     {Vec3(d[at + 1], d[at + 2], d[at + 3]), Vec3(d[at + 4], d[at + 5], d[at + 6]),
                      Vec3(d[at + 7], d[at + 8], d[at + 9])}});
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [key, v] : all) {
    w.point.push_back(v[0]);
    w.normal.push_back(v[1]);
    w.wss.push_back(v[2]);
  }
  return w;
}

SimulationState broadcast_state(Communicator& comm, const SimulationState& given) {
  SimulationState s = given;
  std::int64_t head[6] = {s.step,
                          s.layout,
                          s.double_precision,
                          s.q_count,
                          std::int64_t(s.outlet_pressure.size()),
                          std::int64_t(s.lattice_hash)};
  std::vector<std::byte> bytes(sizeof head);
  std::memcpy(bytes.data(), head, sizeof head);
  comm.broadcast(bytes, 0);
  std::memcpy(head, bytes.data(), sizeof head);
  s.step = head[0];
  s.layout = int(head[1]);
  s.double_precision = head[2] != 0;
  s.q_count = int(head[3]);
  s.lattice_hash = std::uint64_t(head[5]);
  const std::size_t n = std::size_t(head[4]);
  std::vector<double> outlets(2 * n);
  if (comm.rank() == 0 && s.outlet_pressure.size() == n &&
      s.outlet_capacitor_pressure.size() == n) {
    std::copy(s.outlet_pressure.begin(), s.outlet_pressure.end(), outlets.begin());
    std::copy(s.outlet_capacitor_pressure.begin(), s.outlet_capacitor_pressure.end(),
              outlets.begin() + std::int64_t(n));
  }
  bytes.assign(reinterpret_cast<const std::byte*>(outlets.data()),
               reinterpret_cast<const std::byte*>(outlets.data() + outlets.size()));
  comm.broadcast(bytes, 0);
  std::memcpy(outlets.data(), bytes.data(), bytes.size());
  s.outlet_pressure.assign(outlets.begin(), outlets.begin() + std::int64_t(n));
  s.outlet_capacitor_pressure.assign(outlets.begin() + std::int64_t(n), outlets.end());
  bytes.assign(reinterpret_cast<const std::byte*>(s.valve_open.data()),
               reinterpret_cast<const std::byte*>(s.valve_open.data() + s.valve_open.size()));
  comm.broadcast(bytes, 0);
  s.valve_open.assign(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                      reinterpret_cast<const std::uint8_t*>(bytes.data() + bytes.size()));
  comm.broadcast(s.populations, 0);
  return s;
}

}  // namespace hemotwin::detail
