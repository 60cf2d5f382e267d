#pragma once
// Writing HDF5 attributes, groups and datasets with errors that name the file (private to
// hemotwin::io): shared by the results writer and the checkpoints.
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

#include "hdf5_util.hpp"

namespace hemotwin::io::h5::writing {

/// Creates an attribute of the given file type holding `n` values (a scalar when n == 0).
inline void write_attribute(hid_t loc, const char* name, hid_t file_type, hid_t mem_type,
                            const void* data, hsize_t n, const fs::path& file) {
  Hid space(check_id(n == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr), file,
                     std::string("cannot create the dataspace of attribute '") + name + "'"),
            H5Sclose);
  Hid attr(check_id(H5Acreate2(loc, name, file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT), file,
                    std::string("cannot create attribute '") + name + "'"),
           H5Aclose);
  check_status(H5Awrite(attr.get(), mem_type, data), file,
               std::string("cannot write attribute '") + name + "'");
}

inline void attr_double(hid_t loc, const char* name, double v, const fs::path& file) {
  write_attribute(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v, 0, file);
}
inline void attr_doubles(hid_t loc, const char* name, const double* v, hsize_t n,
                         const fs::path& file) {
  write_attribute(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v, n, file);
}
inline void attr_int64(hid_t loc, const char* name, std::int64_t v, const fs::path& file) {
  write_attribute(loc, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &v, 0, file);
}
inline void attr_int32s(hid_t loc, const char* name, const std::int32_t* v, hsize_t n,
                        const fs::path& file) {
  write_attribute(loc, name, H5T_STD_I32LE, H5T_NATIVE_INT32, v, n, file);
}

/// A variable-length UTF-8 string type (h5py reads these as str).
inline Hid string_type(const fs::path& file) {
  Hid type(check_id(H5Tcopy(H5T_C_S1), file, "cannot create a string type"), H5Tclose);
  check_status(H5Tset_size(type.get(), H5T_VARIABLE), file, "cannot size a string type");
  check_status(H5Tset_cset(type.get(), H5T_CSET_UTF8), file, "cannot set a string's encoding");
  return type;
}

inline void attr_string(hid_t loc, const char* name, const std::string& value,
                        const fs::path& file) {
  Hid type = string_type(file);
  const char* p = value.c_str();
  write_attribute(loc, name, type.get(), type.get(), &p, 0, file);
}

inline Hid create_group(hid_t loc, const std::string& name, const fs::path& file) {
  return Hid(check_id(H5Gcreate2(loc, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), file,
                      "cannot create group '" + name + "'"),
             H5Gclose);
}

/// A contiguous dataset of the given shape, written in one call (skipped when empty).
inline void write_dataset(hid_t loc, const char* name, hid_t file_type, hid_t mem_type,
                          const std::vector<hsize_t>& dims, const void* data, const fs::path& file,
                          const char* units = nullptr) {
  Hid space(check_id(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), file,
                     std::string("cannot create the dataspace of dataset '") + name + "'"),
            H5Sclose);
  Hid dset(
      check_id(H5Dcreate2(loc, name, file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
               file, std::string("cannot create dataset '") + name + "'"),
      H5Dclose);
  hsize_t n = 1;
  for (hsize_t d : dims) n *= d;
  if (n > 0)
    check_status(H5Dwrite(dset.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), file,
                 std::string("cannot write dataset '") + name + "'");
  if (units) attr_string(dset.get(), "units", units, file);
}

inline void write_double_series(hid_t loc, const char* name, const std::vector<double>& v,
                                const char* units, const fs::path& file) {
  write_dataset(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {v.size()}, v.data(), file, units);
}

}  // namespace hemotwin::io::h5::writing
