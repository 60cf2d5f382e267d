#include "atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "hemotwin/core/error.hpp"

namespace hemotwin::io {

namespace fs = std::filesystem;

namespace {

// Flushes a file (or directory) to the disk, so a rename after it never exposes a name whose
// contents are not there yet. Directories that cannot be flushed are no error.
void sync_path(const fs::path& p, bool directory) {
  const int fd = ::open(p.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
  if (fd < 0) throw Error("cannot open to flush it: " + std::string(std::strerror(errno)), p);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0 && !directory)
    throw Error("cannot flush it to the disk: " + std::string(std::strerror(err)), p);
}

}  // namespace

void replace_atomically(const fs::path& path, const std::function<void(const fs::path&)>& write) {
  const fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  if (!fs::is_directory(dir)) throw Error("the directory to write into does not exist", dir);
  // A name no other writer uses; a kill leaves only it behind, never a partial final file.
  const fs::path partial =
      dir / ("." + path.filename().string() + ".partial-" + std::to_string(::getpid()));
  try {
    write(partial);
    sync_path(partial, false);
    fs::rename(partial, path);
  } catch (...) {
    std::error_code ignored;
    fs::remove(partial, ignored);
    throw;
  }
  sync_path(dir, true);
}

}  // namespace hemotwin::io
