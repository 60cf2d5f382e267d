// A chamber's diode valves (ValveSpec::diode, detail::ChamberValves::step_diodes): a closed diode
// opens when the pressure across it pushes blood its way; an open one stays open while either its
// flow or that pressure still goes its way, and closes once both have turned back. An ejecting
// valve's way is out of the chamber, a filling valve's into it.
#include <gtest/gtest.h>

#include "chamber_setup.hpp"

namespace hemotwin::detail {
namespace {

ChamberValves two_diodes() {
  ChamberValves v;
  v.period = 1;
  ValveSpec mitral, aortic;
  mitral.timing = ValveTiming::Filling;
  mitral.opens_at = 0.4;
  mitral.closes_at = 0.95;
  mitral.diode = true;
  aortic.timing = ValveTiming::Ejection;
  aortic.opens_at = 0.95;
  aortic.closes_at = 0.4;
  aortic.diode = true;
  v.iolet = {1, 0};
  v.timing = {mitral, aortic};
  return v;
}

TEST(ChamberValves, DiodesOpenOnThePressureAndCloseWhenTheFlowTurnsBack) {
  ChamberValves v = two_diodes();
  ASSERT_TRUE(v.has_diodes());
  v.start_diodes(0.5);  // filling: the mitral open, the aortic closed, as the timing plans
  EXPECT_EQ(v.open_now(2, 0.5), (std::vector<bool>{false, true}));
  // Pressure inside 100 Pa above both outsides, the mitral still filling (flow out negative):
  // the aortic opens, the mitral stays open while its flow still comes in.
  EXPECT_TRUE(v.step_diodes({100, 100}, {0, 0}, {-1e-6, 0}));
  EXPECT_EQ(v.open_now(2, 0.5), (std::vector<bool>{true, true}));
  // The mitral's flow turns back with the pressure: it closes; the aortic ejects on.
  v.step_diodes({100, 100}, {0, 0}, {1e-7, 2e-6});
  EXPECT_EQ(v.open_now(2, 0.5), (std::vector<bool>{true, false}));
  // The pressure falls below both outsides while the aortic flow still goes out: it stays open,
  // and the mitral, pushed its way now, opens.
  EXPECT_TRUE(v.step_diodes({-50, -50}, {0, 0}, {0, 1e-7}));
  EXPECT_EQ(v.open_now(2, 0.5), (std::vector<bool>{true, true}));
  // The aortic flow turns back too: it closes.
  v.step_diodes({-50, -50}, {0, 0}, {-1e-7, -1e-8});
  EXPECT_EQ(v.open_now(2, 0.5), (std::vector<bool>{false, true}));
  // The outlet's pressure counts: an aorta at 10 kPa keeps the aortic valve shut at 5 kPa.
  v.step_diodes({5000, 5000}, {0, 10000}, {1e-6, 0});
  EXPECT_EQ(v.open_now(2, 0.5), (std::vector<bool>{false, false}));
  // A restart starts each diode as the timing has it then.
  v.start_diodes(0.1);
  EXPECT_EQ(v.open_now(2, 0.1), (std::vector<bool>{true, false}));
  // The plan (open_at) is the timing's whatever the diodes do.
  EXPECT_EQ(v.open_at(2, 0.5), (std::vector<bool>{false, true}));
}

}  // namespace
}  // namespace hemotwin::detail
