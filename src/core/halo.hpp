#pragma once
// The halo exchange of an engine split over processes (internal to hemotwin::core): after each
// stream-collide, the populations that stream into another rank's cells are gathered from the
// rank's border bricks, sent, and scattered into the receivers' copies of those cells. CPU
// arrays, or CUDA device arrays staged through the host unless the MPI library is CUDA-aware.
#include <cstdint>
#include <memory>
#include <vector>

#include "hemotwin/core/case.hpp"
#include "hemotwin/core/decomposition.hpp"

namespace hemotwin {

template <class T>
class HaloExchange {
 public:
  HaloExchange(const Subdomain& sub, std::shared_ptr<Communicator> comm, BackendKind backend);
  ~HaloExchange();
  HaloExchange(const HaloExchange&) = delete;
  HaloExchange& operator=(const HaloExchange&) = delete;

  /// Gathers what the peers need from `f` (two-lattice layout) and starts sending it.
  void start(const T* f);
  /// Waits for the peers' populations and writes them into `f`.
  void finish(T* f);
  /// Populations this rank receives, and sends, per step.
  std::int64_t values_received() const;
  std::int64_t values_sent() const;

 private:
  struct DeviceBuffers;
  std::shared_ptr<Communicator> comm_;
  bool cuda_ = false;
  std::vector<int> ranks_;
  std::vector<std::vector<std::int64_t>> send_slot_, recv_slot_;
  std::vector<std::vector<T>> send_, recv_;  // host buffers (CPU, or CUDA staged)
  std::unique_ptr<DeviceBuffers> dev_;
};

extern template class HaloExchange<float>;
extern template class HaloExchange<double>;

}  // namespace hemotwin
