#pragma once
// Small RAII and error helpers over HDF5's C API, shared by the results writer and reader (private
// to hemotwin::io).
#include <hdf5.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "hemotwin/core/error.hpp"

namespace hemotwin::io::h5 {

namespace fs = std::filesystem;

/// An owned HDF5 identifier, closed with the function it was created for.
class Hid {
 public:
  using Closer = herr_t (*)(hid_t);
  Hid() = default;
  Hid(hid_t id, Closer close) : id_(id), close_(close) {}
  Hid(Hid&& o) noexcept : id_(std::exchange(o.id_, H5I_INVALID_HID)), close_(o.close_) {}
  Hid& operator=(Hid&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = std::exchange(o.id_, H5I_INVALID_HID);
      close_ = o.close_;
    }
    return *this;
  }
  Hid(const Hid&) = delete;
  Hid& operator=(const Hid&) = delete;
  ~Hid() { reset(); }

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  /// Closes now and reports the close status (closing a file flushes it).
  herr_t reset() {
    herr_t status = 0;
    if (id_ >= 0 && close_) status = close_(id_);
    id_ = H5I_INVALID_HID;
    return status;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer close_ = nullptr;
};

/// Silences HDF5's automatic printing of its error stack while alive; errors are reported through
/// the exceptions thrown here instead. Restores the previous handler.
class QuietHdf5 {
 public:
  QuietHdf5() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~QuietHdf5() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
  QuietHdf5(const QuietHdf5&) = delete;
  QuietHdf5& operator=(const QuietHdf5&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

inline herr_t collect_error(unsigned, const H5E_error2_t* e, void* data) {
  if (e->desc && *e->desc) static_cast<std::vector<std::string>*>(data)->push_back(e->desc);
  return 0;
}

/// What the current HDF5 error stack says went wrong, in a few words; the stack is then cleared.
/// The system's reason ("No such file or directory") where HDF5 quotes one, else the innermost
/// description.
inline std::string take_error_stack() {
  std::vector<std::string> descriptions;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_error, &descriptions);
  H5Eclear2(H5E_DEFAULT);
  const std::string quote = "error message = '";
  for (const auto& d : descriptions) {
    const auto at = d.find(quote);
    if (at == std::string::npos) continue;
    const auto from = at + quote.size();
    return d.substr(from, d.find('\'', from) - from);
  }
  if (descriptions.empty()) return {};
  std::string last = descriptions.back();
  std::replace(last.begin(), last.end(), '\n', ' ');
  return last;
}

[[noreturn]] inline void fail(const fs::path& file, const std::string& what) {
  const std::string detail = take_error_stack();
  throw Error("HDF5: " + what + (detail.empty() ? "" : " (" + detail + ")"), file.string());
}

inline hid_t check_id(hid_t id, const fs::path& file, const std::string& what) {
  if (id < 0) fail(file, what);
  return id;
}

inline void check_status(herr_t status, const fs::path& file, const std::string& what) {
  if (status < 0) fail(file, what);
}

}  // namespace hemotwin::io::h5
