// kernels::blend on every SIMD width the CPU kernels use, against lane-by-lane expectations.
// Clang 14 with libstdc++ 12 dropped `where(m, v) = a` on AVX-512 (v came back unchanged), and
// with it every brick-edge lane of the stream kernels: the tests run in GCC builds, so this
// check is also built by the clang asan preset and run by scripts/fuzz (its exit code says).
#include <cstdio>
#include <experimental/simd>

#include "hemotwin/core/kernels.hpp"

namespace stdx = std::experimental;

template <class V>
int check(const char* name) {
  using T = typename V::value_type;
  const V lane([](auto i) { return T(int(i)); });
  int wrong = 0;
  for (int edge : {0, int(V::size()) - 1}) {  // the lanes the kernels patch, then a half
    const auto m = lane == V(T(edge));
    const V r = hemotwin::kernels::blend(m, V(T(100)), lane);
    for (int i = 0; i < int(V::size()); ++i) wrong += T(r[i]) != (i == edge ? T(100) : T(i));
  }
  const V r = hemotwin::kernels::vselect_not_positive(lane - V(T(2)), V(T(-1)), lane);
  for (int i = 0; i < int(V::size()); ++i) wrong += T(r[i]) != (i <= 2 ? T(-1) : T(i));
  if (wrong) std::printf("blend: %s: %d lanes wrong\n", name, wrong);
  return wrong;
}

int main() {
  const int wrong = check<stdx::simd<double, stdx::simd_abi::deduce_t<double, 8>>>("double x 8") +
                    check<stdx::simd<float, stdx::simd_abi::deduce_t<float, 8>>>("float x 8") +
                    check<stdx::simd<float, stdx::simd_abi::deduce_t<float, 16>>>("float x 16") +
                    check<stdx::simd<double, stdx::simd_abi::deduce_t<double, 4>>>("double x 4");
  std::printf("blend: %s\n", wrong ? "WRONG" : "every lane as expected");
  return wrong ? 1 : 0;
}
