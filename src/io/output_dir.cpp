#include "hemotwin/io/output_dir.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <system_error>

#include "atomic_file.hpp"
#include "hemotwin/core/error.hpp"

namespace hemotwin::io {

namespace fs = std::filesystem;

namespace {

std::string errno_text(int err) { return std::error_code(err, std::generic_category()).message(); }

std::string random_suffix() {
  std::random_device rd;
  std::uniform_int_distribution<unsigned> dist(0, 0xffffffffu);
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", dist(rd));
  return buf;
}

// `from` (a file, symlink or folder of files) hard-linked at `to`, folders recreated; false where
// something cannot be linked (another device, a special file).
bool link_tree(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  const auto status = fs::symlink_status(from, ec);
  if (ec) return false;
  if (fs::is_symlink(status)) {
    fs::copy_symlink(from, to, ec);
    return !ec;
  }
  if (fs::is_regular_file(status)) return ::link(from.c_str(), to.c_str()) == 0;
  if (!fs::is_directory(status) || ::mkdir(to.c_str(), 0755) != 0) return false;
  for (const auto& entry : fs::directory_iterator(from, ec))
    if (!link_tree(entry.path(), to / entry.path().filename())) return false;
  return !ec;
}

// Staging directories of `target` (`NAME.partial-PID-RANDOM`) whose process is gone, left by a
// run that was killed (before or just after its commit): removed, so kills do not pile them up.
void remove_stale_staging(const fs::path& target) {
  const std::string prefix = target.filename().string() + ".partial-";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(target.parent_path(), ec)) {
    const std::string f = e.path().filename().string();
    if (f.rfind(prefix, 0) != 0) continue;
    const std::string rest = f.substr(prefix.size());
    const std::size_t dash = rest.find('-');
    if (dash == 0 || dash == std::string::npos || rest.find_first_not_of("0123456789") != dash)
      continue;
    const long pid = std::strtol(rest.c_str(), nullptr, 10);
    if (pid > 0 && pid != ::getpid() && ::kill(pid_t(pid), 0) != 0 && errno == ESRCH)
      fs::remove_all(e.path(), ec);
  }
}

}  // namespace

OutputDir::OutputDir(fs::path target, std::string completion_marker)
    : marker_(std::move(completion_marker)) {
  if (target.empty()) throw Error("the output directory is empty", "");
  std::error_code ec;
  target_ = fs::absolute(target, ec).lexically_normal();
  if (ec) throw Error("cannot resolve the output directory: " + ec.message(), target.string());
  if (!target_.has_filename()) target_ = target_.parent_path();  // "results/" -> "results"
  if (target_ == target_.root_path())
    throw Error("the output directory cannot be the root directory", target_.string());
  // A symlinked results directory: stage next to the real one, so rename(2) stays on one device.
  if (fs::is_symlink(target_, ec)) {
    const fs::path real = fs::canonical(target_, ec);
    if (!ec) target_ = real;
  }
  if (fs::exists(target_, ec) && !fs::is_directory(target_, ec))
    throw Error("the output directory exists and is not a directory", target_.string());

  const fs::path parent = target_.parent_path();
  // Parents created here are removed again when the run fails (if still empty).
  for (fs::path p = parent; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
    created_parents_.push_back(p);
    if (p == p.root_path()) break;
  }
  fs::create_directories(parent, ec);
  if (ec)
    throw Error("cannot create the parent of the output directory: " + ec.message(),
                parent.string());

  remove_stale_staging(target_);
  // A fresh name: pid plus a random part, retried on the (unlikely) collision.
  for (int attempt = 0; attempt < 16; ++attempt) {
    fs::path candidate = parent / (target_.filename().string() + ".partial-" +
                                   std::to_string(::getpid()) + "-" + random_suffix());
    if (::mkdir(candidate.c_str(), 0755) == 0) {
      staging_ = std::move(candidate);
      return;
    }
    if (errno != EEXIST)
      throw Error("cannot create the staging directory: " + errno_text(errno), candidate.string());
  }
  throw Error("cannot find a free name for the staging directory", target_.string());
}

OutputDir::~OutputDir() {
  if (!committed_) discard();
}

void OutputDir::discard() noexcept {
  if (staging_.empty()) return;
  std::error_code ec;
  fs::remove_all(staging_, ec);
  staging_.clear();
  if (!committed_)
    for (const auto& p : created_parents_) fs::remove(p, ec);  // only when empty
}

void OutputDir::check_name(const std::string& name) const {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos)
    throw Error("'" + name + "' is not a plain file name", target_.string());
  if (staging_.empty())
    throw Error("the output directory was already committed or discarded", target_.string());
}

fs::path OutputDir::staged(const std::string& name) const {
  check_name(name);
  return staging_ / name;
}

fs::path OutputDir::final_path(const std::string& name) const { return target_ / name; }

void OutputDir::write_file(const std::string& name, std::string_view content) const {
  const fs::path p = staged(name);
  const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error("cannot create file: " + errno_text(errno), p.string());
  const char* data = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, data, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      throw Error("cannot write file: " + errno_text(err), p.string());
    }
    data += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) throw Error("cannot close file: " + errno_text(errno), p.string());
}

std::vector<fs::path> OutputDir::commit() {
  if (committed_ || staging_.empty())
    throw Error("the output directory was already committed or discarded", target_.string());

  // What was staged, the completion marker last.
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(staging_, ec))
    names.push_back(entry.path().filename().string());
  if (ec) throw Error("cannot list the staging directory: " + ec.message(), staging_.string());
  std::sort(names.begin(), names.end());
  const auto marker_it = std::find(names.begin(), names.end(), marker_);
  const bool has_marker = !marker_.empty() && marker_it != names.end();
  if (has_marker) std::rotate(marker_it, marker_it + 1, names.end());

  // Every file complete on disk before any of them becomes visible under its final name.
  for (const auto& name : names) {
    const fs::path p = staging_ / name;
    if (fs::is_regular_file(p, ec)) sync_to_disk(p, false);
  }
  std::vector<fs::path> finals;
  for (const auto& name : names) finals.push_back(target_ / name);

  if (!swap_in(names)) move_in(names, has_marker);
  committed_ = true;
  discard();
  return finals;
}

bool OutputDir::swap_in(const std::vector<std::string>& names) {
  std::error_code ec;
  const fs::path parent = target_.parent_path();
  if (!fs::exists(target_, ec)) {
    // The first run into this directory: the staging directory becomes it in one rename(2).
    sync_to_disk(staging_, true);
    if (::rename(staging_.c_str(), target_.c_str()) != 0) return false;  // then file by file
    staging_.clear();
    sync_to_disk(parent, true);
    return true;
  }
  if (!fs::is_directory(target_, ec))
    throw Error("the output directory exists and is not a directory", target_.string());
  // The earlier run's directory is replaced whole: what this run does not rewrite (and
  // replace_on_commit() does not drop) is hard-linked into the staging directory, which then
  // trades places with the target in one renameat2(RENAME_EXCHANGE). A kill at any moment leaves
  // the target holding one complete run, the old or the new.
  std::vector<std::string> linked;
  auto undo = [&] {
    for (const auto& name : linked) fs::remove_all(staging_ / name, ec);
    return false;
  };
  for (const auto& entry : fs::directory_iterator(target_, ec)) {
    const std::string name = entry.path().filename().string();
    if (name == marker_ || std::find(names.begin(), names.end(), name) != names.end() ||
        std::find(replaced_.begin(), replaced_.end(), name) != replaced_.end())
      continue;
    linked.push_back(name);
    if (!link_tree(entry.path(), staging_ / name)) return undo();
  }
  if (ec) return undo();
  struct stat st {};
  if (::stat(target_.c_str(), &st) == 0) ::chmod(staging_.c_str(), st.st_mode & 07777);
  sync_to_disk(staging_, true);
  // File systems without the exchange (EINVAL: some network and cluster file systems) go on
  // file by file.
  if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) != 0)
    return undo();
  sync_to_disk(parent, true);
  return true;  // the staging path now holds the earlier run, which discard() removes
}

// The file-by-file commit, where the directory cannot be exchanged: between the removal of the
// earlier marker and the move of the new one, the target holds no completion marker.
void OutputDir::move_in(const std::vector<std::string>& names, bool has_marker) {
  std::error_code ec;
  fs::create_directories(target_, ec);
  if (ec) throw Error("cannot create the output directory: " + ec.message(), target_.string());
  if (!fs::is_directory(target_, ec))
    throw Error("the output directory exists and is not a directory", target_.string());
  if (!marker_.empty()) {
    const fs::path old_marker = target_ / marker_;
    if (::unlink(old_marker.c_str()) != 0 && errno != ENOENT)
      throw Error("cannot remove the completion marker of the earlier run: " + errno_text(errno),
                  old_marker.string());
  }
  auto move_one = [&](const std::string& name) {
    const fs::path from = staging_ / name;
    const fs::path to = target_ / name;
    // rename(2) replaces a file atomically; a directory in the way must be removed first.
    if (fs::is_directory(from, ec) && fs::exists(to, ec)) fs::remove_all(to, ec);
    if (::rename(from.c_str(), to.c_str()) != 0)
      throw Error("cannot move '" + from.string() + "' into place: " + errno_text(errno),
                  to.string());
  };
  for (const auto& name : names)
    if (name != marker_) move_one(name);
  for (const auto& name : replaced_) {
    if (name == marker_ || std::find(names.begin(), names.end(), name) != names.end()) continue;
    if (name.empty() || name.find('/') != std::string::npos) continue;
    const fs::path stale = target_ / name;
    if (::unlink(stale.c_str()) != 0 && errno != ENOENT)
      throw Error("cannot remove the output of an earlier run: " + errno_text(errno),
                  stale.string());
  }
  sync_to_disk(target_, true);
  if (has_marker) {
    move_one(marker_);
    sync_to_disk(target_, true);
  }
}

}  // namespace hemotwin::io
