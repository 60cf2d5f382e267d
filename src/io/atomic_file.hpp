#pragma once
// Files that appear complete or not at all: written beside under a temporary name, flushed to the
// disk and renamed over the final name.
#include <filesystem>
#include <functional>

namespace hemotwin::io {

/// fsync(2) of a file or directory; file systems without fsync are no error. Throws
/// hemotwin::Error naming the path.
void sync_to_disk(const std::filesystem::path& p, bool directory);

/// Calls `write` with a temporary path beside `path` (`.NAME.partial-PID`), flushes what it wrote
/// to the disk, renames it to `path` and flushes the directory. On any failure (or a kill) the
/// file under `path`, if any, is the earlier one, intact; the temporary file is removed on
/// failure. Temporary files of `path` left by writers that were killed (their PID is gone) are
/// removed first. Throws hemotwin::Error naming the directory when it does not exist.
void replace_atomically(const std::filesystem::path& path,
                        const std::function<void(const std::filesystem::path&)>& write);

}  // namespace hemotwin::io
