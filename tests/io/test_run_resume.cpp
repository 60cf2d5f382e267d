// run_case stopped with a checkpoint and resumed: the results are those of the uninterrupted run
// to the last bit (fields, iolet series, wall averages and series, cycle statistics); a checkpoint
// of another lattice or time step is refused before the run starts; the checkpoint directory goes
// once the results are committed.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../core/windkessel_pipe.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/io/results_reader.hpp"
#include "hemotwin/io/run.hpp"
#include "synthetic.hpp"

namespace hemotwin::io {
namespace {

namespace fs = std::filesystem;

// Two cardiac cycles with everything a run carries: Windkessel, cycles compared, wall averages by
// cycle and their series, field snapshots every 0.02 s, a checkpoint every 0.03 s.
Case cycles_case() {
  Case c = hemotwin::test::windkessel_pipe();
  c.name = "resumed";
  c.source_text = "# the resume test's case\n";
  c.time.cycles = 2;
  c.time.duration = 2 * c.inlet.period;
  c.output.interval = 0.02;
  c.output.check_every = 10;
  c.output.checkpoint_interval = 0.03;
  return c;
}

using test::slurp;

// Every /fields/step_N/{velocity,pressure} of a results file, by name, as raw floats.
std::map<std::string, std::vector<float>> fields(const fs::path& h5) {
  std::map<std::string, std::vector<float>> out;
  const hid_t f = H5Fopen(h5.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  EXPECT_GE(f, 0) << h5;
  const hid_t g = H5Gopen2(f, "/fields", H5P_DEFAULT);
  H5G_info_t info;
  H5Gget_info(g, &info);
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    char name[128];
    H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT);
    for (const char* field : {"velocity", "pressure"}) {
      const std::string path = std::string("/fields/") + name + "/" + field;
      const hid_t d = H5Dopen2(f, path.c_str(), H5P_DEFAULT);
      const hid_t space = H5Dget_space(d);
      std::vector<float> v(std::size_t(H5Sget_simple_extent_npoints(space)));
      H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
      H5Sclose(space);
      H5Dclose(d);
      out[path] = std::move(v);
    }
  }
  H5Gclose(g);
  H5Fclose(f);
  return out;
}

class RunResume : public ::testing::Test {
 protected:
  void SetUp() override {
    root = fs::temp_directory_path() /
           ("hemotwin_resume_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root);
    fs::create_directories(root);
  }
  void TearDown() override { fs::remove_all(root); }

  // Runs `c` into `dir`, stopping with a checkpoint at the poll after step `stop_after`.
  RunResult stop_with_checkpoint(const Case& c, const fs::path& dir, std::int64_t stop_after) {
    RunCallbacks cb;
    std::int64_t step = 0;
    cb.on_progress = [&](const Progress& p) { step = p.step; };
    cb.should_checkpoint_and_stop = [&] { return step >= stop_after; };
    return run_case(c, dir, cb);
  }

  fs::path root;
};

TEST_F(RunResume, StoppedAndResumedEqualsTheUninterruptedRunToTheBit) {
  const Case c = cycles_case();
  const RunResult whole = run_case(c, root / "whole");
  EXPECT_FALSE(fs::exists(checkpoint_dir(root / "whole")))
      << "a run with checkpoints keeps none once committed";

  // Stopped at step 90 (past the checkpoint at 75 and the snapshot at 50), resumed and stopped
  // again at 170 (past the first cycle's end at 125, the checkpoint at 150 and the snapshots at
  // 100 and 150), resumed to the end.
  const fs::path dir = root / "parts";
  const RunResult first = stop_with_checkpoint(c, dir, 90);
  ASSERT_TRUE(first.checkpointed);
  EXPECT_FALSE(fs::exists(dir)) << "a checkpointed stop committed results";
  EXPECT_TRUE(fs::is_regular_file(checkpoint_dir(dir) / "checkpoint.h5"));
  RunCallbacks cb;
  std::int64_t step = 0;
  cb.on_progress = [&](const Progress& p) { step = p.step; };
  cb.should_checkpoint_and_stop = [&] { return step >= 170; };
  const RunResult second = run_case(c, dir, cb, checkpoint_dir(dir));
  ASSERT_TRUE(second.checkpointed);
  EXPECT_EQ(second.resumed_at, 90);
  const RunResult resumed = run_case(c, dir, {}, checkpoint_dir(dir));
  EXPECT_EQ(resumed.resumed_at, 170);
  EXPECT_FALSE(resumed.checkpointed);
  EXPECT_FALSE(fs::exists(checkpoint_dir(dir)));

  const ResultsData a = read_results(whole.hdf5), b = read_results(resumed.hdf5);
  ASSERT_EQ(a.iolets.size(), b.iolets.size());
  for (std::size_t k = 0; k < a.iolets.size(); ++k) {
    EXPECT_EQ(a.iolets[k].time, b.iolets[k].time);
    EXPECT_EQ(a.iolets[k].flow, b.iolets[k].flow) << a.iolets[k].name;
    EXPECT_EQ(a.iolets[k].pressure, b.iolets[k].pressure) << a.iolets[k].name;
  }
  EXPECT_GT(a.averaged_over, 0.0);
  EXPECT_EQ(a.averaged_over, b.averaged_over);
  EXPECT_EQ(a.tawss, b.tawss);
  EXPECT_EQ(a.osi, b.osi);
  EXPECT_EQ(a.wall_wss, b.wall_wss);
  EXPECT_EQ(a.wss_series_time, b.wss_series_time);
  EXPECT_EQ(a.wss_series, b.wss_series);
  const auto fa = fields(whole.hdf5), fb = fields(resumed.hdf5);
  EXPECT_EQ(fa.size(), 2u * 5);  // steps 50, 100, 150, 200 and the last, 250
  EXPECT_TRUE(fa == fb) << "the field snapshots differ";
  EXPECT_EQ(slurp(whole.directory / "iolets.csv"), slurp(resumed.directory / "iolets.csv"));
  const auto ja = nlohmann::json::parse(slurp(whole.summary));
  const auto jb = nlohmann::json::parse(slurp(resumed.summary));
  EXPECT_EQ(ja["cycles"]["completed"], 2);
  EXPECT_EQ(ja["cycles"], jb["cycles"]);
}

TEST_F(RunResume, ACheckpointOfAnotherLatticeOrTimeStepIsRefusedBeforeTheRun) {
  const Case c = cycles_case();
  const fs::path dir = root / "run";
  ASSERT_TRUE(stop_with_checkpoint(c, dir, 60).checkpointed);
  const fs::path ck = checkpoint_dir(dir) / "checkpoint.h5";
  const std::string before = slurp(ck);

  Case finer = c;
  finer.geometry.cells_across = 10;
  finer.time.time_step = 2e-4;
  Case slower = c;
  slower.time.time_step = 3e-4;
  for (const auto& [other, message] : {std::pair{finer, "another lattice"},
                                       std::pair{slower, "the checkpoint ran at dt = 0.0004 s"}}) {
    bool built = false;
    RunCallbacks cb;
    cb.on_info = [&](const std::string&) { built = true; };
    try {
      run_case(other, dir, cb, checkpoint_dir(dir));
      FAIL() << "resumed onto " << message;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
    EXPECT_FALSE(built) << message << ": refused only after the run started";
  }
  EXPECT_FALSE(fs::exists(dir));
  EXPECT_EQ(slurp(ck), before) << "a refused resume changed the checkpoint";
}

TEST_F(RunResume, AFailureLeavesTheLastCheckpointUsableAndNoSnapshotsWithoutOne) {
  const Case c = cycles_case();
  const fs::path dir = root / "run";
  auto fail_at = [](std::int64_t at) {
    RunCallbacks cb;
    cb.on_progress = [at](const Progress& p) {
      if (p.step >= at) throw Error("a failure at step " + std::to_string(p.step));
    };
    return cb;
  };
  // Before its first checkpoint (step 75), past its first snapshot (50): nothing is left.
  EXPECT_THROW(run_case(c, dir, fail_at(60)), Error);
  EXPECT_FALSE(fs::exists(checkpoint_dir(dir)));
  EXPECT_FALSE(fs::exists(dir));

  // Resumed from step 90 and failing at 120: the checkpoint of 90 stays, byte for byte, and
  // resumes.
  ASSERT_TRUE(stop_with_checkpoint(c, dir, 90).checkpointed);
  const fs::path ck = checkpoint_dir(dir) / "checkpoint.h5";
  const std::string before = slurp(ck);
  EXPECT_THROW(run_case(c, dir, fail_at(120), checkpoint_dir(dir)), Error);
  EXPECT_EQ(slurp(ck), before);
  EXPECT_FALSE(fs::exists(dir));
  EXPECT_EQ(run_case(c, dir, {}, checkpoint_dir(dir)).resumed_at, 90);
}

TEST_F(RunResume, AWallClockIntervalCheckpointsAtTheFirstSampleAfterIt) {
  Case c = cycles_case();
  c.output.checkpoint_interval = 0;
  c.output.checkpoint_wall_interval = 1e-9;  // every stop: the wall clock is always past it
  const fs::path dir = root / "run";
  RunCallbacks cb;
  cb.on_progress = [](const Progress& p) {
    if (p.step >= 40) throw Error("stopped at step 40");
  };
  EXPECT_THROW(run_case(c, dir, cb), Error);
  // The last stop before the failure (step 30) left its checkpoint.
  ASSERT_TRUE(fs::is_regular_file(checkpoint_dir(dir) / "checkpoint.h5"));
  EXPECT_EQ(run_case(c, dir, {}, checkpoint_dir(dir)).resumed_at, 30);
}

}  // namespace
}  // namespace hemotwin::io
