// OutputDir: staging next to the target, a commit that exchanges the whole directory, and no trace
// of a run that failed — an earlier results directory stays byte for byte as it was, even when the
// process is killed part way through its commit.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "hemotwin/core/error.hpp"
#include "hemotwin/io/output_dir.hpp"
#include "synthetic.hpp"

namespace hemotwin::io {
namespace {

namespace fs = std::filesystem;

using test::slurp;

/// Names in `dir` that contain ".partial-".
std::vector<std::string> partial_dirs(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().find(".partial-") != std::string::npos)
      out.push_back(e.path().filename().string());
  return out;
}

TEST(OutputDir, StagesNextToTheTargetAndCommitsByRenameMarkerLast) {
  test::TempDir tmp("outdir-commit");
  const fs::path target = tmp / "results";
  OutputDir out(target);
  EXPECT_EQ(out.target(), target);
  EXPECT_EQ(out.staging().parent_path(), tmp.path());
  EXPECT_EQ(out.staging().filename().string().rfind(
                "results.partial-" + std::to_string(::getpid()) + "-", 0),
            0u)
      << out.staging();
  EXPECT_TRUE(fs::is_directory(out.staging()));
  EXPECT_FALSE(fs::exists(target));  // nothing visible before the commit

  out.write_file("summary.json", "{}\n");
  out.write_file("b.txt", "bee");
  out.write_file("a.txt", "ay");
  const auto moved = out.commit();
  ASSERT_EQ(moved.size(), 3u);
  EXPECT_EQ(moved.back(), target / "summary.json");
  EXPECT_EQ(slurp(target / "a.txt"), "ay");
  EXPECT_EQ(slurp(target / "b.txt"), "bee");
  EXPECT_TRUE(out.committed());
  EXPECT_TRUE(partial_dirs(tmp.path()).empty());
  EXPECT_THROW(out.commit(), Error);
  EXPECT_THROW(out.write_file("c.txt", ""), Error);
}

TEST(OutputDir, WithoutCommitLeavesNoTrace) {
  test::TempDir tmp("outdir-discard");
  fs::path staging;
  {
    OutputDir out(tmp / "nested" / "results");
    staging = out.staging();
    out.write_file("results.h5", std::string(1000, 'x'));
  }
  EXPECT_FALSE(fs::exists(staging));
  EXPECT_FALSE(fs::exists(tmp / "nested" / "results"));
  EXPECT_FALSE(fs::exists(tmp / "nested"));  // the parent it created is gone again
}

TEST(OutputDir, CommitsIntoTheDirectoryASymlinkPointsTo) {
  test::TempDir tmp("outdir-symlink");
  fs::create_directories(tmp / "real" / "results");
  fs::create_directory_symlink(tmp / "real" / "results", tmp / "link");
  OutputDir out(tmp / "link");
  EXPECT_EQ(out.staging().parent_path(), fs::canonical(tmp / "real"));
  out.write_file("summary.json", "{}");
  out.commit();
  EXPECT_TRUE(fs::is_regular_file(tmp / "real" / "results" / "summary.json"));
  EXPECT_TRUE(fs::is_symlink(tmp / "link"));
}

TEST(OutputDir, AFailedRunLeavesTheEarlierResultsByteIdentical) {
  test::TempDir tmp("outdir-atomic");
  const fs::path target = tmp / "results";
  {
    OutputDir out(target);
    out.write_file("results.h5", "first fields");
    out.write_file("case.toml", "first case");
    out.write_file("summary.json", "{\"run\": 1}");
    out.commit();
  }
  const auto before_h5 = slurp(target / "results.h5");
  const auto before_time = fs::last_write_time(target / "results.h5");

  auto failing_run = [&] {
    OutputDir out(target);
    out.write_file("results.h5", "second fields, half written");
    throw std::runtime_error("diverged at step 100");
  };
  EXPECT_THROW(failing_run(), std::runtime_error);

  EXPECT_EQ(slurp(target / "results.h5"), before_h5);
  EXPECT_EQ(fs::last_write_time(target / "results.h5"), before_time);
  EXPECT_EQ(slurp(target / "case.toml"), "first case");
  EXPECT_EQ(slurp(target / "summary.json"), "{\"run\": 1}");
  EXPECT_TRUE(partial_dirs(tmp.path()).empty());
}

TEST(OutputDir, CommitReplacesOutputsOfAnEarlierRunAndKeepsOtherFiles) {
  test::TempDir tmp("outdir-replace");
  const fs::path target = tmp / "results";
  fs::create_directories(target);
  std::ofstream(target / "results.vti") << "old image";
  std::ofstream(target / "results.h5") << "old fields";
  std::ofstream(target / "summary.json") << "old";
  std::ofstream(target / "notes.txt") << "the user's notes";
  OutputDir out(target);
  out.replace_on_commit({"results.h5", "results.vti", "summary.json"});
  out.write_file("results.h5", "new fields");
  out.write_file("summary.json", "new");
  out.commit();
  EXPECT_FALSE(fs::exists(target / "results.vti"));  // this run wrote no image
  EXPECT_EQ(slurp(target / "results.h5"), "new fields");
  EXPECT_EQ(slurp(target / "summary.json"), "new");
  EXPECT_EQ(slurp(target / "notes.txt"), "the user's notes");
}

// A run's files: `files` outputs that say which run wrote them, and the marker.
void stage_run(OutputDir& out, int run, int files) {
  std::vector<std::string> names{"summary.json"};
  for (int k = 0; k < files; ++k) {
    names.push_back("out" + std::to_string(k) + ".dat");
    out.write_file(names.back(), "run " + std::to_string(run) + " file " + std::to_string(k));
  }
  out.replace_on_commit(names);
  out.write_file("summary.json", "run " + std::to_string(run));
}

// The run the target holds, after checking that every file is of that one run; -1 when mixed.
int run_held(const fs::path& target, int files) {
  const std::string marker = slurp(target / "summary.json");
  if (marker.rfind("run ", 0) != 0) return -1;
  const int run = std::stoi(marker.substr(4));
  for (int k = 0; k < files; ++k)
    if (slurp(target / ("out" + std::to_string(k) + ".dat")) !=
        "run " + std::to_string(run) + " file " + std::to_string(k))
      return -1;
  return run;
}

TEST(OutputDir, AKillAtAnyMomentOfTheCommitLeavesOneCompleteRun) {
  // Child processes stage a run of 200 files and commit it; each is sent SIGKILL at a random
  // moment from the start of its commit to a little past its end. After every kill the directory
  // must hold one complete run, the earlier or the new, and the user's own file. The commit's
  // length is measured first, but a child's commit under a loaded machine (a CI running tests
  // side by side, a sanitized build) can take several times as long: while no kill has yet
  // landed after the exchange the window widens, while none has landed before it, it narrows.
  test::TempDir tmp("outdir-kill");
  const fs::path target = tmp / "results";
  const int files = 200;
  fs::create_directories(target);
  std::ofstream(target / "notes.txt") << "the user's notes";
  double commit_us = 0;
  for (int pass = 0; pass < 2; ++pass) {  // the second replaces the first, as the children do
    OutputDir out(target);
    stage_run(out, 0, files);
    const auto t0 = std::chrono::steady_clock::now();
    out.commit();
    commit_us = std::max(
        commit_us,
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  ASSERT_EQ(run_held(target, files), 0);

  std::mt19937 rng(20261206);
  double window_us = 1.3 * commit_us;
  int committed = 0, kept = 0, held = 0, runs = 0;
  while (runs < 60 || ((committed == 0 || kept == 0) && runs < 240)) {
    ++runs;
    if (runs % 15 == 1 && runs > 1) {
      if (committed == 0)
        window_us *= 2;
      else if (kept == 0)
        window_us /= 2;
    }
    const int run = runs;
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(ready[0]);
      OutputDir out(target);
      stage_run(out, run, files);
      (void)!::write(ready[1], "x", 1);
      out.commit();
      ::_exit(0);
    }
    ::close(ready[1]);
    char byte = 0;
    ASSERT_EQ(::read(ready[0], &byte, 1), 1);
    ::close(ready[0]);
    std::uniform_real_distribution<double> when(0, window_us);
    std::this_thread::sleep_for(std::chrono::microseconds(long(when(rng))));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    const int now = run_held(target, files);
    ASSERT_TRUE(now == held || now == run)
        << "after killing run " << run << " the directory holds run " << now
        << " (-1: files of two runs mixed); it held run " << held;
    (now == run ? committed : kept)++;
    held = now;
    EXPECT_EQ(slurp(target / "notes.txt"), "the user's notes");
  }
  // Kills landed both before the exchange and after it (else the window was missed).
  EXPECT_GT(committed, 0);
  EXPECT_GT(kept, 0);
  std::printf(
      "commit of %d files: %.0f us; %d kills (window up to %.0f us): %d left the earlier "
      "run, %d the new one\n",
      files + 1, commit_us, runs, window_us, kept, committed);
  // The next run removes the staging directories the killed ones left.
  {
    OutputDir out(target);
    stage_run(out, 99, files);
    out.commit();
  }
  EXPECT_EQ(run_held(target, files), 99);
  EXPECT_TRUE(partial_dirs(tmp.path()).empty());
}

TEST(OutputDir, RefusesBadTargetsAndNames) {
  test::TempDir tmp("outdir-refuse");
  std::ofstream(tmp / "a-file") << "x";
  try {
    OutputDir out(tmp / "a-file");
    FAIL() << "a file accepted as output directory";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("a-file"), std::string::npos) << e.what();
  }
  OutputDir out(tmp / "results/");
  EXPECT_EQ(out.target(), tmp / "results");
  EXPECT_THROW(out.write_file("../escape", "x"), Error);
  EXPECT_THROW(out.write_file("", "x"), Error);
  EXPECT_THROW(out.staged("sub/file"), Error);
}

}  // namespace
}  // namespace hemotwin::io
