#pragma once
#include <stdexcept>
#include <string>

namespace hemotwin {

/// Every error the library reports. It never exits: callers (the CLI, Python) decide what to do.
/// `where()` names the file, key and line the error is about, when it is about one.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message), message_(message) {}
  Error(const std::string& message, std::string file, std::string key = {}, int line = 0)
      : std::runtime_error(compose(message, file, key, line)),
        message_(message),
        file_(std::move(file)),
        key_(std::move(key)),
        line_(line) {}

  /// The message without the file/key/line prefix.
  const std::string& message() const noexcept { return message_; }
  const std::string& file() const noexcept { return file_; }
  const std::string& key() const noexcept { return key_; }
  int line() const noexcept { return line_; }

 private:
  static std::string compose(const std::string& message, const std::string& file,
                             const std::string& key, int line) {
    std::string where = file;
    if (line > 0) where += (where.empty() ? "line " : ":") + std::to_string(line);
    if (!key.empty()) where += (where.empty() ? "" : ": ") + std::string("key '") + key + "'";
    return where.empty() ? message : where + ": " + message;
  }
  std::string message_;
  std::string file_;
  std::string key_;
  int line_ = 0;
};

/// A run that became unstable (NaN or a speed beyond what the lattice can carry).
class DivergenceError : public Error {
 public:
  using Error::Error;
};

}  // namespace hemotwin
