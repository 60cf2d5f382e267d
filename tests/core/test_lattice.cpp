// Invariants of every velocity set, written once as a typed test.
#include <gtest/gtest.h>

#include <cmath>

#include "hemotwin/core/lattice.hpp"

namespace {
template <class L>
class LatticeInvariants : public ::testing::Test {};
using Lattices = ::testing::Types<hemotwin::D3Q19, hemotwin::D3Q27>;
TYPED_TEST_SUITE(LatticeInvariants, Lattices);

TYPED_TEST(LatticeInvariants, WeightsSumToOne) {
  double s = 0;
  for (int q = 0; q < TypeParam::Q; ++q) s += TypeParam::w[q];
  EXPECT_NEAR(s, 1.0, 1e-15);
}

TYPED_TEST(LatticeInvariants, OppositesAreOppositeAndInvolutive) {
  for (int q = 0; q < TypeParam::Q; ++q) {
    const int o = TypeParam::opposite[q];
    for (int a = 0; a < 3; ++a) EXPECT_EQ(TypeParam::c[o][a], -TypeParam::c[q][a]);
    EXPECT_EQ(TypeParam::opposite[o], q);
    EXPECT_DOUBLE_EQ(TypeParam::w[o], TypeParam::w[q]);
  }
}

TYPED_TEST(LatticeInvariants, VelocitiesAreDistinct) {
  for (int p = 0; p < TypeParam::Q; ++p)
    for (int q = p + 1; q < TypeParam::Q; ++q) {
      const bool same = TypeParam::c[p][0] == TypeParam::c[q][0] &&
                        TypeParam::c[p][1] == TypeParam::c[q][1] &&
                        TypeParam::c[p][2] == TypeParam::c[q][2];
      EXPECT_FALSE(same) << p << " " << q;
    }
}

// Odd moments vanish; second moment is c_s^2 delta; fourth is c_s^4 (d d + d d + d d).
TYPED_TEST(LatticeInvariants, IsotropyUpToFourthOrder) {
  using L = TypeParam;
  const double cs2 = hemotwin::cs2;
  for (int a = 0; a < 3; ++a) {
    double m1 = 0;
    for (int q = 0; q < L::Q; ++q) m1 += L::w[q] * L::c[q][a];
    EXPECT_NEAR(m1, 0.0, 1e-15);
    for (int b = 0; b < 3; ++b) {
      double m2 = 0;
      for (int q = 0; q < L::Q; ++q) m2 += L::w[q] * L::c[q][a] * L::c[q][b];
      EXPECT_NEAR(m2, a == b ? cs2 : 0.0, 1e-15);
      for (int c = 0; c < 3; ++c) {
        double m3 = 0;
        for (int q = 0; q < L::Q; ++q) m3 += L::w[q] * L::c[q][a] * L::c[q][b] * L::c[q][c];
        EXPECT_NEAR(m3, 0.0, 1e-15);
        for (int d = 0; d < 3; ++d) {
          double m4 = 0;
          for (int q = 0; q < L::Q; ++q)
            m4 += L::w[q] * L::c[q][a] * L::c[q][b] * L::c[q][c] * L::c[q][d];
          const double expect =
              cs2 * cs2 * ((a == b) * (c == d) + (a == c) * (b == d) + (a == d) * (b == c));
          EXPECT_NEAR(m4, expect, 1e-15) << a << b << c << d;
        }
      }
    }
  }
}

TYPED_TEST(LatticeInvariants, RestVelocityFirstAndPairsAdjacent) {
  using L = TypeParam;
  EXPECT_EQ(L::c[0][0] * L::c[0][0] + L::c[0][1] * L::c[0][1] + L::c[0][2] * L::c[0][2], 0);
  for (int q = 1; q < L::Q; q += 2) EXPECT_EQ(L::opposite[q], q + 1);
}
}  // namespace
