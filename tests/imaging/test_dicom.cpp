// DICOM series through ITK/GDCM: a series written here (with ITK's GDCM writer) whose headers carry
// planted patient identifiers is read back with its geometry, and no identifier reaches anything
// written from it or the log. Two series in one folder must be chosen between.
#include <gtest/gtest.h>
#include <unistd.h>

#include <Eigen/Geometry>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "../io/synthetic.hpp"
#include "dicom_writer.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/imaging/image_io.hpp"

using namespace hemotwin;
using namespace hemotwin::imaging;
namespace fs = std::filesystem;
using hemotwin::io::test::TempDir;

namespace {
const char* const kPlanted[] = {"Plantedname^Alice", "PID-7733-PLANTED",         "19450817",
                                "ACC-PLANTED-4411",  "Planted General Hospital", "Dr^Planted^Ref"};

// The volume on grid `g` with the planted identifiers in its headers.
hemotwin::testing::SeriesSpec planted_spec(const Grid& g, const std::string& series_uid,
                                           int offset) {
  auto spec = hemotwin::testing::spec_on(g);
  spec.series_uid = series_uid;
  spec.offset = offset;
  const char* tags[] = {
      "0010|0010", "0010|0020", "0010|0030", "0008|0050",
      "0008|0080", "0008|0090"};  // name, ID, birth date, accession, institution, referrer
  for (int t = 0; t < 6; ++t) spec.extra_tags.emplace_back(tags[t], kPlanted[t]);
  return spec;
}

void write_series(const fs::path& folder, const Grid& g, const std::string& series_uid,
                  int offset) {
  hemotwin::testing::write_ct_series(folder.string(), planted_spec(g, series_uid, offset));
}

Grid series_grid() {
  Grid g;
  g.size = {12, 9, 6};
  g.origin = Vec3(-40.5, 12.25, 101);
  g.spacing = Vec3(0.7, 0.7, 1.5);
  g.direction = Eigen::AngleAxisd(0.3, Vec3(1, 0, 0)).toRotationMatrix();  // oblique slices
  return g;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
}  // namespace

TEST(Dicom, SeriesReadsWithGeometryAndLeavesIdentifiersBehind) {
  TempDir tmp(std::string("dicom-") +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  const Grid g = series_grid();
  fs::create_directories(tmp.path() / "series");
  write_series(tmp.path() / "series", g, "1.2.826.0.1.3680043.2.1125.1.2.100", 0);
  // The planted identifiers are in the input (the test would prove nothing otherwise).
  const auto first = *fs::directory_iterator(tmp.path() / "series");
  ASSERT_NE(slurp(first.path()).find(kPlanted[0]), std::string::npos);

  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  const auto listing = list_dicom_series(tmp.path() / "series");
  const Image im = read_image(tmp.path() / "series");
  for (const char* name : {"out.nii", "out.nrrd", "out.mha", "out.nii.gz"})
    write_image(im, tmp.path() / name);
  const std::string log =
      ::testing::internal::GetCapturedStdout() + ::testing::internal::GetCapturedStderr();

  ASSERT_EQ(listing.size(), 1u);
  EXPECT_EQ(listing[0].files, g.size[2]);
  EXPECT_EQ(im.grid.size, g.size);
  EXPECT_LT((im.grid.origin - g.origin).norm(), 1e-4) << im.grid.origin.transpose();
  EXPECT_LT((im.grid.spacing - g.spacing).norm(), 1e-4) << im.grid.spacing.transpose();
  EXPECT_LT((im.grid.direction - g.direction).norm(), 1e-4) << im.grid.direction;
  for (int k = 0; k < g.size[2]; ++k)
    for (int j = 0; j < g.size[1]; ++j)
      for (int i = 0; i < g.size[0]; ++i)
        ASSERT_EQ(im.at(i, j, k), float(i + 10 * j + 100 * k)) << i << " " << j << " " << k;

  for (const char* name : {"out.nii", "out.nrrd", "out.mha", "out.nii.gz"}) {
    const std::string bytes = slurp(tmp.path() / name);
    for (const char* id : kPlanted)
      EXPECT_EQ(bytes.find(id), std::string::npos) << name << ": " << id;
  }
  for (const char* id : kPlanted) EXPECT_EQ(log.find(id), std::string::npos) << "log: " << id;
}

TEST(Dicom, MultiFrameFileReadsWithGeometryAndLeavesIdentifiersBehind) {
  TempDir tmp(std::string("dicom-") +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  Grid g;
  g.size = {10, 8, 7};
  g.origin = Vec3(-20.5, 3.25, 50);
  g.spacing = Vec3(0.6, 0.6, 1.25);
  const auto spec = planted_spec(g, "1.2.826.0.1.3680043.2.1125.1.2.300", 0);
  const fs::path file = tmp.path() / "volume.dcm";
  hemotwin::testing::write_ct_multiframe(file.string(), spec);
  ASSERT_NE(slurp(file).find(kPlanted[1]), std::string::npos);  // planted in the input
  // One file of 7 frames: Number of Frames (0028,0008) = "7".
  const std::string raw = slurp(file);
  const auto frames = raw.find(std::string("\x28\x00\x08\x00", 4));
  ASSERT_NE(frames, std::string::npos);
  EXPECT_NE(raw.substr(frames, 12).find('7'), std::string::npos);

  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  const Image im = read_image(file);
  write_image(im, tmp.path() / "out.nrrd");
  const std::string log =
      ::testing::internal::GetCapturedStdout() + ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(im.grid.size, g.size);
  EXPECT_LT((im.grid.origin - g.origin).norm(), 1e-4) << im.grid.origin.transpose();
  EXPECT_LT((im.grid.spacing - g.spacing).norm(), 1e-4) << im.grid.spacing.transpose();
  EXPECT_LT((im.grid.direction - g.direction).norm(), 1e-6) << im.grid.direction;
  for (int k = 0; k < g.size[2]; ++k)
    for (int j = 0; j < g.size[1]; ++j)
      for (int i = 0; i < g.size[0]; ++i)
        ASSERT_EQ(im.at(i, j, k), float(i + 10 * j + 100 * k)) << i << " " << j << " " << k;
  const std::string bytes = slurp(tmp.path() / "out.nrrd");
  for (const char* id : kPlanted) {
    EXPECT_EQ(bytes.find(id), std::string::npos) << id;
    EXPECT_EQ(log.find(id), std::string::npos) << "log: " << id;
  }
}

TEST(Dicom, SeveralSeriesMustBeChosenBetween) {
  TempDir tmp(std::string("dicom-") +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  Grid g = series_grid();
  write_series(tmp.path(), g, "1.2.826.0.1.3680043.2.1125.1.2.201", 0);
  g.size[2] = 4;
  write_series(tmp.path(), g, "1.2.826.0.1.3680043.2.1125.1.2.202", 1000);
  try {
    read_image(tmp.path());
    FAIL() << "expected a refusal";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("2 DICOM series"), std::string::npos) << m;
    EXPECT_NE(m.find("series 1: 4 files"), std::string::npos) << m;
    EXPECT_EQ(m.find("1.2.826"), std::string::npos) << "UIDs stay out of messages: " << m;
  }
  ReadOptions o;
  o.series = 1;
  const Image second = read_image(tmp.path(), o);
  EXPECT_EQ(second.grid.size[2], 4);
  EXPECT_EQ(second.at(0, 0, 0), 1000.0f);
  o.series = 2;
  EXPECT_THROW(read_image(tmp.path(), o), Error);
}

// A slice cut short or missing: GDCM reads the first with a warning and leaves the second out,
// and ITK stacked either without a word (zeros for the missing part; every slice after a gap
// misplaced). Both are refused, the slice named by its place, never by its file (a UID).
TEST(Dicom, ASliceCutShortOrMissingIsRefused) {
  TempDir tmp(std::string("dicom-") +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  const Grid g = series_grid();
  const std::string uid = "1.2.826.0.1.3680043.2.1125.1.2.400";
  for (const char* name : {"cut", "gap"}) {
    fs::create_directories(tmp.path() / name);
    write_series(tmp.path() / name, g, uid, 0);
  }
  EXPECT_NO_THROW(read_image(tmp.path() / "cut"));  // whole, it reads
  const fs::path third = tmp.path() / "cut" / (uid + ".3.dcm");
  const std::string bytes = slurp(third);
  std::ofstream(third, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() - 40);
  fs::remove(tmp.path() / "gap" / (uid + ".4.dcm"));
  const std::pair<const char*, const char*> expected[] = {
      {"cut", "the pixel data of file 3 of 6 (by name) is cut short: 176 of its 216 bytes"},
      {"gap",
       "slices 3 and 4 of 5 (in position order) lie 3 mm apart, the series' spacing is "
       "1.5 mm"}};
  for (const auto& [name, what] : expected) {
    try {
      read_image(tmp.path() / name);
      ADD_FAILURE() << name << ": expected a refusal";
    } catch (const Error& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find(what), std::string::npos) << m;
      EXPECT_EQ(m.find("1.2.826"), std::string::npos) << "a file's name (its UID) in: " << m;
    }
  }
}

// A file meta element without a value representation made GDCM abort on an assert (found by
// fuzz_image): the file, alone or in a folder, is refused before GDCM reads it.
TEST(Dicom, AMalformedMetaHeaderIsRefusedBeforeGdcmAborts) {
  TempDir tmp(std::string("dicom-") +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  const Grid g = series_grid();
  const std::string uid = "1.2.826.0.1.3680043.2.1125.1.2.500";
  write_series(tmp.path(), g, uid, 0);
  const fs::path second = tmp.path() / (uid + ".2.dcm");
  std::string bytes = slurp(second);
  ASSERT_EQ(bytes.substr(128, 4), "DICM");
  ASSERT_EQ(bytes.substr(136, 2), "UL");  // (0002,0000) group length
  bytes[136] = '\x0b';
  bytes[137] = 'N';
  std::ofstream(second, std::ios::binary | std::ios::trunc) << bytes;
  for (const fs::path& p : {tmp.path(), second}) {
    try {
      read_image(p);
      ADD_FAILURE() << p << ": expected a refusal";
    } catch (const Error& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find("is not valid DICOM: its file meta information element (0002,0000) has "
                       "no value representation"),
                std::string::npos)
          << m;
      if (p == tmp.path())  // in a folder the file is named by place; a path given is kept
        EXPECT_EQ(m.find(uid + ".2"), std::string::npos) << "a file's name (its UID) in: " << m;
    }
  }
}

// An enhanced multi-frame file whose Plane Orientation functional group (0020,9116) is lost made
// GDCM abort on an assert while it computed the slice spacing (found by fuzz_image): refused.
TEST(Dicom, AMultiFrameFileWithoutOrientationIsRefusedBeforeGdcmAborts) {
  TempDir tmp(std::string("dicom-") +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  const fs::path file = tmp.path() / "volume.dcm";
  hemotwin::testing::write_ct_multiframe(
      file.string(), planted_spec(series_grid(), "1.2.826.0.1.3680043.2.1125.1.2.600", 0));
  EXPECT_NO_THROW(read_image(file));  // whole, it reads
  std::string bytes = slurp(file);
  const std::string plane_orientation("\x20\x00\x16\x91", 4);  // (0020,9116), implicit VR
  const auto at = bytes.find(plane_orientation);
  ASSERT_NE(at, std::string::npos);
  ASSERT_EQ(bytes.find(plane_orientation, at + 1), std::string::npos);  // in the shared group
  bytes[at] = '\xb5';                                                   // now (00B5,9116)
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
  try {
    read_image(file);
    ADD_FAILURE() << "expected a refusal";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "is not valid DICOM: it is an enhanced multi-frame file without Image "
                  "Orientation (Patient) (0020,0037)"),
              std::string::npos)
        << e.what();
  }
}

// File meta information that GDCM asserts on (found by fuzz_image): an element of undefined
// length, and nothing after the meta information.
TEST(Dicom, MetaInformationGdcmAssertsOnIsRefused) {
  TempDir tmp(std::string("dicom-") +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  const std::string uid = "1.2.826.0.1.3680043.2.1125.1.2.700";
  write_series(tmp.path(), series_grid(), uid, 0);
  const fs::path file = tmp.path() / (uid + ".1.dcm");
  const std::string bytes = slurp(file);
  const std::string version("\x02\x00\x01\x00OB\x00\x00", 8);  // (0002,0001) OB
  const auto at = bytes.find(version);
  ASSERT_NE(at, std::string::npos);
  std::string undefined = bytes;
  undefined.replace(at + 8, 4, std::string(4, '\xff'));
  const auto meta_end = bytes.find(std::string("\x08\x00", 2), 132);  // group 0008 begins
  ASSERT_NE(meta_end, std::string::npos);
  for (const auto& [content, what] :
       {std::pair{undefined, "element (0002,0001) has an undefined length"},
        std::pair{bytes.substr(0, meta_end), "no data set follows its file meta information"}}) {
    std::ofstream(file, std::ios::binary | std::ios::trunc) << content;
    try {
      read_image(file);
      ADD_FAILURE() << "expected a refusal: " << what;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  }
}

// A file without the Part 10 prefix: GDCM guesses its encoding and asserts on some guesses
// (found by fuzz_image). Alone, or in a folder when GDCM would take it for a data set, it is
// refused; a text file beside a series is left for GDCM's scan to skip.
TEST(Dicom, AFileWithoutItsPart10HeaderIsRefusedAndAStrayTextFileIsNot) {
  TempDir tmp(std::string("dicom-") +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  const std::string uid = "1.2.826.0.1.3680043.2.1125.1.2.800";
  write_series(tmp.path(), series_grid(), uid, 0);
  std::ofstream(tmp.path() / "README.txt") << "Exported by the PACS on Monday.\n";
  EXPECT_EQ(read_image(tmp.path()).grid.size[2], series_grid().size[2]);
  const fs::path file = tmp.path() / (uid + ".2.dcm");
  const std::string bare = slurp(file).substr(132);  // no preamble, no DICM: group 0002 first
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bare;
  for (const fs::path& p : {file, tmp.path()}) {
    try {
      read_image(p);
      ADD_FAILURE() << p << ": expected a refusal";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("has no DICOM Part 10 header (the 'DICM' prefix at "
                                           "byte 128)"),
                std::string::npos)
          << e.what();
    }
  }
}
