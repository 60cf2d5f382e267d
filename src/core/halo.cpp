#include "halo.hpp"

#include <cstddef>
#include <span>

#include "hemotwin/core/error.hpp"
#ifdef HEMOTWIN_HAVE_CUDA
#include "hemotwin/core/detail/cuda_backend.hpp"
#endif

namespace hemotwin {

template <class T>
struct HaloExchange<T>::DeviceBuffers {
  // Per peer: slot lists and value buffers in device memory.
  std::vector<void*> send_slot, recv_slot, send, recv;
  bool direct = false;  // the MPI library takes device buffers
  ~DeviceBuffers() {
#ifdef HEMOTWIN_HAVE_CUDA
    for (auto* list : {&send_slot, &recv_slot, &send, &recv})
      for (void* p : *list) cuda::release(p);
#endif
  }
};

template <class T>
HaloExchange<T>::HaloExchange(const Subdomain& sub, std::shared_ptr<Communicator> comm,
                              BackendKind backend)
    : comm_(std::move(comm)), cuda_(backend == BackendKind::Cuda) {
  for (const auto& p : sub.peers) {
    ranks_.push_back(p.rank);
    send_slot_.push_back(p.send);
    recv_slot_.push_back(p.recv);
  }
  const std::size_t n = ranks_.size();
  send_.resize(n);
  recv_.resize(n);
  if (!cuda_) {
    for (std::size_t k = 0; k < n; ++k) {
      send_[k].resize(send_slot_[k].size());
      recv_[k].resize(recv_slot_[k].size());
    }
    return;
  }
#ifdef HEMOTWIN_HAVE_CUDA
  dev_ = std::make_unique<DeviceBuffers>();
  dev_->direct = comm_->device_buffers();
  auto upload = [](const std::vector<std::int64_t>& v) {
    void* p = cuda::allocate(std::max<std::size_t>(v.size(), 1) * sizeof(std::int64_t));
    if (!v.empty()) cuda::copy_to_device(p, v.data(), v.size() * sizeof(std::int64_t));
    return p;
  };
  for (std::size_t k = 0; k < n; ++k) {
    dev_->send_slot.push_back(upload(send_slot_[k]));
    dev_->recv_slot.push_back(upload(recv_slot_[k]));
    dev_->send.push_back(cuda::allocate(std::max<std::size_t>(send_slot_[k].size(), 1) * sizeof(T)));
    dev_->recv.push_back(cuda::allocate(std::max<std::size_t>(recv_slot_[k].size(), 1) * sizeof(T)));
    if (!dev_->direct) {
      send_[k].resize(send_slot_[k].size());
      recv_[k].resize(recv_slot_[k].size());
    }
  }
#else
  throw Error("internal: a CUDA halo exchange in a build without CUDA");
#endif
}

template <class T>
HaloExchange<T>::~HaloExchange() = default;

template <class T>
void HaloExchange<T>::start(const T* f) {
  const std::size_t n = ranks_.size();
  std::vector<std::span<const std::byte>> send(n);
  std::vector<std::span<std::byte>> recv(n);
  bool device = false;
  if (!cuda_) {
    for (std::size_t k = 0; k < n; ++k) {
      const std::int64_t* slot = send_slot_[k].data();
      T* out = send_[k].data();
      const std::int64_t m = std::int64_t(send_slot_[k].size());
#pragma omp parallel for schedule(static) if (m > 65536)
      for (std::int64_t i = 0; i < m; ++i) out[i] = f[slot[i]];
    }
  } else {
#ifdef HEMOTWIN_HAVE_CUDA
    for (std::size_t k = 0; k < n; ++k) {
      cuda::gather_slots<T>(f, static_cast<const std::int64_t*>(dev_->send_slot[k]),
                            static_cast<T*>(dev_->send[k]), std::int64_t(send_slot_[k].size()));
      if (!dev_->direct)
        cuda::copy_to_host(send_[k].data(), dev_->send[k], send_[k].size() * sizeof(T));
    }
    if (dev_->direct) {
      cuda::synchronize();  // the gathers are done before the library reads the buffers
      device = true;
      for (std::size_t k = 0; k < n; ++k) {
        send[k] = {static_cast<const std::byte*>(dev_->send[k]), send_slot_[k].size() * sizeof(T)};
        recv[k] = {static_cast<std::byte*>(dev_->recv[k]), recv_slot_[k].size() * sizeof(T)};
      }
    }
#endif
  }
  if (!device)
    for (std::size_t k = 0; k < n; ++k) {
      send[k] = std::as_bytes(std::span<const T>(send_[k]));
      recv[k] = std::as_writable_bytes(std::span<T>(recv_[k]));
    }
  comm_->start_exchange(ranks_, send, recv, device);
}

template <class T>
void HaloExchange<T>::finish(T* f) {
  comm_->finish_exchange();
  const std::size_t n = ranks_.size();
  if (!cuda_) {
    for (std::size_t k = 0; k < n; ++k) {
      const std::int64_t* slot = recv_slot_[k].data();
      const T* in = recv_[k].data();
      const std::int64_t m = std::int64_t(recv_slot_[k].size());
#pragma omp parallel for schedule(static) if (m > 65536)
      for (std::int64_t i = 0; i < m; ++i) f[slot[i]] = in[i];
    }
    return;
  }
#ifdef HEMOTWIN_HAVE_CUDA
  for (std::size_t k = 0; k < n; ++k) {
    if (!dev_->direct)
      cuda::copy_to_device(dev_->recv[k], recv_[k].data(), recv_[k].size() * sizeof(T));
    cuda::scatter_slots<T>(f, static_cast<const std::int64_t*>(dev_->recv_slot[k]),
                           static_cast<const T*>(dev_->recv[k]), std::int64_t(recv_slot_[k].size()));
  }
#endif
}

template <class T>
std::int64_t HaloExchange<T>::values_received() const {
  std::int64_t v = 0;
  for (const auto& s : recv_slot_) v += std::int64_t(s.size());
  return v;
}

template <class T>
std::int64_t HaloExchange<T>::values_sent() const {
  std::int64_t v = 0;
  for (const auto& s : send_slot_) v += std::int64_t(s.size());
  return v;
}

template class HaloExchange<float>;
template class HaloExchange<double>;

}  // namespace hemotwin
