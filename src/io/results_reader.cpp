#include "hemotwin/io/results_reader.hpp"

#include <hdf5.h>

#include "hdf5_util.hpp"
#include "hemotwin/core/error.hpp"

namespace hemotwin::io {

namespace fs = std::filesystem;

namespace {

using h5::check_id;
using h5::check_status;
using h5::Hid;

class Reader {
 public:
  explicit Reader(fs::path path) : path_(std::move(path)) {
    if (!fs::exists(path_)) throw Error("no such results file", path_.string());
    file_ = Hid(check_id(H5Fopen(path_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path_,
                         "cannot open the file (is it a results.h5?)"),
                H5Fclose);
  }

  bool exists(const std::string& object) const {
    return H5Lexists(file_.get(), object.c_str(), H5P_DEFAULT) > 0;
  }
  bool has_attribute(const std::string& object, const std::string& name) const {
    return H5Aexists_by_name(file_.get(), object.c_str(), name.c_str(), H5P_DEFAULT) > 0;
  }

  void require(const std::string& object) const {
    if (!exists(object))
      throw Error("not a hemotwin results file: it has no '" + object + "'", path_.string());
  }

  /// A dataset of doubles, flattened; `rows`/`cols` get its first two dimensions (cols 1 for 1-D).
  /// A third dimension, when `depth` allows one, must equal `depth`.
  std::vector<double> doubles(const std::string& name, std::size_t* rows = nullptr,
                              std::size_t* cols = nullptr, std::size_t depth = 0) const {
    require(name);
    Hid d(check_id(H5Dopen2(file_.get(), name.c_str(), H5P_DEFAULT), path_, "cannot open " + name),
          H5Dclose);
    Hid space(check_id(H5Dget_space(d.get()), path_, "cannot read the shape of " + name), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 0 || rank > (depth ? 3 : 2))
      throw Error(name + " has an unexpected shape", path_.string());
    hsize_t dims[3] = {1, 1, 1};
    if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims, nullptr);
    if (depth && (rank != 3 || dims[2] != depth))
      throw Error(name + " has an unexpected shape", path_.string());
    std::vector<double> out(std::size_t(dims[0] * dims[1] * dims[2]));
    if (!out.empty())
      check_status(H5Dread(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()),
                   path_, "cannot read " + name);
    if (rows) *rows = std::size_t(dims[0]);
    if (cols) *cols = rank >= 2 ? std::size_t(dims[1]) : 1;
    return out;
  }

  std::vector<Eigen::Vector3d> vectors(const std::string& name) const {
    std::size_t rows = 0, cols = 0;
    const auto v = doubles(name, &rows, &cols);
    if (cols != 3) throw Error(name + " is not an [n, 3] dataset", path_.string());
    std::vector<Eigen::Vector3d> out(rows);
    for (std::size_t i = 0; i < rows; ++i) out[i] = {v[3 * i], v[3 * i + 1], v[3 * i + 2]};
    return out;
  }

  std::vector<double> attribute(const std::string& object, const std::string& name) const {
    if (!has_attribute(object, name))
      throw Error("'" + object + "' has no attribute '" + name + "'", path_.string());
    Hid a(check_id(
              H5Aopen_by_name(file_.get(), object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
              path_, "cannot open attribute " + object + ":" + name),
          H5Aclose);
    Hid space(check_id(H5Aget_space(a.get()), path_, "cannot read attribute " + name), H5Sclose);
    const hssize_t n = H5Sget_simple_extent_npoints(space.get());
    std::vector<double> out(std::size_t(std::max<hssize_t>(n, 1)));
    check_status(H5Aread(a.get(), H5T_NATIVE_DOUBLE, out.data()), path_,
                 "cannot read attribute " + object + ":" + name);
    return out;
  }

  std::string string_attribute(const std::string& object, const std::string& name) const {
    if (!has_attribute(object, name)) return {};
    Hid a(check_id(
              H5Aopen_by_name(file_.get(), object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
              path_, "cannot open attribute " + object + ":" + name),
          H5Aclose);
    Hid type(check_id(H5Aget_type(a.get()), path_, "cannot read the type of " + name), H5Tclose);
    return read_string(type.get(), "attribute " + object + ":" + name,
                       [&](hid_t mem, void* buf) { return H5Aread(a.get(), mem, buf); });
  }

  std::string string_dataset(const std::string& name) const {
    if (!exists(name)) return {};
    Hid d(check_id(H5Dopen2(file_.get(), name.c_str(), H5P_DEFAULT), path_, "cannot open " + name),
          H5Dclose);
    Hid type(check_id(H5Dget_type(d.get()), path_, "cannot read the type of " + name), H5Tclose);
    return read_string(type.get(), name, [&](hid_t mem, void* buf) {
      return H5Dread(d.get(), mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    });
  }

  /// A scalar string of file type `type` (variable or fixed length, in its own character set),
  /// read by `read(memory_type, buffer)`.
  template <class Read>
  std::string read_string(hid_t type, const std::string& what, Read&& read) const {
    Hid mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_cset(mem.get(), H5Tget_cset(type));
    if (H5Tis_variable_str(type) > 0) {
      H5Tset_size(mem.get(), H5T_VARIABLE);
      char* text = nullptr;
      check_status(read(mem.get(), &text), path_, "cannot read " + what);
      std::string out = text ? text : "";
      H5free_memory(text);
      return out;
    }
    const std::size_t size = H5Tget_size(type);
    std::string out(size, '\0');
    H5Tset_size(mem.get(), size);
    check_status(read(mem.get(), out.data()), path_, "cannot read " + what);
    return out.substr(0, out.find('\0'));
  }

  /// The names of a group's members, in creation (or name) order.
  std::vector<std::string> members(const std::string& group) const {
    std::vector<std::string> out;
    if (!exists(group)) return out;
    Hid g(
        check_id(H5Gopen2(file_.get(), group.c_str(), H5P_DEFAULT), path_, "cannot open " + group),
        H5Gclose);
    H5G_info_t info;
    check_status(H5Gget_info(g.get(), &info), path_, "cannot list " + group);
    for (hsize_t i = 0; i < info.nlinks; ++i) {
      const ssize_t n =
          H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
      std::string name(std::size_t(std::max<ssize_t>(n, 0)), '\0');
      H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size() + 1,
                         H5P_DEFAULT);
      out.push_back(name);
    }
    return out;
  }

  /// The groups under `group` as plane series, sorted by their `index` attribute.
  std::vector<PlaneSeries> planes(const std::string& group, bool sections) const {
    std::vector<std::pair<double, PlaneSeries>> found;
    for (const auto& m : members(group)) {
      const std::string g = group + "/" + m;
      PlaneSeries p;
      p.name = string_attribute(g, "name");
      if (p.name.empty()) p.name = m;
      p.kind = sections ? "section" : string_attribute(g, "kind");
      const auto c = attribute(g, "centre"), n = attribute(g, "normal");
      if (c.size() != 3 || n.size() != 3)
        throw Error(g + ": centre and normal must hold 3 values", path_.string());
      p.centre = {c[0], c[1], c[2]};
      p.normal = {n[0], n[1], n[2]};
      p.area = attribute(g, "area")[0];
      p.time = doubles(g + "/time");
      p.flow = doubles(g + "/flow");
      p.pressure = doubles(g + "/pressure");
      if (p.flow.size() != p.time.size() || p.pressure.size() != p.time.size())
        throw Error(g + ": time, flow and pressure differ in length", path_.string());
      const double index = has_attribute(g, "index") ? attribute(g, "index")[0] : found.size();
      found.emplace_back(index, std::move(p));
    }
    std::stable_sort(found.begin(), found.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<PlaneSeries> out;
    for (auto& f : found) out.push_back(std::move(f.second));
    return out;
  }

 private:
  fs::path path_;
  Hid file_;
};

}  // namespace

const PlaneSeries& ResultsData::plane(const std::string& name) const {
  for (const auto* set : {&iolets, &sections})
    for (const auto& p : *set)
      if (p.name == name) return p;
  std::string known;
  for (const auto* set : {&iolets, &sections})
    for (const auto& p : *set) known += (known.empty() ? "" : ", ") + p.name;
  throw Error("no inlet, outlet or section named '" + name + "'; the results hold " +
                  (known.empty() ? std::string("none") : known),
              path.string());
}

ResultsData read_results(const fs::path& path) {
  h5::QuietHdf5 quiet;
  Reader r(path);
  r.require("/iolets");
  r.require("/diagnostics");
  ResultsData d;
  d.path = path;
  d.case_name = r.string_attribute("/case", "name");
  d.case_text = r.string_dataset("/case/source_text");
  if (r.has_attribute("/fields", "dt")) d.dt = r.attribute("/fields", "dt")[0];
  if (r.has_attribute("/diagnostics", "cycle_period"))
    d.cycle_period = r.attribute("/diagnostics", "cycle_period")[0];
  d.iolets = r.planes("/iolets", false);
  d.sections = r.planes("/sections", true);
  if (r.exists("/wall")) {
    d.wall_points = r.vectors("/wall/points");
    d.wall_normals = r.vectors("/wall/normals");
    d.wall_wss = r.vectors("/wall/wss");
    if (r.exists("/wall/tawss")) d.tawss = r.doubles("/wall/tawss");
    if (r.exists("/wall/osi")) d.osi = r.doubles("/wall/osi");
    if (r.exists("/wall/area")) d.wall_area = r.doubles("/wall/area");
    if (r.has_attribute("/wall", "averaged_over"))
      d.averaged_over = r.attribute("/wall", "averaged_over")[0];
    if (r.exists("/wall/wss_series")) {
      d.wss_series_time = r.doubles("/wall/wss_series_time");
      std::size_t rows = 0, cols = 0;
      const std::vector<double> v = r.doubles("/wall/wss_series", &rows, &cols, 3);
      const std::size_t m = d.wall_points.size();
      if (rows != d.wss_series_time.size() || cols != m)
        throw Error("/wall/wss_series is not [" + std::to_string(d.wss_series_time.size()) + "][" +
                        std::to_string(m) + "][3]",
                    path.string());
      d.wss_series.assign(rows, std::vector<Eigen::Vector3d>(m));
      for (std::size_t k = 0; k < rows; ++k)
        for (std::size_t i = 0; i < m; ++i) {
          const double* p = &v[3 * (k * m + i)];
          d.wss_series[k][i] = {p[0], p[1], p[2]};
        }
    }
  }
  return d;
}

}  // namespace hemotwin::io
