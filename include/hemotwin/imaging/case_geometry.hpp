#pragma once
// A case's geometry from a file: a surface (STL, VTP, ...), a label map, or a scan segmented from
// seeds. Each becomes a wall surface whose open ends are the inlets and outlets, closed and laid
// onto a lattice. The hemotwin command and Python call this for geometry.shape = "surface",
// "label_map", "scan" and "surface_series" (a chamber whose wall moves), and hand the domain to
// Simulation::create(case, domain).
#include <filesystem>
#include <string>
#include <vector>

#include "hemotwin/core/case.hpp"
#include "hemotwin/core/sparse_lattice.hpp"
#include "hemotwin/geometry/surface.hpp"
#include "hemotwin/geometry/volume.hpp"

namespace hemotwin::imaging {

struct PreparedGeometry {
  DomainSpec domain;                // metres, ready for Simulation::create(case, domain)
  TriangleMesh wall;                // mm (LPS): the open wall surface as read or made
  std::vector<Opening> openings;    // mm, with the kind and extension the case gives each
  std::filesystem::path file;       // the file read
  double spacing_mm = 0;            // the lattice spacing chosen
  double segmented_volume_mm3 = 0;  // scans: the segmented lumen's volume
  LabelMap lumen;  // label maps and scans: the lumen the wall was made from (its largest piece)
  std::vector<std::string> notes;     // what was done that the user should know (cuts, units)
  std::vector<std::string> warnings;  // what may not be what the user meant (pieces left out)
};

/// Reads and prepares the geometry of `c` (geometry.shape = surface, label_map or scan). A
/// relative geometry.file is taken from the folder of c.source_file. Throws hemotwin::Error
/// naming the case file and key: no openings or only one, an inlet name that is not an opening
/// (the openings found are listed), a file that cannot be read, a segmentation that fails or
/// falls apart between its seeds, an opening too small for the lattice (a hole in the surface?).
PreparedGeometry prepare_geometry(const Case& c);

/// prepare_geometry for a chamber (geometry.shape = "surface_series"): its wall from
/// geometry.phase_files or a .vtp with displacement arrays (geometry.file, file_unit applies),
/// moving over geometry.period; the lattice over the union of its phases, spaced
/// geometry.spacing or the largest valve's diameter / cells_across; each valve a pressure outlet
/// half a cell inside the wall, reaching over its disc. `wall` is the first phase's (mm), the
/// openings are the valves. The domain's moving_wall has no time step yet: Simulation::create
/// sets it. Throws hemotwin::Error naming the key: no valve, a valve under 3 cells across or
/// away from the wall, and what SurfaceSeries and its readers refuse.
PreparedGeometry prepare_chamber(const Case& c);

/// The wall of a lumen mask (non-zero voxels, or those equal to `label` when it is > 0), its
/// largest connected component's: by shape-based interpolation (wall.hpp: no terraces where the
/// slices are thick) with `smoothing_iterations` of windowed-sinc smoothing (0: the default 20);
/// or, with `sigma_mm` > 0, the mask blurred by a Gaussian of that sigma, its 0.5 level. Open
/// where the lumen meets the grid's edge.
TriangleMesh lumen_surface(const LabelMap& labels, int label = 0, double sigma_mm = 0,
                           int smoothing_iterations = 0);

}  // namespace hemotwin::imaging
