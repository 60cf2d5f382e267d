// ResultsWriter and write_xdmf: a synthetic grid written to results.h5 and read back through the
// HDF5 C API, cell by cell; chunk layout, compression and sparsity; the XDMF sidecar's references.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

#include "hemotwin/core/error.hpp"
#include "hemotwin/io/results_writer.hpp"
#include "synthetic.hpp"

namespace hemotwin::io {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

// ---- reading helpers --------------------------------------------------------------------------

class H5 {
 public:
  explicit H5(const fs::path& p) : id_(H5Fopen(p.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT)) {}
  ~H5() {
    if (id_ >= 0) H5Fclose(id_);
  }
  hid_t id() const { return id_; }

 private:
  hid_t id_;
};

template <class T>
std::vector<T> read_dataset(hid_t file, const std::string& name, hid_t mem_type,
                            std::vector<hsize_t>* dims_out = nullptr) {
  const hid_t d = H5Dopen2(file, name.c_str(), H5P_DEFAULT);
  EXPECT_GE(d, 0) << name;
  if (d < 0) return {};
  const hid_t s = H5Dget_space(d);
  const int rank = H5Sget_simple_extent_ndims(s);
  std::vector<hsize_t> dims(rank);
  H5Sget_simple_extent_dims(s, dims.data(), nullptr);
  hsize_t n = 1;
  for (auto v : dims) n *= v;
  std::vector<T> out(n);
  if (n > 0) EXPECT_GE(H5Dread(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), 0) << name;
  H5Sclose(s);
  H5Dclose(d);
  if (dims_out) *dims_out = dims;
  return out;
}

template <class T>
std::vector<T> read_attribute(hid_t file, const std::string& object, const std::string& name,
                              hid_t mem_type) {
  const hid_t a = H5Aopen_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
  EXPECT_GE(a, 0) << object << " @" << name;
  if (a < 0) return {};
  const hid_t s = H5Aget_space(a);
  const hssize_t n = H5Sget_simple_extent_npoints(s);
  std::vector<T> out(static_cast<std::size_t>(n));
  EXPECT_GE(H5Aread(a, mem_type, out.data()), 0);
  H5Sclose(s);
  H5Aclose(a);
  return out;
}

std::string read_string_attribute(hid_t file, const std::string& object, const std::string& name) {
  const hid_t a = H5Aopen_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
  EXPECT_GE(a, 0) << object << " @" << name;
  if (a < 0) return {};
  const hid_t t = H5Aget_type(a);
  EXPECT_TRUE(H5Tis_variable_str(t) > 0) << object << " @" << name;
  char* value = nullptr;
  EXPECT_GE(H5Aread(a, t, &value), 0);
  std::string s = value ? value : "";
  H5free_memory(value);
  H5Tclose(t);
  H5Aclose(a);
  return s;
}

std::string read_string_dataset(hid_t file, const std::string& name) {
  const hid_t d = H5Dopen2(file, name.c_str(), H5P_DEFAULT);
  EXPECT_GE(d, 0) << name;
  if (d < 0) return {};
  const hid_t t = H5Dget_type(d);
  char* value = nullptr;
  EXPECT_GE(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &value), 0);
  std::string s = value ? value : "";
  H5free_memory(value);
  H5Tclose(t);
  H5Dclose(d);
  return s;
}

struct Storage {
  hsize_t chunks = 0;
  std::vector<hsize_t> chunk_dims;
  bool deflate = false, shuffle = false;
  double fill = -1;
};

Storage storage_of(hid_t file, const std::string& name) {
  Storage st;
  const hid_t d = H5Dopen2(file, name.c_str(), H5P_DEFAULT);
  EXPECT_GE(d, 0) << name;
  if (d < 0) return st;
  const hid_t space = H5Dget_space(d);
  EXPECT_GE(H5Dget_num_chunks(d, space, &st.chunks), 0);
  const hid_t dcpl = H5Dget_create_plist(d);
  EXPECT_EQ(H5Pget_layout(dcpl), H5D_CHUNKED) << name;
  st.chunk_dims.resize(H5Sget_simple_extent_ndims(space));
  H5Pget_chunk(dcpl, static_cast<int>(st.chunk_dims.size()), st.chunk_dims.data());
  for (int i = 0; i < H5Pget_nfilters(dcpl); ++i) {
    unsigned flags = 0, config = 0;
    std::size_t nelmts = 0;
    const H5Z_filter_t f = H5Pget_filter2(dcpl, i, &flags, &nelmts, nullptr, 0, nullptr, &config);
    st.deflate |= f == H5Z_FILTER_DEFLATE;
    st.shuffle |= f == H5Z_FILTER_SHUFFLE;
  }
  H5Pget_fill_value(dcpl, H5T_NATIVE_DOUBLE, &st.fill);
  H5Pclose(dcpl);
  H5Sclose(space);
  H5Dclose(d);
  return st;
}

ResultsMetadata sample_metadata() {
  ResultsMetadata m;
  m.provenance = Provenance::current("cpu", "test device");
  m.case_name = "synthetic";
  m.case_text = "[case]\nname = \"synthetic\"\n# ünïcödé survives\n";
  m.case_file = "synthetic.toml";
  m.dt = 1e-4;
  return m;
}

std::vector<IoletInfo> sample_iolets() {
  IoletInfo in{"inlet0", IoletKind::VelocityInlet, {0.001, 0.002, 0.003}, {-1, 0, 0}, 1.25e-5};
  IoletInfo out{"outlet0", IoletKind::PressureOutlet, {0.02, 0.002, 0.003}, {1, 0, 0}, 1.5e-5};
  return {in, out};
}

Diagnostics sample_diagnostics(std::int64_t step) {
  Diagnostics d;
  d.step = step;
  d.time = step * 1e-4;
  d.mass = 1000.0 + step;
  d.max_speed = 0.1 * step;
  d.iolet_flow = {1e-6 * step, 0.9e-6 * step};
  d.iolet_pressure = {100.0 + step, 0.5 * step};
  return d;
}

// 48 x 24 x 16 cells in bricks of 8: 6 x 3 x 2 bricks, 7 of them stored, none with x >= 32, so two
// of the six 16^3 chunks of a field hold no brick.
GridInfo sample_grid() {
  return test::make_grid(
      {48, 24, 16}, {{0, 0, 0}, {1, 0, 0}, {3, 2, 1}, {2, 1, 0}, {0, 2, 1}, {1, 1, 1}, {3, 0, 0}});
}

// ---- tests -----------------------------------------------------------------------------------

TEST(ResultsWriter, RoundTripsGeometryFieldsSeriesCaseAndProvenance) {
  TempDir dir("roundtrip");
  const GridInfo g = sample_grid();
  const auto iolets = sample_iolets();
  const ResultsMetadata meta = sample_metadata();
  const fs::path file = dir / "results.h5";
  {
    ResultsWriter w(file, g, iolets, meta);
    EXPECT_EQ(w.occupied_chunks(), 4);
    EXPECT_EQ(w.chunk_shape(), (std::array<int, 3>{16, 16, 16}));
    for (std::int64_t step : {0, 10, 20}) w.append_diagnostics(sample_diagnostics(step));
    w.write_fields(test::make_snapshot(g, 10, 1e-3, 1.0));
    w.write_fields(test::make_snapshot(g, 20, 2e-3, 2.0));
    ASSERT_EQ(w.snapshots().size(), 2u);
    EXPECT_EQ(w.snapshots()[1].group, "/fields/step_00000020");
    w.close();
  }
  H5 f(file);
  ASSERT_GE(f.id(), 0);
  const hid_t h = f.id();

  EXPECT_EQ(read_string_attribute(h, "/", "format"), "hemotwin-results");
  EXPECT_EQ(read_attribute<std::int64_t>(h, "/", "format_version", H5T_NATIVE_INT64)[0], 1);

  // Geometry.
  EXPECT_EQ(read_attribute<double>(h, "/geometry", "dx", H5T_NATIVE_DOUBLE)[0], g.dx);
  EXPECT_EQ(read_attribute<double>(h, "/geometry", "origin", H5T_NATIVE_DOUBLE),
            (std::vector<double>{g.origin.x(), g.origin.y(), g.origin.z()}));
  EXPECT_EQ(read_attribute<int>(h, "/geometry", "cells", H5T_NATIVE_INT),
            (std::vector<int>{48, 24, 16}));
  EXPECT_EQ(read_attribute<int>(h, "/geometry", "brick_size", H5T_NATIVE_INT)[0], 8);
  EXPECT_EQ(read_attribute<std::int64_t>(h, "/geometry", "fluid_cells", H5T_NATIVE_INT64)[0],
            g.fluid_cells);
  std::vector<hsize_t> dims;
  const auto origins =
      read_dataset<std::int32_t>(h, "/geometry/brick_origins", H5T_NATIVE_INT32, &dims);
  ASSERT_EQ(dims, (std::vector<hsize_t>{7, 3}));
  for (std::size_t i = 0; i < 7; ++i)
    for (int a = 0; a < 3; ++a) EXPECT_EQ(origins[3 * i + a], g.brick_origins[i][a]);

  const auto mask = read_dataset<std::uint8_t>(h, "/geometry/fluid_mask", H5T_NATIVE_UINT8, &dims);
  ASSERT_EQ(dims, (std::vector<hsize_t>{16, 24, 48}));
  std::int64_t mask_sum = 0;
  for (int z = 0; z < 16; ++z)
    for (int y = 0; y < 24; ++y)
      for (int x = 0; x < 48; ++x) {
        const std::uint8_t m = mask[(z * 24 + y) * 48 + x];
        ASSERT_EQ(m, test::stored_fluid(g, x, y, z) ? 1 : 0) << x << " " << y << " " << z;
        mask_sum += m;
      }
  EXPECT_EQ(mask_sum, g.fluid_cells);

  // Fields: exact at fluid cells, 0 at stored solid cells (which held 99) and outside the bricks.
  for (auto [step, scale] : {std::pair<int, double>{10, 1.0}, {20, 2.0}}) {
    char group[64];
    std::snprintf(group, sizeof group, "/fields/step_%08d", step);
    EXPECT_EQ(read_attribute<std::int64_t>(h, group, "step", H5T_NATIVE_INT64)[0], step);
    EXPECT_DOUBLE_EQ(read_attribute<double>(h, group, "time", H5T_NATIVE_DOUBLE)[0], step * 1e-4);
    const auto u =
        read_dataset<float>(h, std::string(group) + "/velocity", H5T_NATIVE_FLOAT, &dims);
    ASSERT_EQ(dims, (std::vector<hsize_t>{16, 24, 48, 3}));
    const auto p =
        read_dataset<float>(h, std::string(group) + "/pressure", H5T_NATIVE_FLOAT, &dims);
    ASSERT_EQ(dims, (std::vector<hsize_t>{16, 24, 48}));
    for (int z = 0; z < 16; ++z)
      for (int y = 0; y < 24; ++y)
        for (int x = 0; x < 48; ++x) {
          const std::size_t i = (z * 24 + y) * 48 + x;
          const bool fluid = test::stored_fluid(g, x, y, z);
          for (int k = 0; k < 3; ++k)
            ASSERT_EQ(u[3 * i + k], fluid ? test::velocity_value(x, y, z, k, scale) : 0.0f)
                << x << " " << y << " " << z << " " << k;
          ASSERT_EQ(p[i], fluid ? test::pressure_value(x, y, z, scale) : 0.0f);
        }
    EXPECT_EQ(read_string_attribute(h, std::string(group) + "/velocity", "units"), "m/s");
    EXPECT_EQ(read_string_attribute(h, std::string(group) + "/pressure", "units"), "Pa");
  }
  EXPECT_DOUBLE_EQ(read_attribute<double>(h, "/fields", "dt", H5T_NATIVE_DOUBLE)[0], 1e-4);

  // Iolets and diagnostics.
  for (std::size_t k = 0; k < iolets.size(); ++k) {
    const std::string gname = "/iolets/" + iolets[k].name;
    EXPECT_EQ(read_string_attribute(h, gname, "name"), iolets[k].name);
    EXPECT_EQ(read_string_attribute(h, gname, "kind"),
              k == 0 ? "velocity_inlet" : "pressure_outlet");
    EXPECT_EQ(
        read_attribute<double>(h, gname, "centre", H5T_NATIVE_DOUBLE),
        (std::vector<double>{iolets[k].centre.x(), iolets[k].centre.y(), iolets[k].centre.z()}));
    EXPECT_EQ(
        read_attribute<double>(h, gname, "normal", H5T_NATIVE_DOUBLE),
        (std::vector<double>{iolets[k].normal.x(), iolets[k].normal.y(), iolets[k].normal.z()}));
    EXPECT_EQ(read_attribute<double>(h, gname, "area", H5T_NATIVE_DOUBLE)[0], iolets[k].area);
    const auto t = read_dataset<double>(h, gname + "/time", H5T_NATIVE_DOUBLE);
    const auto q = read_dataset<double>(h, gname + "/flow", H5T_NATIVE_DOUBLE);
    const auto pr = read_dataset<double>(h, gname + "/pressure", H5T_NATIVE_DOUBLE);
    ASSERT_EQ(t.size(), 3u);
    ASSERT_EQ(q.size(), 3u);
    ASSERT_EQ(pr.size(), 3u);
    for (int i = 0; i < 3; ++i) {
      const Diagnostics d = sample_diagnostics(10 * i);
      EXPECT_EQ(t[i], d.time);
      EXPECT_EQ(q[i], d.iolet_flow[k]);
      EXPECT_EQ(pr[i], d.iolet_pressure[k]);
    }
    EXPECT_EQ(read_string_attribute(h, gname + "/flow", "units"), "m^3/s");
  }
  const auto mass = read_dataset<double>(h, "/diagnostics/mass", H5T_NATIVE_DOUBLE);
  EXPECT_EQ(mass, (std::vector<double>{1000, 1010, 1020}));

  // Case and provenance.
  EXPECT_EQ(read_string_dataset(h, "/case/source_text"), meta.case_text);
  EXPECT_EQ(read_string_attribute(h, "/case", "name"), "synthetic");
  EXPECT_EQ(read_string_attribute(h, "/provenance", "hemotwin_version"), meta.provenance.version);
  EXPECT_EQ(read_string_attribute(h, "/provenance", "git_commit"), meta.provenance.git_commit);
  EXPECT_EQ(read_string_attribute(h, "/provenance", "backend"), "cpu");
  EXPECT_EQ(read_string_attribute(h, "/provenance", "device"), "test device");
  EXPECT_EQ(read_string_attribute(h, "/provenance", "date"), meta.provenance.date);
  EXPECT_FALSE(read_string_attribute(h, "/provenance", "host").empty());
  EXPECT_TRUE(
      std::regex_match(meta.provenance.date, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));

  // Storage: brick-aligned chunks, compressed, fill 0, only the 4 chunks that hold bricks.
  for (const char* name : {"/geometry/fluid_mask", "/fields/step_00000010/velocity",
                           "/fields/step_00000020/pressure"}) {
    const Storage st = storage_of(h, name);
    EXPECT_EQ(st.chunks, 4u) << name;
    EXPECT_EQ(st.chunk_dims[0], 16u);
    EXPECT_EQ(st.chunk_dims[1], 16u);
    EXPECT_EQ(st.chunk_dims[2], 16u);
    EXPECT_TRUE(st.deflate) << name;
    EXPECT_TRUE(st.shuffle) << name;
    EXPECT_EQ(st.fill, 0.0) << name;
  }
}

TEST(ResultsWriter, ChunksFollowTheBrickSizeAndClipToTheGrid) {
  TempDir dir("chunks");
  // Bricks of 4 in a 12 x 8 x 4 box: chunk edge 16 clips to the box.
  const GridInfo small = test::make_grid({12, 8, 4}, {{0, 0, 0}, {2, 1, 0}}, 4);
  ResultsOptions opt;
  {
    ResultsWriter w(dir / "small.h5", small, {}, sample_metadata(), opt);
    EXPECT_EQ(w.chunk_shape(), (std::array<int, 3>{4, 8, 12}));
    EXPECT_EQ(w.occupied_chunks(), 1);
    w.write_fields(test::make_snapshot(small, 1, 0.1, 1.0));
  }
  // A chunk edge of 10 with bricks of 8 rounds up to 16; one of 8 gives one chunk per brick.
  const GridInfo g = sample_grid();
  opt.chunk_edge = 10;
  EXPECT_EQ(ResultsWriter(dir / "a.h5", g, {}, sample_metadata(), opt).chunk_shape(),
            (std::array<int, 3>{16, 16, 16}));
  opt.chunk_edge = 8;
  opt.compression_level = 0;
  {
    ResultsWriter w(dir / "b.h5", g, {}, sample_metadata(), opt);
    EXPECT_EQ(w.occupied_chunks(), 7);
    w.write_fields(test::make_snapshot(g, 5, 0.5, 3.0));
    w.close();
  }
  H5 f(dir / "b.h5");
  const Storage st = storage_of(f.id(), "/fields/step_00000005/velocity");
  EXPECT_EQ(st.chunks, 7u);
  EXPECT_FALSE(st.deflate);
  const auto p = read_dataset<float>(f.id(), "/fields/step_00000005/pressure", H5T_NATIVE_FLOAT);
  EXPECT_EQ(p[(9 * 24 + 17) * 48 + 25],
            test::stored_fluid(g, 25, 17, 9) ? test::pressure_value(25, 17, 9, 3.0) : 0.0f);
}

/// Peak resident set size (VmHWM) in KiB, after resetting it; -1 where Linux does not allow it.
long reset_and_read_peak_rss(bool reset) {
  if (reset) {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";
    clear.close();
    if (!clear) return -1;
  }
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

TEST(ResultsWriter, FileAndMemoryFollowTheFluidNotTheBoundingBox) {
  TempDir dir("sparse");
  // Two bricks at opposite corners of a 256^3 box: dense velocity would be 201 MB.
  const GridInfo g = test::make_grid({256, 256, 256}, {{0, 0, 0}, {31, 31, 31}});
  const FieldSnapshot s = test::make_snapshot(g, 100, 0.01, 1.0);
  const long before = reset_and_read_peak_rss(true);
  {
    ResultsWriter w(dir / "results.h5", g, sample_iolets(), sample_metadata());
    EXPECT_EQ(w.occupied_chunks(), 2);
    w.append_diagnostics(sample_diagnostics(100));
    w.write_fields(s);
    w.close();
  }
  const long after = reset_and_read_peak_rss(false);
  const auto size = fs::file_size(dir / "results.h5");
  EXPECT_LT(size, 1u << 20) << "results.h5 of 2 bricks in a 256^3 box is " << size << " bytes";
  std::printf("results.h5 of 2 bricks in a 256^3 box: %ju bytes\n",
              static_cast<std::uintmax_t>(size));
  if (before > 0 && after > 0)
    EXPECT_LT(after - before, 32 * 1024)
        << "writing raised the peak RSS by " << (after - before) << " KiB";
  else
    std::printf("note: peak RSS cannot be reset here; memory not checked\n");

  H5 f(dir / "results.h5");
  for (const char* name :
       {"/geometry/fluid_mask", "/fields/step_00000100/velocity", "/fields/step_00000100/pressure"})
    EXPECT_EQ(storage_of(f.id(), name).chunks, 2u) << name;
  // A value in the far brick and the fill value in the empty middle, read by hyperslab.
  const hid_t d = H5Dopen2(f.id(), "/fields/step_00000100/velocity", H5P_DEFAULT);
  const hid_t space = H5Dget_space(d);
  const hsize_t count[4] = {1, 1, 1, 3};
  const hsize_t one[4] = {1, 1, 1, 3};
  const hid_t mem = H5Screate_simple(4, one, nullptr);
  auto read_cell = [&](int x, int y, int z) {
    std::array<float, 3> v{};
    const hsize_t start[4] = {static_cast<hsize_t>(z), static_cast<hsize_t>(y),
                              static_cast<hsize_t>(x), 0};
    H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nullptr, count, nullptr);
    EXPECT_GE(H5Dread(d, H5T_NATIVE_FLOAT, mem, space, H5P_DEFAULT, v.data()), 0);
    return v;
  };
  int fx = 250, fy = 251, fz = 253;
  while (!test::is_fluid(fx, fy, fz)) ++fx;
  EXPECT_EQ(read_cell(fx, fy, fz)[2], test::velocity_value(fx, fy, fz, 2, 1.0));
  EXPECT_EQ(read_cell(128, 128, 128)[0], 0.0f);
  H5Sclose(mem);
  H5Sclose(space);
  H5Dclose(d);
}

TEST(ResultsWriter, RefusesInconsistentInputNamingTheFile) {
  TempDir dir("refuse");
  const GridInfo g = sample_grid();
  const fs::path file = dir / "results.h5";
  auto expect_error = [&](auto&& f, const std::string& fragment) {
    try {
      f();
      ADD_FAILURE() << "no error; expected one containing '" << fragment << "'";
    } catch (const Error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(fragment), std::string::npos) << what;
      EXPECT_NE(what.find("results.h5"), std::string::npos) << what;
    }
  };
  ResultsWriter w(file, g, sample_iolets(), sample_metadata());
  FieldSnapshot bad = test::make_snapshot(g, 1, 0.1, 1.0);
  bad.pressure.pop_back();
  expect_error([&] { w.write_fields(bad); }, "pressure values");
  w.write_fields(test::make_snapshot(g, 1, 0.1, 1.0));
  expect_error([&] { w.write_fields(test::make_snapshot(g, 1, 0.1, 1.0)); }, "already written");
  Diagnostics d = sample_diagnostics(1);
  d.iolet_flow.pop_back();
  expect_error([&] { w.append_diagnostics(d); }, "iolet");

  GridInfo misaligned = g;
  misaligned.brick_origins[2][0] = 3;
  expect_error([&] { ResultsWriter(file, misaligned, {}, sample_metadata()); }, "brick 2");
  GridInfo short_types = g;
  short_types.cell_type.resize(100);
  expect_error([&] { ResultsWriter(file, short_types, {}, sample_metadata()); }, "cell_type");
  expect_error([&] { ResultsWriter(dir / "no-such-dir" / "results.h5", g, {}, sample_metadata()); },
               "cannot create the file");
}

// ---- XDMF --------------------------------------------------------------------------------------

using test::slurp;

TEST(Xdmf, DescribesEverySnapshotInZYXOrderWithReferencesThatExist) {
  TempDir dir("xdmf");
  const GridInfo g = sample_grid();
  std::vector<WrittenSnapshot> written;
  {
    ResultsWriter w(dir / "results.h5", g, sample_iolets(), sample_metadata());
    w.write_fields(test::make_snapshot(g, 10, 0.001, 1.0));
    w.write_fields(test::make_snapshot(g, 20, 0.002, 2.0));
    w.close();
    written = w.snapshots();
  }
  write_xdmf(dir / "results.xdmf", "results.h5", g, written);
  const std::string x = slurp(dir / "results.xdmf");

  EXPECT_NE(x.find("CollectionType=\"Temporal\""), std::string::npos);
  EXPECT_NE(x.find("TopologyType=\"3DCoRectMesh\" Dimensions=\"16 24 48\""), std::string::npos);
  EXPECT_NE(x.find("GeometryType=\"ORIGIN_DXDYDZ\""), std::string::npos);
  // Origin and spacing in Z Y X order, every digit kept.
  auto numbers = [&](const std::string& name) {
    std::smatch m;
    EXPECT_TRUE(std::regex_search(x, m, std::regex("Name=\"" + name + "\"[^>]*>([^<]*)<")));
    std::istringstream in(m[1].str());
    std::vector<double> v;
    for (double d; in >> d;) v.push_back(d);
    return v;
  };
  EXPECT_EQ(numbers("Origin"), (std::vector<double>{g.origin.z(), g.origin.y(), g.origin.x()}));
  EXPECT_EQ(numbers("Spacing"), (std::vector<double>{g.dx, g.dx, g.dx}));
  std::vector<double> times;
  const std::regex time_re(R"RE(<Time Value="([^"]+)"/>)RE");
  for (auto it = std::sregex_iterator(x.begin(), x.end(), time_re); it != std::sregex_iterator();
       ++it)
    times.push_back(std::stod((*it)[1].str()));
  EXPECT_EQ(times, (std::vector<double>{0.001, 0.002}));
  EXPECT_NE(x.find("Dimensions=\"16 24 48 3\""), std::string::npos);
  EXPECT_NE(x.find("AttributeType=\"Vector\""), std::string::npos);

  // Every HDF reference names a dataset of results.h5 with the dimensions the XDMF states.
  H5 f(dir / "results.h5");
  const std::regex item(
      R"RE(<DataItem Dimensions="([0-9 ]+)"[^>]*Format="HDF">([^:<]+):([^<]+)</DataItem>)RE");
  int references = 0;
  for (auto it = std::sregex_iterator(x.begin(), x.end(), item); it != std::sregex_iterator();
       ++it) {
    ++references;
    EXPECT_EQ((*it)[2].str(), "results.h5");
    const std::string path = (*it)[3].str();
    ASSERT_GT(H5Lexists(f.id(), path.c_str(), H5P_DEFAULT), 0) << path;
    const hid_t d = H5Dopen2(f.id(), path.c_str(), H5P_DEFAULT);
    const hid_t s = H5Dget_space(d);
    std::vector<hsize_t> dims(H5Sget_simple_extent_ndims(s));
    H5Sget_simple_extent_dims(s, dims.data(), nullptr);
    std::string stated;
    for (auto v : dims) stated += (stated.empty() ? "" : " ") + std::to_string(v);
    EXPECT_EQ(stated, (*it)[1].str()) << path;
    H5Sclose(s);
    H5Dclose(d);
  }
  // fluid_mask, velocity, pressure, q_criterion, lambda2 per snapshot
  EXPECT_EQ(references, 2 * 5);

  // Without the vortex fields: neither in the file nor in the XDMF.
  {
    ResultsWriter w(dir / "plain.h5", g, sample_iolets(), sample_metadata(),
                    ResultsOptions{.vortex_fields = false});
    w.write_fields(test::make_snapshot(g, 10, 0.001, 1.0));
    w.close();
    written = w.snapshots();
  }
  write_xdmf(dir / "plain.xdmf", "plain.h5", g, written);
  const std::string plain = slurp(dir / "plain.xdmf");
  EXPECT_EQ(plain.find("q_criterion"), std::string::npos);
  EXPECT_NE(plain.find("/pressure<"), std::string::npos);
  H5 p(dir / "plain.h5");
  EXPECT_EQ(H5Lexists(p.id(), (written[0].group + "/lambda2").c_str(), H5P_DEFAULT), 0);
}

TEST(Xdmf, WithoutSnapshotsDescribesTheGeometry) {
  TempDir dir("xdmf0");
  const GridInfo g = sample_grid();
  {
    ResultsWriter w(dir / "results.h5", g, {}, sample_metadata());
    w.close();
    EXPECT_TRUE(w.snapshots().empty());
  }
  write_xdmf(dir / "results.xdmf", "results.h5", g, {});
  const std::string x = slurp(dir / "results.xdmf");
  EXPECT_EQ(x.find("Temporal"), std::string::npos);
  EXPECT_NE(x.find("results.h5:/geometry/fluid_mask"), std::string::npos);
  EXPECT_EQ(x.find("velocity</DataItem>"), std::string::npos);
  EXPECT_THROW(write_xdmf(dir / "missing" / "results.xdmf", "results.h5", g, {}), Error);
}

}  // namespace
}  // namespace hemotwin::io
