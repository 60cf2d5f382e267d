#include "hemotwin/io/results_writer.hpp"

#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <limits>
#include <sstream>
#include <utility>

#include "atomic_file.hpp"
#include "grid_checks.hpp"
#include "hdf5_reading.hpp"
#include "hdf5_util.hpp"
#include "hdf5_writing.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/core/flow_fields.hpp"
#include "hemotwin/version.hpp"

namespace hemotwin::io {

namespace fs = std::filesystem;

// ---- provenance -----------------------------------------------------------------------------

Provenance Provenance::current(std::string backend, std::string device) {
  Provenance p;
  p.version = hemotwin::version_string;
  p.git_commit = hemotwin::git_commit;
  p.backend = std::move(backend);
  p.device = std::move(device);
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &utc);
  p.date = date;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) p.host = host;
  return p;
}

// ---- HDF5 helpers -----------------------------------------------------------------------------

namespace {

using h5::check_id;
using h5::check_status;
using h5::Hid;
using h5::QuietHdf5;
using namespace h5::writing;

/// A name usable as an HDF5 link name ('/' and '.' as the whole name are not).
std::string link_name(std::string name, std::size_t index) {
  std::replace(name.begin(), name.end(), '/', '_');
  if (name.empty() || name == "." || name == "..") name = "iolet" + std::to_string(index);
  return name;
}

std::string step_group_name(std::int64_t step) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "step_%08" PRId64, step);
  return buf;
}

/// A chunk of the dense datasets that holds at least one stored brick.
struct Chunk {
  std::array<int, 3> start{};   // first cell, x y z
  std::array<int, 3> extent{};  // cells, x y z (clipped at the upper faces of the box)
  std::vector<std::int32_t> bricks;
};

}  // namespace

// ---- writer -----------------------------------------------------------------------------------

struct ResultsWriter::Impl {
  fs::path path;
  ResultsOptions options;
  GridInfo grid;  // a copy: cell_type is needed for every field written
  std::vector<IoletInfo> iolets;
  std::vector<SectionInfo> sections;
  double cycle_period = 0;
  std::array<int, 3> chunk{};  // chunk edge in cells, x y z
  std::vector<Chunk> chunks;
  std::vector<WrittenSnapshot> written;
  std::vector<Diagnostics> series;
  Hid file;
  Hid fields;
  bool closed = false;

  void build_chunk_map();
  /// Writes a dense dataset [nz][ny][nx] (x `components` when > 1) one chunk at a time;
  /// `value(cell, component)` is asked only for fluid cells, every other cell holds 0.
  template <class T, class Value>
  void write_dense(const fs::path& file, hid_t loc, const std::string& group, const char* name,
                   hid_t file_type, hid_t mem_type, int components, const char* units, Value value);
  /// Writes /fields/step_N of `s` into `fields_group` of `file`.
  void write_step(const fs::path& file, hid_t fields_group, const FieldSnapshot& s);
  void check_new_step(std::int64_t step) const;
  void write_geometry();
  void write_case_and_provenance(const ResultsMetadata& meta);
  void write_series();
};

void ResultsWriter::Impl::build_chunk_map() {
  const int b = grid.brick_size;
  const int edge = std::max(1, (std::max(options.chunk_edge, 1) + b - 1) / b) * b;
  std::array<int, 3> nchunks{};
  for (int a = 0; a < 3; ++a) {
    chunk[a] = std::min(edge, grid.cells[a]);
    nchunks[a] = (grid.cells[a] + chunk[a] - 1) / chunk[a];
  }
  // (chunk index, brick) pairs sorted by chunk: z-major order follows the file's layout.
  std::vector<std::pair<std::int64_t, std::int32_t>> keyed;
  keyed.reserve(grid.brick_origins.size());
  for (std::size_t i = 0; i < grid.brick_origins.size(); ++i) {
    const auto& o = grid.brick_origins[i];
    const std::int64_t key =
        (static_cast<std::int64_t>(o[2] / chunk[2]) * nchunks[1] + o[1] / chunk[1]) * nchunks[0] +
        o[0] / chunk[0];
    keyed.emplace_back(key, static_cast<std::int32_t>(i));
  }
  std::sort(keyed.begin(), keyed.end());
  for (std::size_t i = 0; i < keyed.size(); ++i) {
    if (i == 0 || keyed[i].first != keyed[i - 1].first) {
      Chunk c;
      const auto& o = grid.brick_origins[keyed[i].second];
      for (int a = 0; a < 3; ++a) {
        c.start[a] = o[a] / chunk[a] * chunk[a];
        c.extent[a] = std::min(chunk[a], grid.cells[a] - c.start[a]);
      }
      chunks.push_back(std::move(c));
    }
    chunks.back().bricks.push_back(keyed[i].second);
  }
}

template <class T, class Value>
void ResultsWriter::Impl::write_dense(const fs::path& file, hid_t loc, const std::string& group,
                                      const char* name, hid_t file_type, hid_t mem_type,
                                      int components, const char* units, Value value) {
  const int rank = components > 1 ? 4 : 3;
  const hsize_t dims[4] = {static_cast<hsize_t>(grid.cells[2]), static_cast<hsize_t>(grid.cells[1]),
                           static_cast<hsize_t>(grid.cells[0]), static_cast<hsize_t>(components)};
  const hsize_t chunk_dims[4] = {static_cast<hsize_t>(chunk[2]), static_cast<hsize_t>(chunk[1]),
                                 static_cast<hsize_t>(chunk[0]), static_cast<hsize_t>(components)};
  const std::string what = "dataset '" + group + "/" + name + "'";

  Hid dcpl(check_id(H5Pcreate(H5P_DATASET_CREATE), file, "cannot create properties of " + what),
           H5Pclose);
  check_status(H5Pset_chunk(dcpl.get(), rank, chunk_dims), file, "cannot chunk " + what);
  if (options.shuffle) check_status(H5Pset_shuffle(dcpl.get()), file, "cannot shuffle " + what);
  if (options.compression_level > 0)
    check_status(H5Pset_deflate(dcpl.get(), static_cast<unsigned>(options.compression_level)), file,
                 "cannot compress " + what);
  const T zero{};
  check_status(H5Pset_fill_value(dcpl.get(), mem_type, &zero), file,
               "cannot set the fill value of " + what);
  check_status(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_IFSET), file,
               "cannot set the fill time of " + what);
  check_status(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_INCR), file,
               "cannot set incremental allocation of " + what);
  Hid space(check_id(H5Screate_simple(rank, dims, nullptr), file,
                     "cannot create the dataspace of " + what),
            H5Sclose);
  Hid dset(
      check_id(H5Dcreate2(loc, name, file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
               file, "cannot create " + what),
      H5Dclose);

  const int b = grid.brick_size;
  const std::int64_t brick_cells = static_cast<std::int64_t>(b) * b * b;
  std::vector<T> buffer;
  for (const Chunk& c : chunks) {
    const std::size_t ex = c.extent[0], ey = c.extent[1], ez = c.extent[2];
    buffer.assign(ex * ey * ez * components, T{});
    for (const std::int32_t brick : c.bricks) {
      const auto& o = grid.brick_origins[brick];
      const int ox = o[0] - c.start[0], oy = o[1] - c.start[1], oz = o[2] - c.start[2];
      const std::int64_t first = brick * brick_cells;
      for (int z = 0; z < b; ++z)
        for (int y = 0; y < b; ++y) {
          const std::size_t row = (static_cast<std::size_t>(oz + z) * ey + (oy + y)) * ex + ox;
          const std::int64_t cell_row = first + static_cast<std::int64_t>(b) * (y + b * z);
          for (int x = 0; x < b; ++x) {
            const std::int64_t cell = cell_row + x;
            if (grid.cell_type[cell] != static_cast<std::uint8_t>(CellType::Fluid)) continue;
            T* out = &buffer[(row + x) * components];
            for (int k = 0; k < components; ++k) out[k] = value(cell, k);
          }
        }
    }
    const hsize_t start[4] = {static_cast<hsize_t>(c.start[2]), static_cast<hsize_t>(c.start[1]),
                              static_cast<hsize_t>(c.start[0]), 0};
    const hsize_t count[4] = {ez, ey, ex, static_cast<hsize_t>(components)};
    check_status(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr),
                 file, "cannot select a chunk of " + what);
    Hid memory(check_id(H5Screate_simple(rank, count, nullptr), file,
                        "cannot create a memory space for " + what),
               H5Sclose);
    check_status(
        H5Dwrite(dset.get(), mem_type, memory.get(), space.get(), H5P_DEFAULT, buffer.data()), file,
        "cannot write a chunk of " + what);
  }
  if (units) attr_string(dset.get(), "units", units, file);
}

void ResultsWriter::Impl::write_geometry() {
  Hid g = create_group(file.get(), "geometry", path);
  attr_double(g.get(), "dx", grid.dx, path);
  const double origin[3] = {grid.origin.x(), grid.origin.y(), grid.origin.z()};
  attr_doubles(g.get(), "origin", origin, 3, path);
  const std::int32_t cells[3] = {grid.cells[0], grid.cells[1], grid.cells[2]};
  attr_int32s(g.get(), "cells", cells, 3, path);
  const std::int32_t brick_size = grid.brick_size;
  attr_int32s(g.get(), "brick_size", &brick_size, 0, path);
  const std::int32_t chunk_zyx[3] = {chunk[2], chunk[1], chunk[0]};
  attr_int32s(g.get(), "chunk_shape", chunk_zyx, 3, path);
  attr_int64(g.get(), "bricks", static_cast<std::int64_t>(grid.brick_origins.size()), path);
  attr_int64(g.get(), "stored_cells", grid.stored_cells(), path);
  attr_int64(g.get(), "fluid_cells", grid.fluid_cells, path);
  attr_string(g.get(), "units", "m", path);
  attr_string(g.get(), "layout",
              "dense datasets are indexed [z][y][x] (x fastest); cell (i, j, k) is centred at "
              "origin + dx * (i, j, k); origin, cells and brick_origins are in x, y, z order",
              path);

  std::vector<std::int32_t> origins;
  origins.reserve(grid.brick_origins.size() * 3);
  for (const auto& o : grid.brick_origins) origins.insert(origins.end(), o.begin(), o.end());
  write_dataset(g.get(), "brick_origins", H5T_STD_I32LE, H5T_NATIVE_INT32,
                {grid.brick_origins.size(), 3}, origins.data(), path, "cells");

  write_dense<std::uint8_t>(path, g.get(), "/geometry", "fluid_mask", H5T_STD_U8LE,
                            H5T_NATIVE_UINT8, 1, "1",
                            [](std::int64_t, int) { return std::uint8_t{1}; });
}

void ResultsWriter::Impl::write_case_and_provenance(const ResultsMetadata& meta) {
  {
    Hid g = create_group(file.get(), "case", path);
    attr_string(g.get(), "name", meta.case_name, path);
    attr_string(g.get(), "source_file", meta.case_file, path);
    // A dataset, not an attribute: attributes are limited to 64 KiB in the portable format.
    Hid type = string_type(path);
    Hid space(check_id(H5Screate(H5S_SCALAR), path, "cannot create a scalar dataspace"), H5Sclose);
    Hid dset(check_id(H5Dcreate2(g.get(), "source_text", type.get(), space.get(), H5P_DEFAULT,
                                 H5P_DEFAULT, H5P_DEFAULT),
                      path, "cannot create dataset '/case/source_text'"),
             H5Dclose);
    const char* text = meta.case_text.c_str();
    check_status(H5Dwrite(dset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &text), path,
                 "cannot write dataset '/case/source_text'");
  }
  {
    Hid g = create_group(file.get(), "provenance", path);
    const Provenance& p = meta.provenance;
    attr_string(g.get(), "hemotwin_version", p.version, path);
    attr_string(g.get(), "git_commit", p.git_commit, path);
    attr_string(g.get(), "backend", p.backend, path);
    attr_string(g.get(), "device", p.device, path);
    attr_string(g.get(), "date", p.date, path);
    attr_string(g.get(), "host", p.host, path);
    unsigned major = 0, minor = 0, release = 0;
    H5get_libversion(&major, &minor, &release);
    attr_string(g.get(), "hdf5_version",
                std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release),
                path);
  }
}

void ResultsWriter::Impl::write_series() {
  const std::size_t n = series.size();
  std::vector<std::int64_t> step(n);
  std::vector<double> time(n);
  for (std::size_t i = 0; i < n; ++i) {
    step[i] = series[i].step;
    time[i] = series[i].time;
  }
  const auto column = [&](double Diagnostics::*member) {
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = series[i].*member;
    return v;
  };
  {
    Hid g = create_group(file.get(), "diagnostics", path);
    write_dataset(g.get(), "step", H5T_STD_I64LE, H5T_NATIVE_INT64, {n}, step.data(), path);
    write_double_series(g.get(), "time", time, "s", path);
    write_double_series(g.get(), "mass", column(&Diagnostics::mass),
                        "lattice units (sum of densities over fluid cells)", path);
    write_double_series(g.get(), "max_speed", column(&Diagnostics::max_speed), "m/s", path);
    write_double_series(g.get(), "fluid_volume", column(&Diagnostics::fluid_volume), "m^3", path);
    write_double_series(g.get(), "kinetic_energy", column(&Diagnostics::kinetic_energy), "J", path);
    // A chamber's: the moving wall's volume and the viscous dissipation (NaN without one).
    const bool chamber = std::any_of(series.begin(), series.end(), [](const Diagnostics& d) {
      return std::isfinite(d.wall_volume);
    });
    if (chamber) {
      write_double_series(g.get(), "wall_volume", column(&Diagnostics::wall_volume), "m^3", path);
      write_double_series(g.get(), "viscous_dissipation", column(&Diagnostics::viscous_dissipation),
                          "W", path);
    }
    attr_double(g.get(), "cycle_period", cycle_period, path);
  }
  // One group per iolet or section: where it is, and its flow and pressure at every sample.
  const auto plane_group = [&](hid_t parent, std::size_t k, const std::string& name,
                               const Eigen::Vector3d& c, const Eigen::Vector3d& nrm, double area,
                               const std::vector<double> Diagnostics::*flow_of,
                               const std::vector<double> Diagnostics::*pressure_of) {
    Hid g = create_group(parent, link_name(name, k), path);
    attr_string(g.get(), "name", name, path);
    attr_int64(g.get(), "index", static_cast<std::int64_t>(k), path);
    const double centre[3] = {c.x(), c.y(), c.z()};
    const double normal[3] = {nrm.x(), nrm.y(), nrm.z()};
    attr_doubles(g.get(), "centre", centre, 3, path);
    attr_doubles(g.get(), "normal", normal, 3, path);
    attr_double(g.get(), "area", area, path);
    std::vector<double> flow(n), pressure(n);
    for (std::size_t i = 0; i < n; ++i) {
      flow[i] = (series[i].*flow_of)[k];
      pressure[i] = (series[i].*pressure_of)[k];
    }
    write_dataset(g.get(), "step", H5T_STD_I64LE, H5T_NATIVE_INT64, {n}, step.data(), path);
    write_double_series(g.get(), "time", time, "s", path);
    write_double_series(g.get(), "flow", flow, "m^3/s", path);
    write_double_series(g.get(), "pressure", pressure, "Pa", path);
    return g;
  };
  {
    Hid group = create_group(file.get(), "sections", path);
    attr_int64(group.get(), "count", static_cast<std::int64_t>(sections.size()), path);
    for (std::size_t k = 0; k < sections.size(); ++k)
      plane_group(group.get(), k, sections[k].name, sections[k].centre, sections[k].normal,
                  sections[k].area, &Diagnostics::section_flow, &Diagnostics::section_pressure);
  }
  Hid group = create_group(file.get(), "iolets", path);
  attr_int64(group.get(), "count", static_cast<std::int64_t>(iolets.size()), path);
  for (std::size_t k = 0; k < iolets.size(); ++k) {
    const IoletInfo& io = iolets[k];
    Hid g = plane_group(group.get(), k, io.name, io.centre, io.normal, io.area,
                        &Diagnostics::iolet_flow, &Diagnostics::iolet_pressure);
    attr_string(g.get(), "kind", to_string(io.kind), path);
    std::vector<double> pressure(n);
    if (io.kind == IoletKind::PressureOutlet) {
      // What the outlet imposes at its plane (fixed, waveform, resistance or Windkessel);
      // "pressure" is the mean over the slab just inside it.
      for (std::size_t i = 0; i < n; ++i) {
        const auto& b = series[i].iolet_boundary_pressure;
        pressure[i] = k < b.size() ? b[k] : std::numeric_limits<double>::quiet_NaN();
      }
      write_double_series(g.get(), "boundary_pressure", pressure, "Pa", path);
    }
  }
}

ResultsWriter::ResultsWriter(fs::path path, const GridInfo& grid, std::vector<IoletInfo> iolets,
                             const ResultsMetadata& meta, const ResultsOptions& options)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.path = std::move(path);
  m.options = options;
  if (options.compression_level < 0 || options.compression_level > 9)
    throw Error(
        "compression level must be 0 to 9, got " + std::to_string(options.compression_level),
        m.path.string());
  detail::check_grid(grid, m.path.string());
  m.grid = grid;
  m.iolets = std::move(iolets);
  m.sections = meta.sections;
  m.cycle_period = meta.cycle_period;
  m.build_chunk_map();

  QuietHdf5 quiet;
  if (options.compression_level > 0 && H5Zfilter_avail(H5Z_FILTER_DEFLATE) <= 0)
    throw Error("HDF5: this HDF5 library has no deflate (zlib) filter", m.path.string());
  Hid fapl(check_id(H5Pcreate(H5P_FILE_ACCESS), m.path, "cannot create file access properties"),
           H5Pclose);
  // Close everything with the file, so that close() really finishes the file.
  check_status(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG), m.path,
               "cannot set the close degree");
  m.file = Hid(check_id(H5Fcreate(m.path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), m.path,
                        "cannot create the file"),
               H5Fclose);
  attr_string(m.file.get(), "format", "hemotwin-results", m.path);
  attr_int64(m.file.get(), "format_version", 1, m.path);
  attr_string(m.file.get(), "hemotwin_version", meta.provenance.version, m.path);
  m.write_geometry();
  m.write_case_and_provenance(meta);
  m.fields = create_group(m.file.get(), "fields", m.path);
  attr_double(m.fields.get(), "dt", meta.dt, m.path);
}

ResultsWriter::~ResultsWriter() {
  if (impl_ && !impl_->closed) {
    try {
      close();
    } catch (...) {
      // Reported by close() when called explicitly; a destructor must not throw.
    }
  }
}

void ResultsWriter::Impl::write_step(const fs::path& file, hid_t fields_group,
                                     const FieldSnapshot& s) {
  const std::string name = step_group_name(s.step);
  Hid g = create_group(fields_group, name, file);
  attr_int64(g.get(), "step", s.step, file);
  attr_double(g.get(), "time", s.time, file);
  write_dense<float>(file, g.get(), "/fields/" + name, "velocity", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT,
                     3, "m/s", [&](std::int64_t cell, int k) { return s.velocity[3 * cell + k]; });
  write_dense<float>(file, g.get(), "/fields/" + name, "pressure", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT,
                     1, "Pa", [&](std::int64_t cell, int) { return s.pressure[cell]; });
  if (!options.vortex_fields) return;
  const VortexFields v = vortex_fields(grid, s.velocity);
  write_dense<float>(file, g.get(), "/fields/" + name, "q_criterion", H5T_IEEE_F32LE,
                     H5T_NATIVE_FLOAT, 1, "1/s^2",
                     [&](std::int64_t cell, int) { return v.q[cell]; });
  write_dense<float>(file, g.get(), "/fields/" + name, "lambda2", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT,
                     1, "1/s^2", [&](std::int64_t cell, int) { return v.lambda2[cell]; });
}

void ResultsWriter::Impl::check_new_step(std::int64_t step) const {
  for (const auto& w : written)
    if (w.step == step)
      throw Error("fields of step " + std::to_string(step) + " were already written",
                  path.string());
}

void ResultsWriter::write_fields(const FieldSnapshot& s) {
  Impl& m = *impl_;
  if (m.closed) throw Error("cannot write fields: the results file is closed", m.path.string());
  detail::check_snapshot(m.grid, s, m.path.string());
  m.check_new_step(s.step);
  QuietHdf5 quiet;
  m.write_step(m.path, m.fields.get(), s);
  m.written.push_back(
      {s.step, s.time, "/fields/" + step_group_name(s.step), m.options.vortex_fields});
}

void ResultsWriter::write_fields_file(const fs::path& file, const FieldSnapshot& s) const {
  Impl& m = *impl_;
  detail::check_snapshot(m.grid, s, file.string());
  replace_atomically(file, [&](const fs::path& partial) {
    QuietHdf5 quiet;
    Hid f(check_id(H5Fcreate(partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), partial,
                   "cannot create the field snapshot"),
          H5Fclose);
    attr_string(f.get(), "format", "hemotwin-field-snapshot", partial);
    {
      Hid fields = create_group(f.get(), "fields", partial);
      m.write_step(partial, fields.get(), s);
    }
    check_status(f.reset(), partial, "cannot complete the field snapshot (is the disk full?)");
  });
}

void ResultsWriter::adopt_fields(const fs::path& file) {
  Impl& m = *impl_;
  if (m.closed) throw Error("cannot adopt fields: the results file is closed", m.path.string());
  QuietHdf5 quiet;
  h5::Reader r(file, "field snapshot");
  const std::vector<std::string> steps = r.members("/fields");
  if (steps.size() != 1 || r.string_attribute("/", "format") != "hemotwin-field-snapshot")
    throw Error("not a hemotwin field snapshot (one /fields/step_N group)", file.string());
  const std::string group = "/fields/" + steps[0];
  const auto step = std::int64_t(r.attribute(group, "step").at(0));
  const double time = r.attribute(group, "time").at(0);
  if (steps[0] != step_group_name(step))
    throw Error(
        "the snapshot's group " + steps[0] + " does not match its step " + std::to_string(step),
        file.string());
  m.check_new_step(step);
  check_status(
      H5Ocopy(r.file(), group.c_str(), m.fields.get(), steps[0].c_str(), H5P_DEFAULT, H5P_DEFAULT),
      m.path, "cannot copy the field snapshot " + file.string() + " in");
  m.written.push_back({step, time, group, r.exists(group + "/q_criterion")});
}

void ResultsWriter::append_diagnostics(const Diagnostics& d) {
  Impl& m = *impl_;
  if (m.closed)
    throw Error("cannot record diagnostics: the results file is closed", m.path.string());
  if (d.iolet_flow.size() != m.iolets.size() || d.iolet_pressure.size() != m.iolets.size())
    throw Error("diagnostics of step " + std::to_string(d.step) + " hold " +
                    std::to_string(d.iolet_flow.size()) + " iolet flows and " +
                    std::to_string(d.iolet_pressure.size()) + " pressures for " +
                    std::to_string(m.iolets.size()) + " iolets",
                m.path.string());
  if (d.section_flow.size() != m.sections.size() || d.section_pressure.size() != m.sections.size())
    throw Error("diagnostics of step " + std::to_string(d.step) + " hold " +
                    std::to_string(d.section_flow.size()) + " section flows for " +
                    std::to_string(m.sections.size()) + " sections",
                m.path.string());
  m.series.push_back(d);
}

void ResultsWriter::close() {
  Impl& m = *impl_;
  if (m.closed) return;
  m.closed = true;  // whatever happens below, the file is not written to again
  QuietHdf5 quiet;
  m.write_series();
  m.fields.reset();
  check_status(H5Fflush(m.file.get(), H5F_SCOPE_GLOBAL), m.path, "cannot flush the file");
  check_status(m.file.reset(), m.path, "cannot close the file");
}

void ResultsWriter::write_wall(const WallShearField& w, const std::vector<double>& tawss,
                               const std::vector<double>& osi, double averaged_over,
                               const std::vector<double>& area) {
  Impl& m = *impl_;
  if (m.closed) throw Error("write_wall after close()", m.path.string());
  const std::size_t n = w.point.size();
  if (w.normal.size() != n || w.wss.size() != n ||
      (averaged_over > 0 && (tawss.size() != n || osi.size() != n)) ||
      (!area.empty() && area.size() != n))
    throw Error("write_wall: " + std::to_string(n) + " wall points but " +
                    std::to_string(w.wss.size()) + " stresses and " + std::to_string(tawss.size()) +
                    " averages",
                m.path.string());
  QuietHdf5 quiet;
  Hid g = create_group(m.file.get(), "wall", m.path);
  attr_double(g.get(), "time", w.time, m.path);
  attr_double(g.get(), "averaged_over", averaged_over, m.path);
  const auto flat = [&](const std::vector<Vec3>& v) {
    std::vector<double> out(3 * v.size());
    for (std::size_t k = 0; k < v.size(); ++k)
      for (int a = 0; a < 3; ++a) out[3 * k + a] = v[k][a];
    return out;
  };
  const auto vectors = [&](const char* name, const std::vector<Vec3>& v, const char* units) {
    const auto data = flat(v);
    write_dataset(g.get(), name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {v.size(), 3}, data.data(),
                  m.path, units);
  };
  vectors("points", w.point, "m");
  vectors("normals", w.normal, "1 (unit, out of the fluid)");
  vectors("wss", w.wss, "Pa");
  if (averaged_over > 0) {
    write_double_series(g.get(), "tawss", tawss, "Pa", m.path);
    write_double_series(g.get(), "osi", osi, "1", m.path);
  }
  if (!area.empty()) write_double_series(g.get(), "area", area, "m^2", m.path);
}

void ResultsWriter::write_wall_series(const std::vector<double>& times,
                                      const std::vector<std::vector<float>>& wss) {
  Impl& m = *impl_;
  if (m.closed) throw Error("write_wall_series after close()", m.path.string());
  if (times.size() != wss.size())
    throw Error("write_wall_series: " + std::to_string(times.size()) + " times but " +
                    std::to_string(wss.size()) + " samples",
                m.path.string());
  QuietHdf5 quiet;
  if (H5Lexists(m.file.get(), "/wall", H5P_DEFAULT) <= 0)
    throw Error("write_wall_series before write_wall", m.path.string());
  const std::size_t n = wss.size();
  const std::size_t values = n ? wss[0].size() : 0;
  for (const auto& w : wss)
    if (w.size() != values || values % 3 != 0)
      throw Error("write_wall_series: samples differ in size or are not 3 per point",
                  m.path.string());
  Hid g(check_id(H5Gopen2(m.file.get(), "/wall", H5P_DEFAULT), m.path, "cannot open /wall"),
        H5Gclose);
  write_double_series(g.get(), "wss_series_time", times, "s", m.path);
  const hsize_t dims[3] = {n, values / 3, 3};
  Hid space(check_id(H5Screate_simple(3, dims, nullptr), m.path, "cannot create a dataspace"),
            H5Sclose);
  Hid dcpl(check_id(H5Pcreate(H5P_DATASET_CREATE), m.path, "cannot create properties"), H5Pclose);
  if (n > 0 && values > 0) {
    const hsize_t chunk[3] = {1, values / 3, 3};
    check_status(H5Pset_chunk(dcpl.get(), 3, chunk), m.path, "cannot chunk wss_series");
    if (m.options.shuffle) check_status(H5Pset_shuffle(dcpl.get()), m.path, "cannot shuffle");
    if (m.options.compression_level > 0)
      check_status(H5Pset_deflate(dcpl.get(), unsigned(m.options.compression_level)), m.path,
                   "cannot compress");
  }
  Hid d(check_id(H5Dcreate2(g.get(), "wss_series", H5T_IEEE_F32LE, space.get(), H5P_DEFAULT,
                            dcpl.get(), H5P_DEFAULT),
                 m.path, "cannot create /wall/wss_series"),
        H5Dclose);
  for (std::size_t k = 0; k < n && values > 0; ++k) {
    const hsize_t start[3] = {k, 0, 0}, count[3] = {1, values / 3, 3};
    Hid file_space(check_id(H5Dget_space(d.get()), m.path, "cannot select"), H5Sclose);
    check_status(
        H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr),
        m.path, "cannot select a sample");
    Hid mem(check_id(H5Screate_simple(3, count, nullptr), m.path, "cannot create a dataspace"),
            H5Sclose);
    check_status(H5Dwrite(d.get(), H5T_NATIVE_FLOAT, mem.get(), file_space.get(), H5P_DEFAULT,
                          wss[k].data()),
                 m.path, "cannot write /wall/wss_series");
  }
  attr_string(d.get(), "units", "Pa", m.path);
}

const fs::path& ResultsWriter::path() const { return impl_->path; }
const std::vector<WrittenSnapshot>& ResultsWriter::snapshots() const { return impl_->written; }
std::array<int, 3> ResultsWriter::chunk_shape() const {
  return {impl_->chunk[2], impl_->chunk[1], impl_->chunk[0]};
}
std::int64_t ResultsWriter::occupied_chunks() const {
  return static_cast<std::int64_t>(impl_->chunks.size());
}

void configure_hdf5_for_program() {
  H5dont_atexit();
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

}  // namespace hemotwin::io
