// The run loop's parts, each alone and together: where the loop stops and samples, a stop
// request and a periodic state ending it early, cycles closing the wall averages.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "../core/windkessel_pipe.hpp"
#include "hemotwin/io/run_loop.hpp"

namespace hemotwin::io {
namespace {

// Records the loop's stops and samples; stops wherever it is told to.
class Recorder final : public RunPart {
 public:
  explicit Recorder(std::vector<std::int64_t> stops = {}) : stops_(std::move(stops)) {}
  std::int64_t next_stop(std::int64_t now) const override {
    for (std::int64_t s : stops_)
      if (s > now) return s;
    return never;
  }
  void on_sample(const Diagnostics& d) override { sampled.push_back(d.step); }
  void on_stop(std::int64_t now) override { stopped.push_back(now); }
  std::vector<std::int64_t> sampled, stopped;

 private:
  std::vector<std::int64_t> stops_;
};

TEST(RunLoop, StopsWhereAnyPartNeedsAndSamplesWhereOneWantsIt) {
  auto sim = Simulation::create(test::windkessel_pipe());
  RunLoop loop(*sim);
  DiagnosticSeries series(7, 30, nullptr);
  Recorder rec({10, 20});
  loop.add(series);
  loop.add(rec);
  int after = 0;
  EXPECT_FALSE(loop.run(30, {}, [&] { ++after; }));
  EXPECT_EQ(sim->step_count(), 30);
  EXPECT_EQ(rec.stopped, (std::vector<std::int64_t>{7, 10, 14, 20, 21, 28, 30}));
  // The initial state, every 7th step and the last: the recorder's own stops take no sample.
  EXPECT_EQ(rec.sampled, (std::vector<std::int64_t>{0, 7, 14, 21, 28, 30}));
  EXPECT_EQ(after, 5);  // after each sample at a stop, not the initial one
  ASSERT_EQ(series.samples().size(), 6u);
  EXPECT_EQ(series.samples().back().step, 30);
  EXPECT_GT(series.samples().back().iolet_flow.at(0), 0.0);
}

TEST(RunLoop, AStopRequestEndsItBeforeTheNextAdvance) {
  auto sim = Simulation::create(test::windkessel_pipe());
  RunLoop loop(*sim);
  DiagnosticSeries series(5, 100, nullptr);
  loop.add(series);
  int polls = 0;
  EXPECT_TRUE(loop.run(100, [&] { return ++polls > 3; }));
  EXPECT_EQ(sim->step_count(), 15);
}

TEST(CycleMonitor, EndsTheRunOncePeriodicAndClosesEachCyclesWallAverages) {
  Case c = test::windkessel_pipe();  // a 0.05 s cycle of 125 steps
  auto sim = Simulation::create(c);
  const double dt = sim->units().dt();
  RunLoop loop(*sim);
  DiagnosticSeries series(100, 1000, nullptr);
  WallAveraging wall(*sim, 0.0, /*by_cycle=*/true, /*keep_series=*/true);
  // A tolerance nothing fails: periodic after the second cycle.
  CycleMonitor cycles("pipe", c.inlet.period, dt, 8, 1e6, series, wall);
  loop.add(series);
  loop.add(wall);
  loop.add(cycles);
  EXPECT_FALSE(loop.run(1000));
  EXPECT_EQ(sim->step_count(), 250);
  EXPECT_TRUE(cycles.finished());
  EXPECT_EQ(cycles.cycles_done(), 2);
  ASSERT_EQ(cycles.changes().size(), 1u);
  EXPECT_EQ(cycles.changes()[0].cycle, 2);
  std::vector<std::int64_t> steps;
  for (const auto& d : series.samples()) steps.push_back(d.step);
  EXPECT_EQ(steps, (std::vector<std::int64_t>{0, 100, 125, 200, 250}));
  // The second cycle's averages: from its first sample (the first cycle's last) to its last.
  const WallAveraging::Averages a = wall.averages();
  EXPECT_NEAR(a.duration, 125 * dt, 1e-12);
  ASSERT_EQ(a.series_time.size(), 3u);  // steps 125, 200, 250
  EXPECT_NEAR(a.series_time.front(), 125 * dt, 1e-12);
  EXPECT_NEAR(a.series_time.back(), 250 * dt, 1e-12);
  ASSERT_FALSE(a.tawss.empty());
  EXPECT_EQ(a.tawss.size(), a.osi.size());
  EXPECT_GT(*std::max_element(a.tawss.begin(), a.tawss.end()), 0.0);
}

TEST(WallAveraging, AveragesOverTheWindowOnly) {
  auto sim = Simulation::create(test::windkessel_pipe());
  const double dt = sim->units().dt();
  RunLoop loop(*sim);
  DiagnosticSeries series(10, 60, nullptr);
  WallAveraging wall(*sim, 40.5 * dt, /*by_cycle=*/false, /*keep_series=*/true);
  loop.add(series);
  loop.add(wall);
  loop.run(60);
  const WallAveraging::Averages a = wall.averages();
  // Samples at steps 50 and 60 fall in the window; the first stands for the time since its start.
  EXPECT_NEAR(a.duration, 19.5 * dt, 1e-12);
  ASSERT_EQ(a.series_time.size(), 2u);
  EXPECT_NEAR(a.series_time.front(), 50 * dt, 1e-12);
  EXPECT_EQ(wall.latest().time, sim->time());
}

}  // namespace
}  // namespace hemotwin::io
