#pragma once
// Checkpoints: a simulation's whole state in one HDF5 file, written under a temporary name and
// renamed when complete, so the checkpoint it replaces stays readable until then.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "hemotwin/core/simulation.hpp"

namespace hemotwin::io {

/// One part of a run loop's state (run_loop.hpp): named arrays of numbers.
using PartState = std::map<std::string, std::vector<double>>;

struct Checkpoint {
  SimulationState simulation;
  double time = 0;               // s, simulated
  std::string case_text;         // the case as run (TOML)
  std::string hemotwin_version;  // of the run that wrote it (filled by write_checkpoint)
  std::string backend, device;   // where it ran
  double wall_time_s = 0;        // the wall-clock time the run had taken
  /// The run loop's parts' states by part name (/run/PART/KEY); empty for a bare Simulation's.
  std::map<std::string, PartState> run;
};

/// Writes `c` to `path`: first to a temporary file beside it (flushed to the disk), then renamed
/// over `path`. A failure, or a kill, at any point leaves an earlier checkpoint at `path` intact
/// and no partial file under the final name. The populations carry HDF5's Fletcher-32 checksum.
/// Throws hemotwin::Error naming the file.
void write_checkpoint(const std::filesystem::path& path, const Checkpoint& c);

/// Reads a checkpoint written by write_checkpoint. Throws hemotwin::Error naming the file when it
/// is missing, not HDF5, not a hemotwin checkpoint, of another format version, truncated, or when a
/// checksum does not match.
Checkpoint read_checkpoint(const std::filesystem::path& path);

/// A Simulation's checkpoint: its state, time, backend and device, with the case text given.
Checkpoint make_checkpoint(Simulation& sim, std::string case_text);

}  // namespace hemotwin::io
