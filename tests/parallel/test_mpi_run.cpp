// run_case split over MPI processes (under mpirun with 2 to 4 processes; label mpi): the results
// directory of a split run against one process's, through the files (results.h5, iolets.csv,
// summary.json); checkpoints that resume on another number of processes (1 -> N, N -> N-1); and a
// failure on the writing process that ends the run on every process instead of hanging it.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "../core/windkessel_pipe.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/io/ranks.hpp"
#include "hemotwin/io/results_reader.hpp"
#include "hemotwin/io/run.hpp"
#include "mpi_test.hpp"

using namespace hemotwin;
using hemotwin::test::world;
namespace fs = std::filesystem;

namespace {

// Two cardiac cycles with everything a run carries: cycles compared, wall averages by cycle and
// their series, field snapshots every 0.02 s, a checkpoint every 0.03 s; the Windkessel outlet
// (whose pressure sums the flow over every process each step) or a fixed-pressure one.
Case cycles_case(bool windkessel) {
  Case c = test::windkessel_pipe();
  c.name = "split";
  c.source_text = "# the split run's case\n";
  c.streaming = StreamingScheme::TwoLattice;
  c.time.cycles = 2;
  c.time.duration = 2 * c.inlet.period;
  c.output.interval = 0.02;
  c.output.check_every = 10;
  c.output.checkpoint_interval = 0.03;
  c.output.wall_series = true;
  if (!windkessel) c.outlet.model = OutletModel::Pressure;
  return c;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every /fields/step_N/{velocity,pressure} of a results file, by name.
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

// max |a - b| / max |b| over two series of equal length (infinite when the lengths differ).
template <class A, class B>
double relative_difference(const A& a, const B& b) {
  if (a.size() != b.size()) return INFINITY;
  double worst = 0, scale = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    worst = std::max(worst, std::abs(double(a[i]) - double(b[i])));
    scale = std::max(scale, std::abs(double(b[i])));
  }
  return worst / std::max(scale, 1e-300);
}

// Results of two runs compared through their files: the iolet series and wall averages within
// `tolerance` relative (sums over the processes add in another order than one process does); the
// float fields bit for bit (`exact_fields`), else within 1e-6 (a double that differs in its last
// bits may round to the neighbouring float).
void expect_same_results(const io::RunResult& a, const io::RunResult& b, double tolerance,
                         bool exact_fields) {
  const io::ResultsData ra = io::read_results(a.hdf5), rb = io::read_results(b.hdf5);
  ASSERT_EQ(ra.iolets.size(), rb.iolets.size());
  for (std::size_t k = 0; k < ra.iolets.size(); ++k) {
    SCOPED_TRACE(ra.iolets[k].name);
    EXPECT_EQ(ra.iolets[k].time, rb.iolets[k].time);
    EXPECT_LE(relative_difference(ra.iolets[k].flow, rb.iolets[k].flow), tolerance);
    EXPECT_LE(relative_difference(ra.iolets[k].pressure, rb.iolets[k].pressure), tolerance);
  }
  EXPECT_GT(ra.averaged_over, 0.0);
  EXPECT_EQ(ra.averaged_over, rb.averaged_over);
  EXPECT_EQ(ra.wall_points, rb.wall_points);
  EXPECT_LE(relative_difference(ra.tawss, rb.tawss), tolerance);
  EXPECT_LE(relative_difference(ra.osi, rb.osi), tolerance);
  EXPECT_EQ(ra.wss_series_time, rb.wss_series_time);
  const auto fa = fields(a.hdf5), fb = fields(b.hdf5);
  EXPECT_EQ(fa.size(), 2u * 5);  // steps 50, 100, 150, 200 and the last, 250
  ASSERT_EQ(fa.size(), fb.size());
  for (const auto& [name, values] : fa) {
    if (exact_fields)
      EXPECT_TRUE(values == fb.at(name)) << name << " differs";
    else
      EXPECT_LE(relative_difference(values, fb.at(name)), 1e-6) << name;
  }
}

// The processes of the world with rank below n, as a communicator (null on the others).
std::shared_ptr<Communicator> first(int n) {
  MPI_Comm c;
  const int rank = world()->rank();
  MPI_Comm_split(world()->native(), rank < n ? 0 : MPI_UNDEFINED, rank, &c);
  if (c == MPI_COMM_NULL) return nullptr;
  auto comm = std::make_shared<parallel::MpiCommunicator>(c);
  MPI_Comm_free(&c);
  return comm;
}

class MpiRun : public ::testing::Test {
 protected:
  void SetUp() override {
    // One directory for all processes: rank 0's name.
    std::string dir;
    if (world()->rank() == 0)
      dir = (fs::temp_directory_path() /
             ("hemotwin_mpi_run_" + std::to_string(::getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                .string();
    io::broadcast_text(world().get(), dir);
    root = dir;
    if (world()->rank() == 0) {
      fs::remove_all(root);
      fs::create_directories(root);
    }
    world()->barrier();
  }
  void TearDown() override {
    world()->barrier();
    if (world()->rank() == 0) fs::remove_all(root);
  }

  // Runs `c` on `comm` into `dir`, stopping with a checkpoint at the first poll after step
  // `stop_after` (-1: never), going on from `resume` when given.
  static io::RunResult run(const Case& c, std::shared_ptr<Communicator> comm, const fs::path& dir,
                           std::int64_t stop_after = -1, const fs::path& resume = {}) {
    io::RunCallbacks cb;
    cb.communicator = std::move(comm);
    if (stop_after >= 0) {
      auto step = std::make_shared<std::int64_t>(0);
      cb.on_progress = [step](const io::Progress& p) { *step = p.step; };  // rank 0's
      cb.should_checkpoint_and_stop = [step, stop_after] { return *step >= stop_after; };
    }
    return io::run_case(c, dir, cb, resume);
  }

  fs::path root;
};

}  // namespace

TEST_F(MpiRun, ResultsFilesMatchOneProcess) {
  const int n = world()->size();
  for (const bool windkessel : {false, true}) {
    SCOPED_TRACE(windkessel ? "Windkessel outlet" : "pressure outlet");
    const Case c = cycles_case(windkessel);
    const std::string name = windkessel ? "windkessel" : "pressure";
    const io::RunResult split = run(c, world(), root / (name + "_split"));
    EXPECT_EQ(split.directory, root / (name + "_split")) << "every process knows the directory";
    if (world()->rank() == 0) {
      const io::RunResult alone = run(c, nullptr, root / (name + "_alone"));
      // Fixed pressures: the fields bit for bit. A Windkessel feeds on the outlet flow summed
      // over the processes every step: round-off.
      expect_same_results(split, alone, 1e-12, !windkessel);
      const auto summary = nlohmann::json::parse(slurp(split.summary));
      EXPECT_EQ(summary["ranks"], n);
      EXPECT_EQ(summary["devices"].size(), std::size_t(n));
      EXPECT_EQ(summary["fluid_cells"], nlohmann::json::parse(slurp(alone.summary))["fluid_cells"]);
      EXPECT_FALSE(fs::exists(io::checkpoint_dir(split.directory)))
          << "the checkpoints outlived the committed results";
    }
    world()->barrier();
  }
}

TEST_F(MpiRun, ACheckpointResumesOnAnotherNumberOfProcesses) {
  const int n = world()->size();
  const Case c = cycles_case(true);
  io::RunResult alone;
  if (world()->rank() == 0) alone = run(c, nullptr, root / "alone");

  // One process stops at step 90 (past the checkpoint at 75 and the snapshot at 50); all n go on.
  const fs::path up = root / "up";
  if (world()->rank() == 0) EXPECT_TRUE(run(c, nullptr, up, 90).checkpointed);
  world()->barrier();
  const io::RunResult widened = run(c, world(), up, -1, io::checkpoint_dir(up));
  EXPECT_EQ(widened.resumed_at, 90);

  // n processes stop at step 170 (past the first cycle's end at 125); n - 1 go on.
  const fs::path down = root / "down";
  const io::RunResult stopped = run(c, world(), down, 170);
  EXPECT_TRUE(stopped.checkpointed);
  EXPECT_EQ(stopped.resumed_at, -1);
  io::RunResult narrowed;
  if (auto fewer = first(n - 1); fewer || n == 1)
    narrowed = run(c, n == 1 ? nullptr : fewer, down, -1, io::checkpoint_dir(down));
  world()->barrier();
  if (world()->rank() != 0) return;
  EXPECT_EQ(narrowed.resumed_at, 170);
  {
    SCOPED_TRACE("1 -> " + std::to_string(n) + " processes");
    expect_same_results(widened, alone, 1e-12, false);
  }
  {
    SCOPED_TRACE(std::to_string(n) + " -> " + std::to_string(n - 1) + " processes");
    expect_same_results(narrowed, alone, 1e-12, false);
  }
}

TEST_F(MpiRun, AFailureToWriteEndsTheRunOnEveryProcess) {
  // The output directory is a file: only rank 0 writes, and finds out; every process throws the
  // same error instead of waiting for rank 0 in the next collective.
  const fs::path blocked = root / "blocked";
  if (world()->rank() == 0) std::ofstream(blocked) << "not a directory";
  world()->barrier();
  Case c = cycles_case(false);
  c.time.duration = 0.01;
  c.time.cycles = 0;
  try {
    run(c, world(), blocked);
    ADD_FAILURE() << "ran into a file";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("blocked"), std::string::npos) << e.what();
  }
  world()->barrier();
  if (world()->rank() == 0) EXPECT_EQ(slurp(blocked), "not a directory");
}
