// Checkpoint files: what is written is what is read, a run restored from a file continues bit for
// bit, damaged or foreign files are refused with the file named, and neither a failed write nor a
// SIGKILL in the middle of one ever leaves anything but a complete checkpoint under the final name.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <random>
#include <thread>

#include "../core/windkessel_pipe.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/io/checkpoint.hpp"

namespace hemotwin::io {
namespace {

namespace fs = std::filesystem;

using test::windkessel_pipe;

class CheckpointFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("hemotwin_checkpoint_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

std::string what_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(nothing thrown)";
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST_F(CheckpointFile, RoundTripsAndResumesBitForBit) {
  const Case c = windkessel_pipe();
  auto whole = Simulation::create(c);
  whole->advance(40);
  auto first = Simulation::create(c);
  first->advance(17);
  const fs::path file = dir_ / "checkpoint.h5";
  write_checkpoint(file, make_checkpoint(*first, "[case]\nname = \"pipe\"\n"));

  const Checkpoint back = read_checkpoint(file);
  const SimulationState s = first->state();
  EXPECT_EQ(back.simulation.step, 17);
  EXPECT_DOUBLE_EQ(back.time, first->time());
  EXPECT_EQ(back.simulation.lattice_hash, s.lattice_hash);
  EXPECT_EQ(back.simulation.layout, s.layout);
  EXPECT_EQ(back.simulation.q_count, 19);
  EXPECT_FALSE(back.simulation.double_precision);
  EXPECT_EQ(back.simulation.populations, s.populations);
  EXPECT_EQ(back.simulation.outlet_pressure, s.outlet_pressure);
  EXPECT_EQ(back.simulation.outlet_capacitor_pressure, s.outlet_capacitor_pressure);
  EXPECT_EQ(back.case_text, "[case]\nname = \"pipe\"\n");
  EXPECT_EQ(back.backend, "cpu");
  EXPECT_TRUE(back.simulation.valve_open.empty());  // a pipe has no valves
  // A chamber's diodes, open or closed, travel with it.
  Checkpoint valves = back;
  valves.simulation.valve_open = {1, 0, 1};
  write_checkpoint(dir_ / "valves.h5", valves);
  EXPECT_EQ(read_checkpoint(dir_ / "valves.h5").simulation.valve_open,
            (std::vector<std::uint8_t>{1, 0, 1}));

  auto second = Simulation::create(c);
  second->restore(back.simulation);
  second->advance(23);
  EXPECT_EQ(second->state().populations, whole->state().populations);
  EXPECT_EQ(second->diagnostics().iolet_pressure, whole->diagnostics().iolet_pressure);
}

TEST_F(CheckpointFile, DamagedOrForeignFilesAreRefused) {
  auto sim = Simulation::create(windkessel_pipe());
  sim->advance(3);
  const fs::path good = dir_ / "good.h5";
  write_checkpoint(good, make_checkpoint(*sim, "case"));
  const auto size = fs::file_size(good);

  EXPECT_TRUE(contains(what_of([&] { read_checkpoint(dir_ / "none.h5"); }), "no such checkpoint"));
  EXPECT_TRUE(contains(what_of([&] { read_checkpoint(dir_); }), "not a file"));

  const fs::path truncated = dir_ / "truncated.h5";
  fs::copy_file(good, truncated);
  fs::resize_file(truncated, size * 6 / 10);
  const std::string t = what_of([&] { read_checkpoint(truncated); });
  EXPECT_TRUE(contains(t, "truncated.h5")) << t;
  EXPECT_TRUE(contains(t, "checkpoint")) << t;

  // A flipped byte in the middle of the populations: Fletcher-32 finds it.
  const fs::path flipped = dir_ / "flipped.h5";
  fs::copy_file(good, flipped);
  {
    std::fstream f(flipped, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(std::streamoff(size / 2));
    char b = 0;
    f.read(&b, 1);
    b = char(b ^ 0x5a);
    f.seekp(std::streamoff(size / 2));
    f.write(&b, 1);
  }
  const std::string fl = what_of([&] { read_checkpoint(flipped); });
  EXPECT_TRUE(contains(fl, "flipped.h5")) << fl;
  EXPECT_NE(fl, "(nothing thrown)");

  const fs::path text = dir_ / "text.h5";
  std::ofstream(text) << "not HDF5 at all\n";
  EXPECT_TRUE(contains(what_of([&] { read_checkpoint(text); }), "not HDF5"));
}

TEST_F(CheckpointFile, AFailedWriteLeavesTheEarlierOneIntact) {
  auto sim = Simulation::create(windkessel_pipe());
  sim->advance(3);
  const fs::path file = dir_ / "checkpoint.h5";
  write_checkpoint(file, make_checkpoint(*sim, "first"));
  const auto before = fs::file_size(file);
  // A directory stands where the temporary file goes: the write fails before the rename.
  fs::create_directory(dir_ / (".checkpoint.h5.partial-" + std::to_string(::getpid())));
  sim->advance(3);
  EXPECT_THROW(write_checkpoint(file, make_checkpoint(*sim, "second")), Error);
  EXPECT_EQ(fs::file_size(file), before);
  EXPECT_EQ(read_checkpoint(file).case_text, "first");
  EXPECT_TRUE(
      contains(what_of([&] { write_checkpoint(dir_ / "gone" / "c.h5", {}); }), "does not exist"));
}

// A child process writes checkpoints one after another and is killed at random moments: every time,
// the checkpoint under the final name is complete and reads back (the kill may land mid-write).
TEST_F(CheckpointFile, SigkillDuringWritesLeavesAReadableCheckpoint) {
  auto sim = Simulation::create(windkessel_pipe());
  sim->advance(2);
  const fs::path file = dir_ / "checkpoint.h5";
  write_checkpoint(file, make_checkpoint(*sim, "0"));
  std::mt19937 rng(20261204);
  std::uniform_int_distribution<int> delay_us(200, 20000);
  int kills = 0;
  for (int trial = 0; trial < 12; ++trial) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      for (int k = 1;; ++k) {
        try {
          write_checkpoint(file, make_checkpoint(*sim, std::to_string(k)));
        } catch (...) {
          ::_exit(3);
        }
      }
    }
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(rng)));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    kills += WIFSIGNALED(status) ? 1 : 0;
    const Checkpoint c = read_checkpoint(file);  // throws if damaged
    EXPECT_EQ(c.simulation.populations, sim->state().populations);
    // A killed writer may leave its temporary file; never anything under the final name but a
    // whole checkpoint.
    for (const auto& e : fs::directory_iterator(dir_))
      if (e.path().filename() != "checkpoint.h5")
        EXPECT_TRUE(contains(e.path().filename().string(), ".partial-")) << e.path();
  }
  EXPECT_EQ(kills, 12);
  // The next writer clears what the killed ones (their processes gone) left behind.
  write_checkpoint(file, make_checkpoint(*sim, "after"));
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_EQ(e.path().filename(), "checkpoint.h5") << "left behind: " << e.path();
}

TEST_F(CheckpointFile, ALiveWritersTemporaryFileIsLeftAlone) {
  auto sim = Simulation::create(windkessel_pipe());
  const fs::path file = dir_ / "checkpoint.h5";
  // pid 1 is alive (init); a name that is no pid stays too.
  for (const char* name : {".checkpoint.h5.partial-1", ".checkpoint.h5.partial-x"})
    std::ofstream(dir_ / name) << "being written";
  write_checkpoint(file, make_checkpoint(*sim, "0"));
  EXPECT_TRUE(fs::exists(dir_ / ".checkpoint.h5.partial-1"));
  EXPECT_TRUE(fs::exists(dir_ / ".checkpoint.h5.partial-x"));
}

}  // namespace
}  // namespace hemotwin::io
