#pragma once
// Portability macros shared by host and device code.
#if defined(__CUDACC__)
#define HEMOTWIN_HD __host__ __device__
#define HEMOTWIN_DEVICE_CODE 1
#else
#define HEMOTWIN_HD
#endif

#if defined(__CUDACC__) || defined(__GNUC__)
#define HEMOTWIN_INLINE inline __attribute__((always_inline))
#else
#define HEMOTWIN_INLINE inline
#endif

#include <cstdint>

namespace hemotwin {
/// Edge length of a brick in cells. Bricks of 8^3 give full-width SIMD rows on the CPU (8 floats
/// = one AVX2 register) and 512-thread blocks on the GPU; see docs/design-notes.md.
inline constexpr int brick_size = 8;
inline constexpr int brick_cells = brick_size * brick_size * brick_size;
/// The 3x3x3 neighbourhood of a brick, itself included (index 13).
inline constexpr int brick_neighbours = 27;
}  // namespace hemotwin
