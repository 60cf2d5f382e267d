// Scans through ITK's readers and writers: values and physical geometry survive every format,
// oblique and anisotropic grids included; bad files get messages that name them.
#include <gtest/gtest.h>

#include <Eigen/Geometry>
#include <filesystem>
#include <fstream>

#include "../io/synthetic.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/imaging/image_io.hpp"
#include "hemotwin/imaging/phantom.hpp"

using namespace hemotwin;
using namespace hemotwin::imaging;
namespace fs = std::filesystem;
using hemotwin::io::test::TempDir;

namespace {

Eigen::Matrix3d oblique() {
  return (Eigen::AngleAxisd(0.5, Vec3(0, 0, 1)) * Eigen::AngleAxisd(-0.3, Vec3(1, 0, 0)) *
          Eigen::AngleAxisd(0.2, Vec3(0, 1, 0)))
      .toRotationMatrix();
}

Image small_image() {
  Grid g;
  g.size = {7, 5, 4};
  g.origin = Vec3(-12.5, 30.25, 7);
  g.spacing = Vec3(0.4, 0.55, 1.25);
  g.direction = oblique();
  Image im(g);
  for (std::size_t n = 0; n < im.data.size(); ++n) im.data[n] = float(n) * 1.5f - 20;
  return im;
}

void expect_same_geometry(const Grid& a, const Grid& b, double tol) {
  EXPECT_EQ(a.size, b.size);
  EXPECT_LT((a.origin - b.origin).norm(), tol)
      << a.origin.transpose() << " vs " << b.origin.transpose();
  EXPECT_LT((a.spacing - b.spacing).norm(), tol);
  EXPECT_LT((a.direction - b.direction).norm(), tol);
}
}  // namespace

TEST(ImageIo, EveryWritableFormatRoundTripsValuesAndGeometry) {
  TempDir tmp(std::string("image-io-") +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  const Image im = small_image();
  for (const char* name : {"scan.nii.gz", "scan.nii", "scan.nrrd", "scan.mha"}) {
    SCOPED_TRACE(name);
    write_image(im, tmp.path() / name);
    EXPECT_FALSE(fs::exists(tmp.path() / (std::string(".partial-") + name)));
    const Image back = read_image(tmp.path() / name);
    // NIfTI stores its geometry as single-precision quaternion and offsets.
    expect_same_geometry(back.grid, im.grid, 1e-4);
    ASSERT_EQ(back.data.size(), im.data.size());
    for (std::size_t n = 0; n < im.data.size(); ++n) ASSERT_EQ(back.data[n], im.data[n]) << n;
  }
}

// An oblique, anisotropic phantom written and read back: the label map and its grid come back, so
// every surface voxel lands where the model puts it (within 0.1 mm, in fact within 1e-4 mm).
TEST(ImageIo, ObliqueAnisotropicPhantomLandsWhereItBelongs) {
  TempDir tmp(std::string("image-io-") +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  RenderOptions o;
  o.spacing = Vec3(0.35, 0.5, 0.8);
  o.direction = oblique();
  o.noise_sigma = 0;
  const VesselModel model = VesselModel::straight(Vec3(10, -5, 20), Vec3(22, 3, 31), 2.0);
  const Phantom ph = render(model, o);
  write_labels(ph.labels, tmp.path() / "labels.nrrd");
  write_image(ph.image, tmp.path() / "scan.nii.gz");
  const LabelMap labels = read_labels(tmp.path() / "labels.nrrd");
  const Image scan = read_image(tmp.path() / "scan.nii.gz");
  expect_same_geometry(labels.grid, ph.labels.grid, 1e-4);
  expect_same_geometry(scan.grid, ph.image.grid, 1e-4);
  ASSERT_EQ(labels.data, ph.labels.data);
  // Every labelled voxel read back lies in the model at its physical position, every other outside.
  const Grid& g = labels.grid;
  std::int64_t inside = 0;
  for (int z = 0; z < g.size[2]; ++z)
    for (int y = 0; y < g.size[1]; ++y)
      for (int x = 0; x < g.size[0]; ++x) {
        const double d = model.distance(g.point(x, y, z));
        ASSERT_EQ(labels.at(x, y, z) != 0, d < 0) << x << " " << y << " " << z << " d = " << d;
        inside += labels.at(x, y, z) != 0;
      }
  // The lumen's volume: pi r^2 L of the tube plus the two hemispherical caps.
  const double L = (Vec3(22, 3, 31) - Vec3(10, -5, 20)).norm();
  const double exact = M_PI * 4 * L + 4.0 / 3 * M_PI * 8;
  EXPECT_NEAR(double(inside) * g.voxel_volume(), exact, 0.03 * exact);
  // The scan is bright in the lumen on the rotated grid too.
  const Index3 c = scan.grid.nearest(Vec3(16, -1, 25.5));
  EXPECT_GT(scan.at(c[0], c[1], c[2]), 300);
}

TEST(ImageIo, ResampleKeepsThePhysicalImage) {
  RenderOptions o;
  o.spacing = Vec3(0.3, 0.3, 0.3);
  o.noise_sigma = 0;
  o.blur_sigma = 0.6;
  const Phantom ph = render(VesselModel::straight(Vec3(0, 0, 0), Vec3(0, 0, 20), 2.5), o);
  const Image r = resample(ph.image, Vec3(0.6, 0.45, 0.9));
  EXPECT_NEAR(r.grid.spacing[1], 0.45, 1e-12);
  EXPECT_LT((r.grid.origin - ph.image.grid.origin).norm(), 1e-9);
  // Axis and wall intensities where they were.
  const Index3 a = r.grid.nearest(Vec3(0, 0, 10));
  EXPECT_NEAR(r.at(a[0], a[1], a[2]), 400, 5);
  const Index3 w = r.grid.nearest(Vec3(5, 0, 10));
  EXPECT_LT(r.at(w[0], w[1], w[2]), 120);
}

template <class F>
std::string message(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(ImageIo, BadFilesAreNamed) {
  TempDir tmp(std::string("image-io-") +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  const std::string missing = message([&] { read_image(tmp.path() / "nope.nii.gz"); });
  EXPECT_NE(missing.find("nope.nii.gz"), std::string::npos) << missing;
  EXPECT_NE(missing.find("no such file"), std::string::npos) << missing;
  std::ofstream(tmp.path() / "junk.nrrd") << "this is not an image\n";
  const std::string junk = message([&] { read_image(tmp.path() / "junk.nrrd"); });
  EXPECT_NE(junk.find("junk.nrrd"), std::string::npos) << junk;
  EXPECT_NE(junk.find("cannot read"), std::string::npos) << junk;
  std::ofstream(tmp.path() / "notes.txt") << "hello\n";
  const std::string txt = message([&] { read_image(tmp.path() / "notes.txt"); });
  EXPECT_NE(txt.find("NIfTI"), std::string::npos) << txt;  // lists the formats
  const std::string fmt = message([&] { write_image(small_image(), tmp.path() / "out.png"); });
  EXPECT_NE(fmt.find(".nii"), std::string::npos) << fmt;
  fs::create_directories(tmp.path() / "empty");
  const std::string dicom = message([&] { read_image(tmp.path() / "empty"); });
  EXPECT_NE(dicom.find("no DICOM series"), std::string::npos) << dicom;
  // A failed write leaves an earlier file alone.
  write_image(small_image(), tmp.path() / "keep.mha");
  const auto before = fs::file_size(tmp.path() / "keep.mha");
  Image broken = small_image();
  broken.data.resize(3);
  EXPECT_THROW(write_image(broken, tmp.path() / "keep.mha"), Error);
  EXPECT_EQ(fs::file_size(tmp.path() / "keep.mha"), before);
}

// ITK 5.2 reads these into a partial buffer without an exception; each is refused before it is
// read, naming the file and what its header announced against what it holds.
TEST(ImageIo, TruncatedOrAbsurdFilesAreRefusedBeforeReading) {
  TempDir tmp(std::string("image-io-") +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  Grid g;
  g.size = {48, 40, 32};
  g.spacing = Vec3(0.5, 0.5, 0.5);
  Image im(g);
  std::uint32_t x = 12345;  // noise, so that compression leaves most of the bytes
  for (auto& v : im.data) v = float((x = x * 1664525u + 1013904223u) >> 20);
  for (const std::string name : {"scan.mha", "scan.nii.gz", "scan.nii", "scan.nrrd"}) {
    write_image(im, tmp.path() / name);
    ASSERT_EQ(read_image(tmp.path() / name).data, im.data) << name;
    const fs::path cut = tmp.path() / ("cut-" + name);
    fs::copy_file(tmp.path() / name, cut, fs::copy_options::overwrite_existing);
    fs::resize_file(cut, fs::file_size(cut) * 6 / 10);
    const std::string msg = message([&] { read_image(cut); });
    EXPECT_NE(msg.find("cut-" + name), std::string::npos) << msg;
    EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
    EXPECT_NE(msg.find("48 x 40 x 32"), std::string::npos) << msg;
  }
  // A NIfTI header without its "n+1" magic: its voxels belong in an .img beside it (ITK
  // allocated the image before finding that file missing: fuzz_image), and are counted there.
  {
    std::string pair;
    std::ifstream in(tmp.path() / "scan.nii", std::ios::binary);
    pair.assign(std::istreambuf_iterator<char>(in), {});
    pair.replace(344, 4, std::string("ni1\0", 4));
    std::ofstream(tmp.path() / "pair.nii", std::ios::binary) << pair.substr(0, 352);
  }
  std::string msg = message([&] { read_image(tmp.path() / "pair.nii"); });
  EXPECT_NE(msg.find("whose voxels belong in pair.img beside it; that file is missing"),
            std::string::npos)
      << msg;
  std::ofstream(tmp.path() / "pair.img", std::ios::binary) << std::string(1000, '\0');
  msg = message([&] { read_image(tmp.path() / "pair.nii"); });
  EXPECT_NE(msg.find("image truncated: its header announces 48 x 40 x 32"), std::string::npos)
      << msg;
  // A header that announces a billion times the voxels it holds: refused before any allocation.
  std::string text;
  {
    std::ifstream in(tmp.path() / "scan.mha", std::ios::binary);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  text.replace(text.find("DimSize = 48 40 32"), 18, "DimSize = 48000 40000 32000");
  std::ofstream(tmp.path() / "huge.mha", std::ios::binary) << text;
  msg = message([&] { read_image(tmp.path() / "huge.mha"); });
  EXPECT_NE(msg.find("huge.mha: the header announces 48000 x 40000 x 32000 of MET_FLOAT"),
            std::string::npos)
      << msg;
  text.replace(text.find("DimSize = 48000 40000 32000"), 27, "DimSize = 48 -40 32");
  std::ofstream(tmp.path() / "negative.mha", std::ios::binary) << text;
  msg = message([&] { read_image(tmp.path() / "negative.mha"); });
  EXPECT_NE(msg.find("DimSize = '48 -40 32': positive whole sizes expected"), std::string::npos)
      << msg;
  // A field name past MetaIO's 255 bytes (lines without '=' join the next name): ITK 5.2's
  // MetaIO overflowed its buffer (fuzz_image).
  text.insert(0, std::string(300, 'x') + "\n");
  std::ofstream(tmp.path() / "long.mha", std::ios::binary) << text;
  msg = message([&] { read_image(tmp.path() / "long.mha"); });
  EXPECT_NE(msg.find("a field name of 312 characters before its '=' (at most 254)"),
            std::string::npos)
      << msg;
  // A detached header whose data file is missing (MetaIO leaked a compressed one's buffer).
  std::ofstream(tmp.path() / "alone.mhd")
      << "ObjectType = Image\nNDims = 3\nDimSize = 4 4 4\nElementType = MET_FLOAT\n"
         "CompressedData = True\nElementDataFile = alone.zraw\n";
  msg = message([&] { read_image(tmp.path() / "alone.mhd"); });
  EXPECT_NE(msg.find("data file (ElementDataFile = alone.zraw) is missing"), std::string::npos)
      << msg;
  // Header fields MetaIO trusts (fuzz_image): NDims that is not the count of DimSize (it read
  // '.3' as none and leaked a buffer), no DimSize before the data (it leaked what it had read), an
  // element type it reads by its first letters (it overran its buffer).
  const std::pair<const char*, const char*> headers[] = {
      {"NDims = .3\nDimSize = 4 4 4\nElementType = MET_FLOAT\n",
       "header field NDims = '.3': positive whole sizes expected"},
      {"NDims = 2\nDimSize = 4 4 4\nElementType = MET_FLOAT\n",
       "header field NDims = '2': the number of sizes in DimSize (3) expected"},
      {"NDims = 3\nElementType = MET_FLOAT\n",
       "header field DimSize (the image's size in voxels) is missing"},
      {"NDims = 3\nDimSize = 4 4 4\nElementType = MET_UCHARS\n",
       "header field ElementType = 'MET_UCHARS': a voxel type such as MET_UCHAR"}};
  for (const auto& [fields, expect] : headers) {
    std::ofstream(tmp.path() / "dims.mhd", std::ios::trunc)
        << "ObjectType = Image\n"
        << fields << "ElementDataFile = alone.mhd\n";
    msg = message([&] { read_image(tmp.path() / "dims.mhd"); });
    EXPECT_NE(msg.find(expect), std::string::npos) << msg;
  }
}

// A label map stored as floats: whole values 0 to 255 read as labels; others are refused, and
// read without the undefined float-to-int cast ITK's conversion made (found by fuzz_image).
TEST(ImageIo, FloatLabelMapsReadWhenTheirValuesAreLabels) {
  TempDir tmp(std::string("image-io-") +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  Image im = small_image();
  for (std::size_t n = 0; n < im.data.size(); ++n) im.data[n] = float(n % 3);
  write_image(im, tmp.path() / "labels.nrrd");
  const LabelMap labels = read_labels(tmp.path() / "labels.nrrd");
  ASSERT_EQ(labels.data.size(), im.data.size());
  for (std::size_t n = 0; n < im.data.size(); ++n) EXPECT_EQ(labels.data[n], n % 3);
  for (const auto& [value, shown] :
       {std::pair{2.5f, "label 2.5 found"}, std::pair{6.5e19f, "label 6.5e+19 found"},
        std::pair{-1.0f, "label -1 found"}}) {
    im.data[5] = value;
    write_image(im, tmp.path() / "bad.nrrd");
    const std::string msg = message([&] { read_labels(tmp.path() / "bad.nrrd"); });
    EXPECT_NE(msg.find(shown), std::string::npos) << msg;
    EXPECT_NE(msg.find("a label map holds whole labels 0 to 255"), std::string::npos) << msg;
  }
}
