#pragma once
// results.h5 (HDF5, through the C API) and its XDMF sidecar results.xdmf. The layout — every group,
// dataset, attribute, unit, type and shape — is documented in docs/file-format.md.
//
// Dense fields over the bounding box are stored in chunks aligned to bricks (16^3 cells by
// default), compressed, with fill value 0; only chunks that hold a stored brick are ever written,
// so the file grows with the fluid, not with the bounding box. Chunks are assembled one at a time
// from the brick-ordered FieldSnapshot, so writing needs memory for one chunk, not for the box.
#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "hemotwin/core/fields.hpp"
#include "hemotwin/core/wall_shear.hpp"

namespace hemotwin::io {

/// Where and how a result was made; stored in /provenance.
struct Provenance {
  std::string version;     // hemotwin version
  std::string git_commit;  // of the hemotwin build
  std::string backend;     // "cpu", "cuda"
  std::string device;      // description of the device
  std::string date;        // ISO 8601, UTC, when the run started
  std::string host;        // host name

  /// Version and commit of this build, the current date and this host.
  static Provenance current(std::string backend, std::string device);
};

struct ResultsMetadata {
  Provenance provenance;
  std::string case_name;
  std::string case_text;  // Case::source_text, stored in /case/source_text
  std::string case_file;  // Case::source_file
  double dt = 0;          // s, the time step (stored as /fields attribute dt)
  /// Measurement sections (Simulation::sections); their series go to /sections.
  std::vector<SectionInfo> sections;
  /// s: the cardiac period of a pulsatile run (0 for steady), the window the analysis averages
  /// over by default (/diagnostics attribute cycle_period).
  double cycle_period = 0;
};

struct ResultsOptions {
  /// Edge of a chunk in cells; rounded up to a multiple of the brick size, clipped to the grid.
  int chunk_edge = 16;
  /// Deflate level, 0 (none) to 9. Levels 1 to 4 are the useful range for float fields.
  int compression_level = 2;
  /// HDF5 byte shuffle before deflate (compresses float fields much better).
  bool shuffle = true;
  /// With every snapshot, the vortex criteria Q and lambda2 (flow_fields.hpp; 1/s^2) for
  /// ParaView's contours: 8 more bytes per cell of each snapshot before compression.
  bool vortex_fields = true;
};

/// A field snapshot that has been written: its step, time and group in the file.
struct WrittenSnapshot {
  std::int64_t step = 0;
  double time = 0;    // s
  std::string group;  // "/fields/step_00000100"
  bool vortex = false;  // it holds q_criterion and lambda2
};

class ResultsWriter {
 public:
  /// Creates (truncates) `path` and writes /geometry, /case and /provenance. The writer keeps a
  /// copy of what it needs from `grid`. Throws hemotwin::Error naming `path` when the grid is
  /// inconsistent or the file cannot be written.
  ResultsWriter(std::filesystem::path path, const GridInfo& grid, std::vector<IoletInfo> iolets,
                const ResultsMetadata& meta, const ResultsOptions& options = {});
  /// Closes the file if close() was not called; errors are swallowed (call close() to see them).
  ~ResultsWriter();
  ResultsWriter(const ResultsWriter&) = delete;
  ResultsWriter& operator=(const ResultsWriter&) = delete;

  /// Writes /fields/step_NNNNNNNN with velocity, pressure, step and time. Values of solid and
  /// unstored cells are 0. Throws when the snapshot does not match the grid or the step was
  /// already written.
  void write_fields(const FieldSnapshot& snapshot);

  /// Writes the snapshot as write_fields would, but into a file of its own (`file`, replaced
  /// atomically), for adopt_fields() to take in later: a checkpointed run's snapshots outlive its
  /// process. The results file is not touched.
  void write_fields_file(const std::filesystem::path& file, const FieldSnapshot& snapshot) const;
  /// Copies the snapshot of a file written by write_fields_file (by this or an earlier process's
  /// writer on the same grid) into /fields. Throws when it is no such file or its step was
  /// already written.
  void adopt_fields(const std::filesystem::path& file);

  /// Records one sample of the reductions; written to /iolets and /diagnostics on close().
  void append_diagnostics(const Diagnostics& d);

  /// Writes /wall: the wall points (m), their normals, the final wall shear stress vectors (Pa)
  /// and, when `averaged_over` > 0 s, TAWSS (Pa) and OSI over that time. Once per file.
  void write_wall(const WallShearField& final_wss, const std::vector<double>& tawss,
                  const std::vector<double>& osi, double averaged_over,
                  const std::vector<double>& area = {});

  /// Writes /wall/wss_series (float32 [n][m][3], Pa, one chunk per sample) and
  /// /wall/wss_series_time (s): the wall shear stress of each sample of the averaging window.
  /// `wss[k]` holds 3 m values (x, y, z per wall point). After write_wall(), once per file.
  void write_wall_series(const std::vector<double>& times,
                         const std::vector<std::vector<float>>& wss);

  /// Writes the time series and closes the file. Throws hemotwin::Error on failure.
  void close();

  const std::filesystem::path& path() const;
  const std::vector<WrittenSnapshot>& snapshots() const;
  /// Chunk edge in cells along z, y, x as used (after rounding and clipping).
  std::array<int, 3> chunk_shape() const;
  /// Number of chunks of one dense field that hold stored bricks (= chunks written per field).
  std::int64_t occupied_chunks() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Writes the XDMF sidecar: a temporal collection of 3DCoRectMesh grids, one per snapshot, with
/// point attributes velocity (Vector), pressure (Scalar) and fluid_mask (Scalar) read from
/// `hdf5_reference` (the HDF5 file name relative to the XDMF file, e.g. "results.h5"). With no
/// snapshots it describes the geometry (fluid_mask) alone. Throws hemotwin::Error naming `path`.
void write_xdmf(const std::filesystem::path& path, const std::string& hdf5_reference,
                const GridInfo& grid, const std::vector<WrittenSnapshot>& snapshots);

/// For a program's main() (the CLI), before any other HDF5 call: HDF5 prints no error stack of
/// its own (hemotwin::Error says what failed, naming the file) and installs no cleanup at exit.
/// HDF5 1.10.8 crashes (SIGSEGV in H5F__close_cb) in that cleanup when a file's close failed, as
/// on a full disk (tests/io/faults.py, full_disk); every file hemotwin opens is closed before.
void configure_hdf5_for_program();

}  // namespace hemotwin::io
