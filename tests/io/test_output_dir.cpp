// OutputDir: staging next to the target, commit by rename with the marker last, and no trace of a
// run that failed — an earlier results directory stays byte for byte as it was.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

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
