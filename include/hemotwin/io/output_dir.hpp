#pragma once
// An output directory that changes all at once or not at all. Every file of a run is written into
// a staging directory next to the target, `<dir>.partial-<pid>-<random>` (same file system).
// commit() then puts the staging directory in the target's place in one step: rename(2) when the
// target does not exist yet, else renameat2(RENAME_EXCHANGE) after hard-linking into the staging
// directory what the earlier run left that this one keeps. A kill at any moment leaves `<dir>`
// holding one complete run, the earlier or the new. Where the file system has no exchange (some
// network and cluster file systems), files are moved in one by one, the completion marker
// (summary.json) removed first and moved last: a directory holding summary.json holds one
// complete run. Without commit() the destructor removes the staging directory, so a run that
// throws leaves an earlier results directory as it was; staging directories of killed runs are
// removed by the next run into the same directory. See docs/file-format.md.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace hemotwin::io {

class OutputDir {
 public:
  /// Creates the staging directory next to `target` (and target's parents when absent; they are
  /// removed again, if still empty, when the run is not committed). A symlink to a directory is
  /// resolved first. Throws hemotwin::Error naming the path when `target` exists and is not a
  /// directory or when the staging directory cannot be created.
  explicit OutputDir(std::filesystem::path target, std::string completion_marker = "summary.json");
  /// Removes the staging directory unless commit() succeeded. Never throws.
  ~OutputDir();
  OutputDir(const OutputDir&) = delete;
  OutputDir& operator=(const OutputDir&) = delete;

  /// The results directory (absolute, normalised).
  const std::filesystem::path& target() const { return target_; }
  /// The staging directory, `<target>.partial-<pid>-<random>`.
  const std::filesystem::path& staging() const { return staging_; }
  /// Where file `name` (a plain file name, no directories) is written before commit().
  std::filesystem::path staged(const std::string& name) const;
  /// Where file `name` lies after commit().
  std::filesystem::path final_path(const std::string& name) const;

  /// Writes `content` to staged(name) completely, or throws hemotwin::Error naming the file.
  void write_file(const std::string& name, std::string_view content) const;

  /// Files in the target directory that commit() removes when this run did not write them (the
  /// outputs of an earlier run with other settings), so the directory never mixes two runs.
  void replace_on_commit(std::vector<std::string> names) { replaced_ = std::move(names); }

  /// Flushes every staged file to disk and puts them in the target directory (see above), the
  /// files named by replace_on_commit() that this run did not write dropped, the earlier run's
  /// other files kept. Returns the final paths, the completion marker last. Throws
  /// hemotwin::Error when a move fails; the target then lacks the completion marker.
  std::vector<std::filesystem::path> commit();

  bool committed() const { return committed_; }

  /// Removes the staging directory and everything in it now (and the parents the constructor
  /// created, if empty, unless committed). Never throws.
  void discard() noexcept;

 private:
  void check_name(const std::string& name) const;
  bool swap_in(const std::vector<std::string>& names);
  void move_in(const std::vector<std::string>& names, bool has_marker);

  std::filesystem::path target_;
  std::filesystem::path staging_;
  std::string marker_;
  std::vector<std::string> replaced_;
  std::vector<std::filesystem::path> created_parents_;  // deepest first
  bool committed_ = false;
};

}  // namespace hemotwin::io
