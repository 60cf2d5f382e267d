#pragma once
// Reading HDF5 files with errors that name the file and say what it should have been (private to
// hemotwin::io): shared by the results reader and the checkpoints.
#include <hdf5.h>

#include <Eigen/Core>
#include <string>
#include <vector>

#include "hdf5_util.hpp"

namespace hemotwin::io::h5 {

class Reader {
 public:
  /// Opens `path` for reading; `kind` names what it should be in errors ("results file").
  Reader(fs::path path, std::string kind) : path_(std::move(path)), kind_(std::move(kind)) {
    if (!fs::exists(path_)) throw Error("no such " + kind_, path_.string());
    if (!fs::is_regular_file(path_))
      throw Error("not a file: a " + kind_ + " is one HDF5 file", path_.string());
    file_ = Hid(check_id(H5Fopen(path_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path_,
                         "cannot open the " + kind_ + " (not HDF5, or truncated)"),
                H5Fclose);
  }

  const fs::path& path() const { return path_; }
  hid_t file() const { return file_.get(); }

  bool exists(const std::string& object) const {
    return H5Lexists(file_.get(), object.c_str(), H5P_DEFAULT) > 0;
  }
  bool has_attribute(const std::string& object, const std::string& name) const {
    return H5Aexists_by_name(file_.get(), object.c_str(), name.c_str(), H5P_DEFAULT) > 0;
  }

  void require(const std::string& object) const {
    if (!exists(object))
      throw Error("not a hemotwin " + kind_ + ": it has no '" + object + "'", path_.string());
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

  /// A dataset of any rank as doubles, flattened; `dims` gets its shape.
  std::vector<double> array(const std::string& name, std::vector<std::size_t>& dims) const {
    require(name);
    Hid d(check_id(H5Dopen2(file_.get(), name.c_str(), H5P_DEFAULT), path_, "cannot open " + name),
          H5Dclose);
    Hid space(check_id(H5Dget_space(d.get()), path_, "cannot read the shape of " + name), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 0 || rank > 8) throw Error(name + " has an unexpected shape", path_.string());
    std::vector<hsize_t> shape(static_cast<std::size_t>(rank));
    if (rank > 0) H5Sget_simple_extent_dims(space.get(), shape.data(), nullptr);
    dims.assign(shape.begin(), shape.end());
    std::size_t n = 1;
    for (auto v : shape) n *= std::size_t(v);
    std::vector<double> out(n);
    if (n)
      check_status(H5Dread(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()),
                   path_, "cannot read " + name);
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

 private:
  fs::path path_;
  std::string kind_;
  Hid file_;
};

}  // namespace hemotwin::io::h5
