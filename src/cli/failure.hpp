#pragma once
// Exit codes of `hemotwin` and the error that carries one (src/cli only).
#include <stdexcept>
#include <string>

namespace hemotwin::cli {

constexpr int exit_ok = 0;
constexpr int exit_run_failed = 1;  // the run failed: diverged, a file could not be written
constexpr int exit_usage = 2;       // the command line, the case or an input file is wrong
// Stopped by SIGTERM or SIGUSR1 with a checkpoint written: resume with --resume (sysexits.h's
// EX_TEMPFAIL, "try again later", which batch scripts test for to resubmit).
constexpr int exit_resume = 75;

/// An error with the exit code it ends the program with.
class Failure : public std::runtime_error {
 public:
  Failure(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

}  // namespace hemotwin::cli
