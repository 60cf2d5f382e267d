// What an engine split over processes moves besides the halo: whole fields onto rank 0 (results),
// fields into the halo (wall shear near a cut), and the populations as one process stores them
// (checkpoints that restart on any number of processes).
#include <cstring>

#include "engine_device.hpp"
#include "hemotwin/core/engine.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/core/kernels.hpp"

namespace hemotwin {
namespace {
using kernels::B3;

template <class V>
std::span<const std::byte> bytes_of(const std::vector<V>& v) {
  return std::as_bytes(std::span<const V>(v));
}

// Rank r's own bricks of the whole lattice, in its order (what make_subdomain gave it).
std::vector<std::vector<std::int32_t>> bricks_by_rank(const std::vector<std::int32_t>& owner,
                                                      int ranks) {
  std::vector<std::vector<std::int32_t>> by(static_cast<std::size_t>(ranks));
  for (std::size_t b = 0; b < owner.size(); ++b)
    by[std::size_t(owner[b])].push_back(std::int32_t(b));
  return by;
}
}  // namespace

template <class T, class L>
std::vector<double> Engine<T, L>::gather_cells(const std::vector<double>& local, int n) const {
  if (!sub_) return local;
  const std::size_t block = std::size_t(B3) * std::size_t(n);
  if (local.size() != std::size_t(lattice_->brick_count()) * block)
    throw Error("gather_cells: expected " + std::to_string(n) + " values per stored cell");
  Communicator& comm = *options_.communicator;
  const std::vector<double> own(local.begin(),
                                local.begin() + std::int64_t(sub_->owned_bricks * block));
  const auto parts = comm.gather(bytes_of(own), 0);
  if (comm.rank() != 0) return {};
  std::vector<double> whole(std::size_t(whole_->brick_count()) * block, 0.0);
  const auto by = bricks_by_rank(owner_, comm.size());
  for (int r = 0; r < comm.size(); ++r) {
    const auto& part = parts[std::size_t(r)];
    const auto& bricks = by[std::size_t(r)];
    if (part.size() != bricks.size() * block * sizeof(double))
      throw Error("gather_cells: rank " + std::to_string(r) + " sent a share of another size");
    for (std::size_t i = 0; i < bricks.size(); ++i)
      std::memcpy(whole.data() + std::size_t(bricks[i]) * block,
                  part.data() + i * block * sizeof(double), block * sizeof(double));
  }
  return whole;
}

template <class T, class L>
void Engine<T, L>::exchange_cells(std::vector<double>& field, int n) const {
  if (!sub_) return;
  const std::size_t block = std::size_t(B3) * std::size_t(n);
  if (field.size() != std::size_t(lattice_->brick_count()) * block)
    throw Error("exchange_cells: expected " + std::to_string(n) + " values per stored cell");
  const std::size_t peers = sub_->peers.size();
  std::vector<int> ranks(peers);
  std::vector<std::vector<double>> out(peers), in(peers);
  std::vector<std::span<const std::byte>> send(peers);
  std::vector<std::span<std::byte>> recv(peers);
  for (std::size_t k = 0; k < peers; ++k) {
    const auto& p = sub_->peers[k];
    ranks[k] = p.rank;
    for (std::int32_t b : p.send_bricks)
      out[k].insert(out[k].end(), field.begin() + std::int64_t(b * block),
                    field.begin() + std::int64_t((b + 1) * block));
    in[k].resize(p.recv_bricks.size() * block);
    send[k] = bytes_of(out[k]);
    recv[k] = std::as_writable_bytes(std::span<double>(in[k]));
  }
  Communicator& comm = *options_.communicator;
  comm.start_exchange(ranks, send, recv, false);
  comm.finish_exchange();
  for (std::size_t k = 0; k < peers; ++k) {
    const auto& bricks = sub_->peers[k].recv_bricks;
    for (std::size_t i = 0; i < bricks.size(); ++i)
      std::copy_n(in[k].begin() + std::int64_t(i * block), block,
                  field.begin() + std::int64_t(std::size_t(bricks[i]) * block));
  }
}

template <class T, class L>
std::vector<T> Engine<T, L>::gather_populations() const {
  std::vector<T> f = populations();
  if (!sub_) return f;
  constexpr std::size_t block = std::size_t(L::Q) * B3;
  // The own bricks, then (slot of the whole lattice, value) of every boundary slot this rank's
  // links write in its halo: a halo ghost's slot that only this rank's fluid cell reads.
  const std::size_t own = std::size_t(sub_->owned_bricks) * block;
  std::vector<std::byte> mine(own * sizeof(T));
  std::memcpy(mine.data(), f.data(), mine.size());
  const auto& c = compiled_[int(layout_)];
  auto add_slot = [&](std::int64_t slot) {
    if (std::size_t(slot) < own) return;
    const std::int64_t brick = slot / std::int64_t(block);
    if (brick >= lattice_->brick_count()) return;  // the void brick
    const std::int64_t whole_slot =
        std::int64_t(sub_->global_brick[std::size_t(brick)]) * std::int64_t(block) +
        slot % std::int64_t(block);
    const T v = f[std::size_t(slot)];
    const auto* a = reinterpret_cast<const std::byte*>(&whole_slot);
    const auto* b = reinterpret_cast<const std::byte*>(&v);
    mine.insert(mine.end(), a, a + sizeof whole_slot);
    mine.insert(mine.end(), b, b + sizeof v);
  };
  for (std::int64_t s : c.to) add_slot(s);
  for (std::int64_t s : c.outlet_to) add_slot(s);
  Communicator& comm = *options_.communicator;
  const auto parts = comm.gather(mine, 0);
  if (comm.rank() != 0) return {};
  std::vector<T> whole((std::size_t(whole_->brick_count()) + 1) * block, T(0));
  const auto by = bricks_by_rank(owner_, comm.size());
  constexpr std::size_t record = sizeof(std::int64_t) + sizeof(T);
  for (int r = 0; r < comm.size(); ++r) {
    const auto& part = parts[std::size_t(r)];
    const auto& bricks = by[std::size_t(r)];
    const std::size_t head = bricks.size() * block * sizeof(T);
    if (part.size() < head || (part.size() - head) % record != 0)
      throw Error("gather_populations: rank " + std::to_string(r) + " sent a share of another size");
    for (std::size_t i = 0; i < bricks.size(); ++i)
      std::memcpy(whole.data() + std::size_t(bricks[i]) * block, part.data() + i * block * sizeof(T),
                  block * sizeof(T));
  }
  // The boundary slots after every brick: the owner of a ghost's brick holds a stale value there.
  for (int r = 0; r < comm.size(); ++r) {
    const auto& part = parts[std::size_t(r)];
    const std::size_t head = by[std::size_t(r)].size() * block * sizeof(T);
    for (std::size_t at = head; at < part.size(); at += record) {
      std::int64_t slot;
      std::memcpy(&slot, part.data() + at, sizeof slot);
      std::memcpy(whole.data() + slot, part.data() + at + sizeof slot, sizeof(T));
    }
  }
  return whole;
}

template <class T, class L>
void Engine<T, L>::restore_whole(const std::vector<T>& whole, kernels::Layout layout,
                                 std::int64_t steps) {
  if (!sub_) {
    restore(whole, layout, steps);
    return;
  }
  constexpr std::size_t block = std::size_t(L::Q) * B3;
  const std::size_t expected = (std::size_t(whole_->brick_count()) + 1) * block;
  if (whole.size() != expected)
    throw Error("the checkpoint holds " + std::to_string(whole.size()) +
                " population slots; this lattice has " + std::to_string(expected));
  std::vector<T> share((std::size_t(lattice_->brick_count()) + 1) * block, T(0));
  for (std::size_t b = 0; b < sub_->global_brick.size(); ++b)
    std::copy_n(whole.begin() + std::int64_t(std::size_t(sub_->global_brick[b]) * block), block,
                share.begin() + std::int64_t(b * block));
  restore(share, layout, steps);
}

#define HEMOTWIN_INSTANTIATE(T, L)                                                              \
  template std::vector<double> Engine<T, L>::gather_cells(const std::vector<double>&, int)      \
      const;                                                                                    \
  template void Engine<T, L>::exchange_cells(std::vector<double>&, int) const;                  \
  template std::vector<T> Engine<T, L>::gather_populations() const;                             \
  template void Engine<T, L>::restore_whole(const std::vector<T>&, kernels::Layout, std::int64_t);
HEMOTWIN_INSTANTIATE(float, D3Q19)
HEMOTWIN_INSTANTIATE(double, D3Q19)
HEMOTWIN_INSTANTIATE(float, D3Q27)
HEMOTWIN_INSTANTIATE(double, D3Q27)
#undef HEMOTWIN_INSTANTIATE

}  // namespace hemotwin
