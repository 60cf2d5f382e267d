#include <gtest/gtest.h>

#include <string>

#include "hemotwin/core/error.hpp"
#include "hemotwin/core/units.hpp"

using namespace hemotwin;

TEST(Units, ConversionsRoundTrip) {
  const Units u(2e-4, 1e-5, 1060, 3.3e-6);
  EXPECT_NEAR(u.viscosity_lattice(), 3.3e-6 * 1e-5 / 4e-8, 1e-15);
  EXPECT_NEAR(u.tau(), 3 * u.viscosity_lattice() + 0.5, 1e-15);
  EXPECT_NEAR(u.velocity_to_physical(u.velocity_to_lattice(0.37)), 0.37, 1e-15);
  EXPECT_NEAR(u.density_to_pressure(u.pressure_to_density(133.3)), 133.3, 1e-9);
  EXPECT_DOUBLE_EQ(u.pressure_to_density(0), 1.0);
}

TEST(Units, RefusesTauTooCloseToHalfWithAdvice) {
  const Units u(1e-3, 1e-6, 1060, 3.3e-6);  // tau - 1/2 = 1e-5
  try {
    u.check(0.1);
    FAIL() << "expected a refusal";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("too close to 1/2"), std::string::npos) << m;
    EXPECT_NE(m.find("increase time_step_s"), std::string::npos) << m;
  }
}

TEST(Units, RefusesHighMachWithAdvice) {
  const Units u(1e-4, 1e-4, 1060, 3.3e-6);  // u = 1 m/s -> 1 lattice unit
  try {
    u.check(1.0);
    FAIL() << "expected a refusal";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("Mach"), std::string::npos) << m;
    EXPECT_NE(m.find("reduce time_step_s"), std::string::npos) << m;
  }
  EXPECT_NO_THROW(
      Units(1e-4, Units::time_step_for_mach(1e-4, 1.0, 0.1) * 0.999, 1060, 3.3e-6).check(1.0));
}
