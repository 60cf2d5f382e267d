#pragma once
// Internal to hemotwin::core: the engine's device copies (CUDA backend), shared by engine.cpp and
// engine_sampling.cpp.
#include <vector>

#include "hemotwin/core/engine.hpp"
#ifdef HEMOTWIN_HAVE_CUDA
#include "hemotwin/core/detail/cuda_backend.hpp"
#endif

namespace hemotwin {

// Device copies of the lattice tables and the links (CUDA backend only).
template <class T, class L>
struct Engine<T, L>::Device {
  struct Buf {
    void* p = nullptr;
    Buf() = default;
    Buf(const Buf&) = delete;
    Buf& operator=(const Buf&) = delete;
    ~Buf() {
#ifdef HEMOTWIN_HAVE_CUDA
      cuda::release(p);
#endif
    }
    template <class U>
    U* as() const {
      return static_cast<U*>(p);
    }
    template <class U>
    void upload(const std::vector<U>& v) {
#ifdef HEMOTWIN_HAVE_CUDA
      cuda::release(p);
      p = cuda::allocate(v.size() * sizeof(U));
      cuda::copy_to_device(p, v.data(), v.size() * sizeof(U));
#else
      (void)v;
#endif
    }
  };
  struct Links {
    Buf from, aux, to, coeff, iolet, coord, outlet_fluid, outlet_to, outlet_dir, outlet_iolet;
    Buf mass_begin, mass_rest, mass_link;
  };
  Buf f[2], neighbours, cell_type, iolet_value, profile, sponge_cell, sponge_scale;
  Buf border_bricks, inner_bricks;  // split over processes: the own bricks, by kind
  Links links[3];  // by kernels::Layout
  std::vector<Buf> slab_cells, slab_weights;
};

}  // namespace hemotwin
