#pragma once
// run_case over several processes (RunCallbacks::communicator): every process runs the same loop
// and takes part in the same collectives; files are written by rank 0, the root. These helpers
// keep the processes in step where only the root acts or where each process decides alone
// (signals, clocks), so that a failure on the root is a failure on every process instead of a
// hang. A null communicator stands for this process alone.
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "hemotwin/core/decomposition.hpp"
#include "hemotwin/io/checkpoint.hpp"

namespace hemotwin::io {

/// Whether this process is the one that writes (rank 0, or alone).
bool is_root(const Communicator* comm);

/// True on every process when `mine` is true on any.
bool any_rank(Communicator* comm, bool mine);

/// Runs `fn` on the root only. When it throws, every process throws: the root its own exception,
/// the others a hemotwin::Error with the root's message, file, key and line.
void on_root(Communicator* comm, const std::function<void()>& fn);

/// The root's `text` on every process.
void broadcast_text(Communicator* comm, std::string& text);

/// Every process's `text`, in rank order, on the root (empty elsewhere).
std::vector<std::string> gather_text(Communicator* comm, const std::string& text);

/// The root's run-loop states and wall time (a checkpoint's) on every process.
void broadcast_run_state(Communicator* comm, std::map<std::string, PartState>& states,
                         double& wall_time_s);

}  // namespace hemotwin::io
