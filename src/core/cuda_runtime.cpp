// Memory and device queries of the CUDA backend. Every CUDA call is checked; failures throw
// hemotwin::Error with the call, the file and the line.
#include <cuda_runtime.h>

#include <algorithm>
#include <string>

#include "hemotwin/core/detail/cuda_backend.hpp"
#include "hemotwin/core/error.hpp"

#define HEMOTWIN_CUDA_CHECK(call)                                                          \
  do {                                                                                     \
    const cudaError_t err_ = (call);                                                       \
    if (err_ != cudaSuccess)                                                               \
      throw ::hemotwin::Error(std::string(#call) + " failed at " + __FILE__ + ":" +        \
                              std::to_string(__LINE__) + ": " + cudaGetErrorString(err_)); \
  } while (0)

namespace hemotwin::cuda {

int device_count() noexcept {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    (void)cudaGetLastError();  // clear the sticky-free error so later queries start clean
    return 0;
  }
  return n;
}

void set_device(int device) { HEMOTWIN_CUDA_CHECK(cudaSetDevice(device)); }

std::string device_name(int device) {
  cudaDeviceProp prop{};
  HEMOTWIN_CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
  return std::string(prop.name) + " (sm_" + std::to_string(prop.major) +
         std::to_string(prop.minor) + ", " + std::to_string(prop.totalGlobalMem >> 20) + " MiB)";
}

void* allocate(std::size_t bytes) {
  void* p = nullptr;
  if (bytes == 0) return nullptr;
  HEMOTWIN_CUDA_CHECK(cudaMalloc(&p, bytes));
  return p;
}

void release(void* p) noexcept {
  if (p) (void)cudaFree(p);
}

void copy_to_device(void* dst, const void* src, std::size_t bytes) {
  if (bytes) HEMOTWIN_CUDA_CHECK(cudaMemcpy(dst, src, bytes, cudaMemcpyHostToDevice));
}

void copy_to_host(void* dst, const void* src, std::size_t bytes) {
  if (bytes) HEMOTWIN_CUDA_CHECK(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToHost));
}

void synchronize() { HEMOTWIN_CUDA_CHECK(cudaDeviceSynchronize()); }

double copy_bandwidth(std::size_t bytes) {
  void* a = allocate(bytes);
  void* b = nullptr;
  cudaEvent_t start{}, stop{};
  double best = 0;
  try {
    b = allocate(bytes);
    HEMOTWIN_CUDA_CHECK(cudaMemset(a, 1, bytes));
    HEMOTWIN_CUDA_CHECK(cudaEventCreate(&start));
    HEMOTWIN_CUDA_CHECK(cudaEventCreate(&stop));
    for (int rep = 0; rep < 6; ++rep) {  // the first is a warm-up
      HEMOTWIN_CUDA_CHECK(cudaEventRecord(start));
      HEMOTWIN_CUDA_CHECK(cudaMemcpy(b, a, bytes, cudaMemcpyDeviceToDevice));
      HEMOTWIN_CUDA_CHECK(cudaEventRecord(stop));
      HEMOTWIN_CUDA_CHECK(cudaEventSynchronize(stop));
      float ms = 0;
      HEMOTWIN_CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
      if (rep > 0 && ms > 0) best = std::max(best, 2.0 * double(bytes) / (1e-3 * ms));
    }
  } catch (...) {
    if (start) (void)cudaEventDestroy(start);
    if (stop) (void)cudaEventDestroy(stop);
    release(a);
    release(b);
    throw;
  }
  (void)cudaEventDestroy(start);
  (void)cudaEventDestroy(stop);
  release(a);
  release(b);
  return best;
}

}  // namespace hemotwin::cuda
