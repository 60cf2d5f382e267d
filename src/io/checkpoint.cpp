#include "hemotwin/io/checkpoint.hpp"

#include <hdf5.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "atomic_file.hpp"
#include "hdf5_reading.hpp"
#include "hdf5_util.hpp"
#include "hdf5_writing.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/version.hpp"

namespace hemotwin::io {

namespace fs = std::filesystem;

namespace {

using h5::check_id;
using h5::check_status;
using h5::Hid;
using namespace h5::writing;

// The layout of the file; read_checkpoint refuses any other.
constexpr std::int64_t kFormatVersion = 1;
constexpr const char* kFormat = "hemotwin checkpoint";

// A 64-bit hash as text: HDF5 attributes have no unsigned 64-bit type h5py shows plainly.
std::string hex(std::uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, v);
  return buf;
}

// A 1-D dataset, chunked with Fletcher-32 checksums (a flipped bit is found on reading);
// contiguous, with nothing to check, when empty.
void write_checked(hid_t loc, const char* name, hid_t file_type, hid_t mem_type, const void* data,
                   hsize_t n, const fs::path& path) {
  Hid space(check_id(H5Screate_simple(1, &n, nullptr), path, "cannot create a dataspace"),
            H5Sclose);
  Hid plist(check_id(H5Pcreate(H5P_DATASET_CREATE), path, "cannot create a property list"),
            H5Pclose);
  if (n > 0) {
    const hsize_t chunk = std::min<hsize_t>(n, hsize_t(1) << 20);
    check_status(H5Pset_chunk(plist.get(), 1, &chunk), path, std::string("cannot chunk ") + name);
    check_status(H5Pset_fletcher32(plist.get()), path, std::string("cannot checksum ") + name);
  }
  Hid d(
      check_id(H5Dcreate2(loc, name, file_type, space.get(), H5P_DEFAULT, plist.get(), H5P_DEFAULT),
               path, std::string("cannot create ") + name),
      H5Dclose);
  if (n > 0)
    check_status(H5Dwrite(d.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), path,
                 std::string("cannot write ") + name);
}

void write_populations(hid_t file, const SimulationState& s, const fs::path& path) {
  const hsize_t elem = s.double_precision ? sizeof(double) : sizeof(float);
  write_checked(file, "populations", s.double_precision ? H5T_IEEE_F64LE : H5T_IEEE_F32LE,
                s.double_precision ? H5T_NATIVE_DOUBLE : H5T_NATIVE_FLOAT, s.populations.data(),
                s.populations.size() / elem, path);
  Hid d(check_id(H5Dopen2(file, "populations", H5P_DEFAULT), path, "cannot open the populations"),
        H5Dclose);
  attr_int64(d.get(), "layout", s.layout, path);
  attr_int64(d.get(), "q_count", s.q_count, path);
}

// The run loop's parts: /run/PART/KEY, each a checksummed array of doubles.
void write_run(hid_t file, const std::map<std::string, PartState>& run, const fs::path& path) {
  if (run.empty()) return;
  Hid group = create_group(file, "run", path);
  for (const auto& [part, state] : run) {
    Hid g = create_group(group.get(), part, path);
    for (const auto& [key, values] : state)
      write_checked(g.get(), key.c_str(), H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values.data(),
                    values.size(), path);
  }
}

void write_file(const fs::path& path, const Checkpoint& c) {
  h5::QuietHdf5 quiet;
  Hid file(check_id(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), path,
                    "cannot create the checkpoint"),
           H5Fclose);
  const hid_t root = file.get();
  const SimulationState& s = c.simulation;
  attr_string(root, "format", kFormat, path);
  attr_int64(root, "format_version", kFormatVersion, path);
  attr_string(root, "hemotwin_version", hemotwin::version_string, path);
  attr_string(root, "git_commit", hemotwin::git_commit, path);
  attr_string(root, "backend", c.backend, path);
  attr_string(root, "device", c.device, path);
  attr_int64(root, "step", s.step, path);
  attr_double(root, "time", c.time, path);
  attr_double(root, "wall_time_s", c.wall_time_s, path);
  attr_string(root, "lattice_hash", hex(s.lattice_hash), path);
  attr_string(root, "precision", s.double_precision ? "double" : "float", path);
  write_populations(root, s, path);
  write_run(root, c.run, path);
  Hid outlets = create_group(root, "outlets", path);
  write_double_series(outlets.get(), "pressure", s.outlet_pressure, "Pa", path);
  write_double_series(outlets.get(), "capacitor_pressure", s.outlet_capacitor_pressure, "Pa", path);
  if (!s.valve_open.empty()) {  // a chamber's diodes, open (1) or closed (0), per valve
    Hid valves = create_group(root, "valves", path);
    write_double_series(valves.get(), "diode_open",
                        std::vector<double>(s.valve_open.begin(), s.valve_open.end()), nullptr,
                        path);
  }
  Hid type = string_type(path);
  Hid scalar(check_id(H5Screate(H5S_SCALAR), path, "cannot create a dataspace"), H5Sclose);
  Hid text(check_id(H5Dcreate2(root, "case", type.get(), scalar.get(), H5P_DEFAULT, H5P_DEFAULT,
                               H5P_DEFAULT),
                    path, "cannot create the case text"),
           H5Dclose);
  const char* p = c.case_text.c_str();
  check_status(H5Dwrite(text.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &p), path,
               "cannot write the case text");
  text.reset();
  outlets.reset();
  check_status(file.reset(), path, "cannot complete the checkpoint (is the disk full?)");
}

std::int64_t int_attribute(const h5::Reader& r, const std::string& object,
                           const std::string& name) {
  const std::vector<double> v = r.attribute(object, name);
  return std::int64_t(v.at(0));
}

std::uint64_t parse_hex(const std::string& text, const fs::path& path) {
  std::uint64_t v = 0;
  if (text.size() != 16 || std::sscanf(text.c_str(), "%16" SCNx64, &v) != 1)
    throw Error("the checkpoint's lattice_hash is not 16 hexadecimal digits: '" + text + "'",
                path.string());
  return v;
}

void read_populations(const h5::Reader& r, SimulationState& s) {
  Hid d(check_id(H5Dopen2(r.file(), "populations", H5P_DEFAULT), r.path(),
                 "cannot open the populations"),
        H5Dclose);
  Hid space(check_id(H5Dget_space(d.get()), r.path(), "cannot read the populations' shape"),
            H5Sclose);
  if (H5Sget_simple_extent_ndims(space.get()) != 1)
    throw Error("the populations are not a 1-D dataset", r.path().string());
  hsize_t n = 0;
  H5Sget_simple_extent_dims(space.get(), &n, nullptr);
  const std::size_t elem = s.double_precision ? sizeof(double) : sizeof(float);
  s.populations.resize(std::size_t(n) * elem);
  const hid_t mem_type = s.double_precision ? H5T_NATIVE_DOUBLE : H5T_NATIVE_FLOAT;
  if (n > 0)
    check_status(H5Dread(d.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, s.populations.data()),
                 r.path(), "cannot read the populations (damaged: a checksum failed?)");
  s.layout = int(int_attribute(r, "/populations", "layout"));
  s.q_count = int(int_attribute(r, "/populations", "q_count"));
}

}  // namespace

void write_checkpoint(const fs::path& path, const Checkpoint& c) {
  replace_atomically(path, [&](const fs::path& partial) { write_file(partial, c); });
}

Checkpoint read_checkpoint(const fs::path& path) {
  h5::QuietHdf5 quiet;
  h5::Reader r(path, "checkpoint");
  if (r.string_attribute("/", "format") != kFormat)
    throw Error(
        "not a hemotwin checkpoint (its 'format' attribute is not '" + std::string(kFormat) + "')",
        path.string());
  const std::int64_t version = int_attribute(r, "/", "format_version");
  if (version != kFormatVersion)
    throw Error("checkpoint format version " + std::to_string(version) + "; this hemotwin (" +
                    std::string(hemotwin::version_string) + ") reads version " +
                    std::to_string(kFormatVersion) + ": resume with the version that wrote it (" +
                    r.string_attribute("/", "hemotwin_version") + ")",
                path.string());
  for (const char* object :
       {"/populations", "/outlets/pressure", "/outlets/capacitor_pressure", "/case"})
    r.require(object);
  Checkpoint c;
  c.hemotwin_version = r.string_attribute("/", "hemotwin_version");
  c.backend = r.string_attribute("/", "backend");
  c.device = r.string_attribute("/", "device");
  c.time = r.attribute("/", "time").at(0);
  c.case_text = r.string_dataset("/case");
  SimulationState& s = c.simulation;
  s.step = int_attribute(r, "/", "step");
  s.lattice_hash = parse_hex(r.string_attribute("/", "lattice_hash"), path);
  const std::string precision = r.string_attribute("/", "precision");
  if (precision != "float" && precision != "double")
    throw Error("the checkpoint's precision is '" + precision + "', not float or double",
                path.string());
  s.double_precision = precision == "double";
  read_populations(r, s);
  s.outlet_pressure = r.doubles("/outlets/pressure");
  s.outlet_capacitor_pressure = r.doubles("/outlets/capacitor_pressure");
  if (r.exists("/valves/diode_open"))
    for (double v : r.doubles("/valves/diode_open")) {
      if (v != 0 && v != 1)
        throw Error("the checkpoint's /valves/diode_open holds " + std::to_string(v) +
                        "; a diode is open (1) or closed (0)",
                    path.string());
      s.valve_open.push_back(std::uint8_t(v));
    }
  if (r.has_attribute("/", "wall_time_s")) c.wall_time_s = r.attribute("/", "wall_time_s").at(0);
  for (const std::string& part : r.members("/run"))
    for (const std::string& key : r.members("/run/" + part))
      c.run[part][key] = r.doubles("/run/" + part + "/" + key);
  return c;
}

Checkpoint make_checkpoint(Simulation& sim, std::string case_text) {
  Checkpoint c;
  c.simulation = sim.state();
  c.time = sim.time();
  c.case_text = std::move(case_text);
  c.hemotwin_version = hemotwin::version_string;
  c.backend = to_string(sim.backend());
  c.device = sim.device();
  return c;
}

}  // namespace hemotwin::io
