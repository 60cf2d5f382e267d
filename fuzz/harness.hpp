#pragma once
// What every libFuzzer harness here shares (docs/validation.md, "Fuzzing").
//
// The rule each harness checks: a reader given any bytes either returns something usable or throws
// hemotwin::Error. A crash, a sanitizer report (ASan, UBSan, LSan), a hang, an allocation past the
// limit scripts/fuzz sets, or any other exception escaping (std::bad_alloc, std::out_of_range, a
// toml++ or VTK exception) is a finding: libFuzzer stops and saves the input.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "hemotwin/core/error.hpp"

namespace hemotwin::fuzz {

/// A folder of this process's own under $TMPDIR (scripts/fuzz points it at /dev/shm), removed at
/// exit, for the readers that take a path.
inline const std::filesystem::path& scratch() {
  struct Dir {
    std::filesystem::path path;
    Dir() {
      path = std::filesystem::temp_directory_path() / ("hemotwin-fuzz-" + std::to_string(getpid()));
      std::filesystem::create_directories(path);
    }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static const Dir dir;
  return dir.path;
}

/// Writes the input's bytes to scratch()/name and gives back that path.
inline std::filesystem::path as_file(const std::uint8_t* data, std::size_t size,
                                     const std::string& name) {
  const auto path = scratch() / name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), std::streamsize(size));
  out.close();
  if (!out) {
    std::fprintf(stderr, "fuzz harness: cannot write %s\n", path.c_str());
    std::abort();
  }
  return path;
}

/// A broken invariant on something a reader accepted: reported as a crash, with the reason.
[[noreturn]] inline void broken(const std::string& what) {
  std::fprintf(stderr, "fuzz harness: accepted input breaks an invariant: %s\n", what.c_str());
  std::abort();
}

}  // namespace hemotwin::fuzz
