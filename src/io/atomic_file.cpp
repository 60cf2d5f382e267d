#include "atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "hemotwin/core/error.hpp"

namespace hemotwin::io {

namespace fs = std::filesystem;

namespace {

// Temporary files of `path` that writers killed part way left behind (`.NAME.partial-PID` whose
// process is gone): removed, so that kills do not pile them up. A live writer's stays.
void remove_stale_partials(const fs::path& dir, const std::string& name) {
  const std::string prefix = "." + name + ".partial-";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string f = e.path().filename().string();
    if (f.rfind(prefix, 0) != 0) continue;
    const std::string digits = f.substr(prefix.size());
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    const long pid = std::strtol(digits.c_str(), nullptr, 10);
    if (pid > 0 && pid != ::getpid() && ::kill(pid_t(pid), 0) != 0 && errno == ESRCH)
      fs::remove(e.path(), ec);
  }
}

}  // namespace

void sync_to_disk(const fs::path& p, bool directory) {
  const int fd = ::open(p.c_str(), directory ? (O_RDONLY | O_DIRECTORY) : O_RDONLY);
  if (fd < 0)
    throw Error("cannot open to flush to disk: " + std::string(std::strerror(errno)), p.string());
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  // Some file systems (and directories on some of them) do not support fsync; that is no error.
  if (rc != 0 && err != EINVAL && err != ENOTSUP && err != EROFS)
    throw Error("cannot flush to disk: " + std::string(std::strerror(err)), p.string());
}

void replace_atomically(const fs::path& path, const std::function<void(const fs::path&)>& write) {
  const fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  if (!fs::is_directory(dir)) throw Error("the directory to write into does not exist", dir);
  remove_stale_partials(dir, path.filename().string());
  // A name no other writer uses; a kill leaves only it behind, never a partial final file.
  const fs::path partial =
      dir / ("." + path.filename().string() + ".partial-" + std::to_string(::getpid()));
  try {
    write(partial);
    sync_to_disk(partial, false);
    fs::rename(partial, path);
  } catch (...) {
    std::error_code ignored;
    fs::remove(partial, ignored);
    throw;
  }
  sync_to_disk(dir, true);
}

}  // namespace hemotwin::io
