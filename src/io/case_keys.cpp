// The case file's key table (include/hemotwin/io/case_keys.hpp): one row per key, in the order of
// docs/case-file.md, whose key tables test_case_keys checks against these rows cell by cell.
//
// The ranges say what a physical value can be, wide enough for any patient, animal or bench model
// (a flow phantom, a glycerol-water analogue) and narrow enough that a value off by a unit prefix
// or a slip of the keyboard (1e308, mPa s written as Pa s) is refused naming the key, before it
// turns into an unstable time step or a lattice of a billion cells.
#include "hemotwin/io/case_keys.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace hemotwin::io {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

constexpr CaseKey
    rows
        [] =
            {
                {"case", KeyKind::Table, "", "", "", ""},
                {"case.name", KeyKind::String, "", "the case file's name without `.toml`",
                 R"~(no `/` or `\`, not empty)~",
                 "names the run and its default results directory `results/<name>`"},
                {"case.description", KeyKind::String, "", R"~("")~", "",
                 "free text, kept with the results"},
                {"case.backend", KeyKind::Enum, "", R"~(`"auto"`)~",
                 R"~(`"auto"`, `"cpu"`, `"cuda"`)~",
                 "where to run: `auto` picks CUDA when this build has it and a device is visible, "
                 "else the "
                 "CPU, and says which"},
                {"case.precision", KeyKind::Enum, "", R"~(`"float"`)~",
                 R"~(`"float"`, `"double"`)~", "floating-point type of the populations"},
                {"case.lattice", KeyKind::Enum, "",
                 R"~(`"D3Q19"`; `"D3Q27"` for file geometries without a `collision.model`)~",
                 R"~(`"D3Q19"`, `"D3Q27"`)~", "velocity set"},
                {"case.streaming", KeyKind::Enum, "", R"~(`"auto"`)~",
                 R"~(`"auto"`, `"two-lattice"`, `"aa"`)~",
                 "how populations move: `two-lattice` keeps two arrays, `aa` updates one in place "
                 "(half the "
                 "memory); `auto` takes the faster as measured (docs/performance.md): on the CPU "
                 "`aa` once two "
                 "lattices would exceed 64 MiB, `two-lattice` below (it fits in cache); "
                 "`two-lattice` on CUDA"},
                {"case.threads",
                 KeyKind::Integer,
                 "",
                 "0",
                 "0 to 4096",
                 "OpenMP threads for the CPU backend; 0 = OpenMP's default (`OMP_NUM_THREADS`, "
                 "else all cores)",
                 {0, 4096, false, false}},
                {"geometry", KeyKind::Table, "", "", "", ""},
                {"geometry.shape", KeyKind::Enum, "", "—",
                 R"~(`"pipe"`, `"stenosed_pipe"`, `"channel"`, `"box"`, `"surface"`, `"label_map"`, `"scan"`, `"surface_series"`)~",
                 "the vessel (see below)"},
                {"geometry.cells_across_diameter",
                 KeyKind::Number,
                 "cells",
                 "20",
                 "4 to 4096",
                 "resolution: lattice cells across the diameter (pipes), the gap (channel), the "
                 "shortest edge "
                 "(box), the largest inlet's effective diameter (file geometries) or the largest "
                 "valve's "
                 "diameter (a chamber); dx = diameter / cells",
                 {4, 4096, false, false}},
                {"geometry.origin_mm", KeyKind::Vector3, "mm", "[0, 0, 0]", "",
                 "pipes: centre of the inlet plane; channel and box: the lower corner"},
                {"geometry.axis", KeyKind::Vector3, "", "[1, 0, 0]", "non-zero",
                 "pipes: the flow direction, inlet to outlet (normalised; a body-force-driven pipe "
                 "needs a "
                 "grid axis); channel: the plate normal, a grid axis"},
                {"geometry.length_mm",
                 KeyKind::Number,
                 "mm",
                 "— (pipes)",
                 "(0, 2000]",
                 "pipe length along the axis",
                 {0, 2000, true, false}},
                {"geometry.diameter_mm",
                 KeyKind::Number,
                 "mm",
                 "— (pipes, channel)",
                 "(0, 200]",
                 "pipe diameter; channel: the gap between the plates",
                 {0, 200, true, false}},
                {"geometry.size_mm", KeyKind::Vector3, "mm", "— (channel, box)", "each > 0",
                 "box: its edges; channel: the periodic in-plane extent (the component along "
                 "`axis` is "
                 "replaced by the gap)"},
                {"geometry.stenosis", KeyKind::Table, "", "", "", ""},
                {"geometry.stenosis.severity",
                 KeyKind::Number,
                 "",
                 "—",
                 "0 to 0.95",
                 R"~(diameter reduction 1 − d_min/d (0.5 = "50 % stenosis"; the area falls by 1 − (1 − s)²))~",
                 {0, 0.95, false, false}},
                {"geometry.stenosis.length_mm",
                 KeyKind::Number,
                 "mm",
                 "—",
                 "(0, 2000]",
                 "length of the narrowing along the axis",
                 {0, 2000, true, false}},
                {"geometry.stenosis.position_mm",
                 KeyKind::Number,
                 "mm",
                 "`length_mm` of the pipe / 2",
                 "0 to 2000, narrowing inside the pipe",
                 "distance of the throat from the inlet plane",
                 {0, 2000, false, false}},
                {"geometry.file", KeyKind::String, "", "— (file geometries)", "a readable file",
                 "the surface (`.stl` ASCII or binary, `.vtp`, `.vtk`, `.obj`, `.ply`), label map "
                 "(`.nrrd`, "
                 "`.nii`, `.nii.gz`, `.mha`) or scan (those, or a DICOM folder), in LPS "
                 "millimetres, or a "
                 "chamber's `.vtp` with a displacement array per phase; a relative path is taken "
                 "from the "
                 "case file's folder"},
                {"geometry.file_unit", KeyKind::Enum, "", R"~(`"mm"`)~",
                 R"~(`"mm"`, `"cm"`, `"m"`)~",
                 "surfaces only: the unit of the surface file's coordinates (surfaces from other "
                 "codes are "
                 "often in metres). A surface whose largest opening is under 0.1 mm across when "
                 "read as mm is "
                 "refused with this key named. Scans and label maps carry their spacing in their "
                 "header"},
                {"geometry.phase_files", KeyKind::StringList, "", "— (`surface_series`)",
                 "3 or more readable surface files",
                 "`surface_series`: the chamber's closed wall at each phase of its cycle, one "
                 "surface file "
                 "per phase in cycle order (any surface format, the same mesh vertex for vertex), "
                 "evenly "
                 "spread over `period_s` from t = 0; instead, `file` may name one `.vtp` holding a "
                 "`displacement` point array per phase"},
                {"geometry.cine_frames", KeyKind::StringList, "", "— (`surface_series`)",
                 "3 or more scans on one grid",
                 "`surface_series`: instead of `phase_files`, a cine (4D) scan, one file per frame "
                 "in cycle order (any scan format), evenly spread over `period_s`: the wall is "
                 "segmented on frame `cine_reference` as `[geometry.segmentation]` says and "
                 "carried "
                 "onto every other frame by deformable registration (docs/imaging.md)"},
                {"geometry.cine_reference",
                 KeyKind::Integer,
                 "",
                 "1",
                 "1 to 10000, a frame",
                 "`surface_series` with `cine_frames`: the frame the wall is segmented on",
                 {1, 10000, false, false}},
                {"geometry.period_s",
                 KeyKind::Number,
                 "s",
                 "— (`surface_series`)",
                 "(0, 100]",
                 "`surface_series`: the length of the wall's cycle; `time.cycles` counts by it. "
                 "A `file` series that stores its period (a one-value field array `period`, as "
                 "`hemotwin track` writes it) needs none; given, it wins, and the series' stored "
                 "times stretch with it (another heart rate)",
                 {0, 100, true, false}},
                {"geometry.relink_every",
                 KeyKind::Integer,
                 "",
                 "4",
                 "1 to 1000",
                 "`surface_series`: steps between relinks of the moving wall (between them it "
                 "stays where the "
                 "last relink put it, with its velocity then)",
                 {1, 1000, false, false}},
                {"geometry.phase_samples",
                 KeyKind::Integer,
                 "",
                 "64",
                 "3 to 4096",
                 "`surface_series`: phases sampled over the cycle for the lattice's bricks and the "
                 "band of "
                 "cells relinked",
                 {3, 4096, false, false}},
                {"geometry.spacing_mm",
                 KeyKind::Number,
                 "mm",
                 "from `cells_across_diameter`",
                 "(0, 10]",
                 "file geometries: the lattice spacing, instead of cells across the inlet",
                 {0, 10, true, false}},
                {"geometry.extension_diameters",
                 KeyKind::Number,
                 "diameters",
                 "0",
                 "0 to 100",
                 "file geometries: a straight flow extension at every opening, along its outward "
                 "normal, this "
                 "many of its effective diameters long",
                 {0, 100, false, false}},
                {"geometry.inlets", KeyKind::StringList, "", "`[]` (the largest opening)",
                 "names of openings",
                 R"~(file geometries: the openings that are velocity inlets (`["opening2", "opening3"]`); every other opening is a pressure outlet)~"},
                {"geometry.cut_points_mm", KeyKind::Vector3List, "mm", "`[]`", "inside the lumen",
                 "file geometries: cut the wall open with a plane through each point (LPS), `[[x, "
                 "y, z], "
                 "...]`: an opening where you want an inlet or outlet, e.g. where a label map's "
                 "vessel ends "
                 "inside the scan. Only the cross-section around the point is cut; the part beyond "
                 "it is "
                 "removed"},
                {"geometry.cut_normals", KeyKind::Vector3List, "", "`[]`",
                 "one per point, non-zero",
                 "the plane's normal for each cut, pointing at the part to remove (out of the kept "
                 "lumen)"},
                {"geometry.trim_radii",
                 KeyKind::Number,
                 "radii",
                 "0 (off)",
                 "0 to 50",
                 "label maps and scans: open each vessel where it leaves the scan (or the region "
                 "of interest) "
                 "with a cut **across** it, perpendicular to its centerline, this many of its "
                 "radii in from "
                 "the edge (as vmtk users clip), (moved further in where a vessel runs along the "
                 "face before "
                 "it leaves, so that the cut clears the face), instead of where the grid's face "
                 "cuts it (an "
                 "ellipse facing the face, not the vessel, where a vessel leaves obliquely). The "
                 "centerlines "
                 "run from the largest end to every other (`imaging/vessel_ends.hpp`); `hemotwin "
                 "check` notes "
                 "each cut. A branch too short for the cut is refused, naming where it leaves; 2 "
                 "is a usual "
                 "choice",
                 {0, 50, false, false}},
                {"geometry.min_branch_radius_mm",
                 KeyKind::Number,
                 "mm",
                 "0 (off)",
                 "0 to 50",
                 "label maps and scans: a side branch leaving the scan (or region of interest) "
                 "whose radius is "
                 "below this is **taken out** of the lumen, from where it leaves its parent "
                 "vessel's wall to "
                 "its end, instead of becoming an outlet (as vmtk users clip small branches). The "
                 "radius is "
                 "its sections' (the median of five, two to six end-radii in), which a modeller "
                 "would measure; "
                 "the parent's wall is kept whole (a stub under a voxel high stays). `hemotwin "
                 "check` notes "
                 "each branch taken out with its radius and where it leaves its parent. At least "
                 "one outlet "
                 "must stay",
                 {0, 50, false, false}},
                {"geometry.label",
                 KeyKind::Integer,
                 "",
                 "0 (any non-zero)",
                 "0 to 255",
                 "label maps: the lumen's label",
                 {0, 255, false, false}},
                {"geometry.smoothing_mm",
                 KeyKind::Number,
                 "mm",
                 "0 (none: sub-voxel walls, below)",
                 "0 to 10",
                 "label maps and scans: > 0 takes the wall as the 0.5 level of the lumen mask "
                 "blurred by a "
                 "Gaussian of this sigma instead (the method before issue 17, which keeps thick "
                 "slices as "
                 "terraces)",
                 {0, 10, false, false}},
                {"geometry.segmentation", KeyKind::Table, "", "", "", ""},
                {"geometry.segmentation.seeds_mm", KeyKind::Vector3List, "mm", "—",
                 "inside the scan and the lumen",
                 "points in the lumen, `[[x, y, z], ...]` in LPS (3D Slicer shows LPS when told "
                 "to)"},
                {"geometry.segmentation.lower",
                 KeyKind::Number,
                 "scan units (HU for CT)",
                 "from the seeds",
                 "finite",
                 "lowest lumen intensity",
                 {-kInf, kInf, false, false}},
                {"geometry.segmentation.upper",
                 KeyKind::Number,
                 "scan units",
                 "from the seeds",
                 "finite, > `lower`",
                 "highest lumen intensity",
                 {-kInf, kInf, false, false}},
                {"geometry.segmentation.roi_min_mm", KeyKind::Vector3, "mm", "—",
                 "with `roi_max_mm`",
                 "a corner of the region of interest: the scan is cut to this box first"},
                {"geometry.segmentation.roi_max_mm", KeyKind::Vector3, "mm", "—",
                 "each > `roi_min_mm`", "the opposite corner"},
                {"geometry.segmentation.smoothing_iterations",
                 KeyKind::Integer,
                 "",
                 "5",
                 "0 to 1000",
                 "curvature-flow (edge-preserving) smoothing iterations before the threshold",
                 {0, 1000, false, false}},
                {"geometry.segmentation.method", KeyKind::Enum, "", R"~(`"threshold"`)~",
                 R"~(`"threshold"`, `"vesselness"`, `"sato"`)~",
                 R"~(threshold + connected component, or (thin vessels) connected component of multiscale Hessian vesselness above `vesselness_level`: Frangi's objectness (`"vesselness"`) or Sato's line filter (`"sato"`))~"},
                {"geometry.segmentation.vesselness_level",
                 KeyKind::Number,
                 "",
                 "0.05",
                 "(0, 1)",
                 "vesselness: the fraction of the strongest response a voxel needs",
                 {0, 1, true, true}},
                {"geometry.segmentation.sigma_min_mm",
                 KeyKind::Number,
                 "mm",
                 "0.3",
                 "(0, 50]",
                 "vesselness: the smallest scale (about a third of the thinnest vessel's radius)",
                 {0, 50, true, false}},
                {"geometry.segmentation.sigma_max_mm",
                 KeyKind::Number,
                 "mm",
                 "2",
                 "(0, 50], ≥ `sigma_min_mm`",
                 "vesselness: the largest scale (about the thickest vessel's radius)",
                 {0, 50, true, false}},
                {"geometry.segmentation.level_set", KeyKind::Boolean, "", "false", "",
                 "refine the segmentation with a threshold level set (ITK) in `lower`..`upper` or "
                 "the range "
                 "the first step found"},
                {"geometry.segmentation.barrier_radius_mm",
                 KeyKind::Number,
                 "mm",
                 "0 (none)",
                 "0 to 200, needs cuts",
                 "cardiac chambers: each cut plane (`geometry.cut_points_mm`) is also a disc of "
                 "this radius, "
                 "one voxel thick, that the threshold region may not grow through, so a chamber's "
                 "blood pool "
                 "stops at its valve and vein planes instead of flooding the ventricle or the "
                 "veins beyond",
                 {0, 200, false, false}},
                {"geometry.segmentation.series",
                 KeyKind::Integer,
                 "",
                 "the only one",
                 "0 to 100000",
                 "a DICOM folder with several series: which one (the error lists them)",
                 {0, 100000, false, false}},
                {"blood", KeyKind::Table, "", "", "", ""},
                {"blood.density_kg_m3",
                 KeyKind::Number,
                 "kg/m³",
                 "1060",
                 "500 to 3000",
                 "density (g/cm³ written by mistake, 1.06, is refused by the range)",
                 {500, 3000, false, false}},
                {"blood.viscosity_pa_s",
                 KeyKind::Number,
                 "Pa s",
                 "0.0035",
                 "0.0001 to 10",
                 "dynamic viscosity, Newtonian (a value above 0.1 draws a warning: mPa s written "
                 "by mistake?)",
                 {0.0001, 10, false, false}},
                {"blood.model", KeyKind::Enum, "", R"~(`"newtonian"`)~",
                 R"~(`"newtonian"`, `"carreau_yasuda"`, `"casson"`, `"power_law"`)~",
                 "the viscosity as a function of the shear rate γ̇"},
                {"blood.zero_shear_viscosity_pa_s",
                 KeyKind::Number,
                 "Pa s",
                 "0.056",
                 "0.0001 to 10",
                 "Carreau–Yasuda μ0",
                 {0.0001, 10, false, false}},
                {"blood.infinite_shear_viscosity_pa_s",
                 KeyKind::Number,
                 "Pa s",
                 "0.00345",
                 "0.0001 to 10",
                 "Carreau–Yasuda μ∞",
                 {0.0001, 10, false, false}},
                {"blood.relaxation_time_s",
                 KeyKind::Number,
                 "s",
                 "3.313",
                 "(0, 1000]",
                 "Carreau–Yasuda λ",
                 {0, 1000, true, false}},
                {"blood.yasuda_exponent",
                 KeyKind::Number,
                 "",
                 "2",
                 "(0, 10]",
                 "Carreau–Yasuda a (2: Carreau's model)",
                 {0, 10, true, false}},
                {"blood.power_index",
                 KeyKind::Number,
                 "",
                 "0.3568",
                 "(0, 1.5]",
                 "n of Carreau–Yasuda and of the power law (below 1: shear thinning)",
                 {0, 1.5, true, false}},
                {"blood.consistency_pa_sn",
                 KeyKind::Number,
                 "Pa sⁿ",
                 "—",
                 "(0, 100]",
                 "power law k: μ = k γ̇^(n−1) (needs `power_index` too)",
                 {0, 100, true, false}},
                {"blood.yield_stress_pa",
                 KeyKind::Number,
                 "Pa",
                 "0.004",
                 "(0, 100]",
                 "Casson τ_y: √μ = √(τ_y/γ̇) + √μ_c",
                 {0, 100, true, false}},
                {"blood.casson_viscosity_pa_s",
                 KeyKind::Number,
                 "Pa s",
                 "0.0035",
                 "0.0001 to 10",
                 "Casson μ_c",
                 {0.0001, 10, false, false}},
                {"blood.min_viscosity_pa_s",
                 KeyKind::Number,
                 "Pa s",
                 "0.00345",
                 "0.0001 to 10",
                 "power law and Casson: the viscosity is kept at or above this",
                 {0.0001, 10, false, false}},
                {"blood.max_viscosity_pa_s",
                 KeyKind::Number,
                 "Pa s",
                 "0.056",
                 "0.0001 to 10, ≥ `min_viscosity_pa_s`",
                 "power law and Casson (which diverge at rest): kept at or below this",
                 {0.0001, 10, false, false}},
                {"turbulence", KeyKind::Table, "", "", "", ""},
                {"turbulence.model", KeyKind::Enum, "", R"~(`"none"`)~",
                 R"~(`"none"`, `"smagorinsky"`)~",
                 "large-eddy simulation: Smagorinsky's eddy viscosity (C_s Δx)² |S|, added to the "
                 "blood's, "
                 "with |S| from the same non-equilibrium moments (for stenotic jets)"},
                {"turbulence.smagorinsky_constant",
                 KeyKind::Number,
                 "",
                 "0.1",
                 "(0, 0.5]",
                 "C_s (0.1 to 0.2 is usual)",
                 {0, 0.5, true, false}},
                {"collision", KeyKind::Table, "", "", "", ""},
                {"collision.model", KeyKind::Enum, "",
                 R"~(`"trt"`; `"cumulant"` for file geometries (surface, label map, scan) unless `case.lattice = "D3Q19"`)~",
                 R"~(`"trt"`, `"bgk"`, `"regularized"`, `"cumulant"`, `"kbc"`)~",
                 R"~(two-relaxation-time (recommended for laminar flow: the wall position does not depend on viscosity), single-relaxation-time, regularized BGK (Latt & Chopard 2006: the non-equilibrium part projected on its second-order moments before relaxing; more robust at low viscosity, for stenotic jets, best with `[turbulence] model = "smagorinsky"`), or the cumulant collision (Geier et al. 2015, with the fourth-order parametrisation and limiter of Geier, Pasquali & Schönherr 2017; **needs `case.lattice = "D3Q27"`**): Galilean invariant and stable closest to τ = ½; or the entropic KBC collision (Karlin, Bösch & Chikatamarla 2014, in central moments; **D3Q27** too), whose higher-order moments relax so as to keep the entropy from falling (docs/validation.md, "Collision models"))~"},
                {"collision.trt_magic",
                 KeyKind::Number,
                 "",
                 "0.1875 (3/16)",
                 "(0, 10]",
                 "TRT magic parameter Λ; 3/16 puts a bounce-back wall exactly half-way, 1/4 is the "
                 "most stable",
                 {0, 10, true, false}},
                {"walls", KeyKind::Table, "", "", "", ""},
                {"walls.method", KeyKind::Enum, "", R"~(`"bouzidi"`)~",
                 R"~(`"bouzidi"`, `"bounce_back"`)~",
                 "interpolated bounce-back using the exact wall distance (second order on curved "
                 "walls), or "
                 "simple half-way bounce-back (staircase walls)"},
                {"flow", KeyKind::Table, "", "", "", ""},
                {"flow.driver", KeyKind::Enum, "", R"~(`"inlet"`)~",
                 R"~(`"inlet"`, `"body_force"`)~",
                 "a velocity inlet and pressure outlet (pipes only), or a uniform body force "
                 "standing for a "
                 "pressure gradient in a periodic domain (all shapes; channel and box need it)"},
                {"flow.reference_pressure_pa",
                 KeyKind::Number,
                 "Pa",
                 "the expected mean outlet pressure",
                 "-100000 to 1e6",
                 "the pressure lattice density 1 stands for. Lattice-Boltzmann pressure is a small "
                 "density "
                 "deviation (accurate while |p − p_ref| ≪ ρ c_s²), so a run against Windkessel "
                 "pressures near "
                 "100 mmHg works around such a reference. Left out: the outlets' pressure at the "
                 "mean inflow "
                 "with a resistance-free domain (the fixed pressures' mean; or where the "
                 "resistance and "
                 "Windkessel outlets' flows add up to the inflow the flow splits leave); 0 with "
                 "only the "
                 "default outlet",
                 {-100000, 1e6, false, false}},
                {"flow.reference_pressure_mmhg",
                 KeyKind::Number,
                 "mmHg",
                 "",
                 "-750 to 7500",
                 "the same in mmHg",
                 {-750, 7500, false, false}},
                {"inlet", KeyKind::Table, "", "", "", ""},
                {"inlet.profile", KeyKind::Enum, "", R"~(`"parabolic"`)~",
                 R"~(`"parabolic"`, `"plug"`, `"womersley"`)~",
                 "velocity profile over the inlet: Poiseuille (2 × mean on the axis), uniform, or "
                 "Womersley's: "
                 "each harmonic of the inflow (20 of a waveform, 1 of `amplitude`) with its own "
                 "profile for "
                 "its Womersley number R √(nω/ν) (Womersley 1955; steady flow: the parabola). A "
                 "pipe's inlet "
                 "spreads it by r/R; an opening of a file geometry, which is no circle, by its "
                 "in-plane "
                 "distance d to the wall, s = 1 − d/d_max, so the profile vanishes on the whole "
                 "rim. Each "
                 "inlet's profile is scaled so that its links deliver the mean velocity times its "
                 "area"},
                {"inlet.mean_velocity_m_s",
                 KeyKind::Number,
                 "m/s",
                 "— (or `flow_rate_ml_s`)",
                 "(0, 20]",
                 "cycle mean of the cross-section mean velocity",
                 {0, 20, true, false}},
                {"inlet.flow_rate_ml_s",
                 KeyKind::Number,
                 "mL/s",
                 "",
                 "(0, 2000], pipes and file geometries",
                 "the inflow as a volume flow; a mean velocity Q / (π d²/4) in pipes, Q over the "
                 "inlets' total "
                 "area in file geometries",
                 {0, 2000, true, false}},
                {"inlet.waveform_file", KeyKind::String, "", "—", "a file of one closed cycle",
                 "a measured inflow Q(t): two columns, time (s) and flow, one cycle whose last "
                 "sample repeats "
                 "the first one period later (openBF's `*_inlet.dat` files are such); a relative "
                 "path is taken "
                 "from the case file's folder. It drives the velocity inlets through a periodic "
                 "cubic spline "
                 "(smooth across the cycle's wrap), divided by their total area, instead of "
                 "`mean_velocity_m_s`/`flow_rate_ml_s` and `amplitude`; its span is the period "
                 "(`period_s`, "
                 "when given, must match it within 0.1 %). A bad line is refused with the file and "
                 "line"},
                {"inlet.waveform_unit", KeyKind::Enum, "", R"~(`"m3_s"`)~",
                 R"~(`"m3_s"`, `"ml_s"`)~", "the unit of the waveform's flow column"},
                {"inlet.amplitude",
                 KeyKind::Number,
                 "",
                 "0",
                 "0 to 10",
                 "relative pulsation: u(t) = mean (1 + amplitude sin(2π t / period)); 0 = steady; "
                 "above 1 the "
                 "flow reverses in diastole",
                 {0, 10, false, false}},
                {"inlet.period_s",
                 KeyKind::Number,
                 "s",
                 "1",
                 "(0, 100]",
                 "period of the pulsation (0.8 s = 75 beats/min)",
                 {0, 100, true, false}},
                {"inlet.ramp_s",
                 KeyKind::Number,
                 "s",
                 "0",
                 "0 to 1000",
                 "start-up: the inflow rises from 0 along a half cosine over this time",
                 {0, 1000, false, false}},
                {"outlet", KeyKind::Table, "", "", "", ""},
                {"outlet.model", KeyKind::Enum, "", R"~(`"pressure"`)~",
                 R"~(`"pressure"`, `"resistance"`, `"windkessel"`, `"flow_split"`)~",
                 "what sets the outlet: a fixed or time-varying pressure; P = P_d + R Q; a "
                 "three-element RCR "
                 "Windkessel; or a fixed share of the inflow"},
                {"outlet.pressure_pa",
                 KeyKind::Number,
                 "Pa",
                 "0",
                 "-100000 to 1e6",
                 R"~(`"pressure"`: the gauge pressure held at the outlet; `"resistance"`, `"windkessel"`: the distal pressure P_d)~",
                 {-100000, 1e6, false, false}},
                {"outlet.pressure_mmhg",
                 KeyKind::Number,
                 "mmHg",
                 "",
                 "-750 to 7500",
                 "the same in mmHg (1 mmHg = 133.322387415 Pa)",
                 {-750, 7500, false, false}},
                {"outlet.pressure_file", KeyKind::String, "", "—", "a file of one closed cycle",
                 R"~(`"pressure"`: a pressure P(t) over the cardiac cycle, two columns (time in s, pressure), read as `inlet.waveform_file` is (periodic cubic spline; its period must match the inflow's when the case gives one). A relative path is taken from the case file's folder)~"},
                {"outlet.pressure_unit", KeyKind::Enum, "", R"~(`"pa"`)~", R"~(`"pa"`, `"mmhg"`)~",
                 "the unit of `pressure_file`'s second column"},
                {"outlet.resistance_pa_s_m3",
                 KeyKind::Number,
                 "Pa s/m³",
                 "—",
                 "(0, 1e14]",
                 R"~(`"resistance"`: R)~",
                 {0, 1e14, true, false}},
                {"outlet.r1_pa_s_m3",
                 KeyKind::Number,
                 "Pa s/m³",
                 "—",
                 "0 to 1e14",
                 R"~(`"windkessel"`: the proximal resistance R1 (openBF's `R1`))~",
                 {0, 1e14, false, false}},
                {"outlet.r2_pa_s_m3",
                 KeyKind::Number,
                 "Pa s/m³",
                 "—",
                 "(0, 1e14]",
                 R"~(`"windkessel"`: the distal resistance R2 (openBF's `R2`))~",
                 {0, 1e14, true, false}},
                {"outlet.compliance_m3_pa",
                 KeyKind::Number,
                 "m³/Pa",
                 "—",
                 "(0, 1e-5]",
                 R"~(`"windkessel"`: the compliance C (openBF's `Cc`))~",
                 {0, 1e-5, true, false}},
                {"outlet.flow_fraction",
                 KeyKind::Number,
                 "",
                 "—",
                 "(0, 1)",
                 R"~(`"flow_split"`: the outlet's share of the inflow at every instant)~",
                 {0, 1, true, true}},
                {"outlet.sponge_diameters",
                 KeyKind::Number,
                 "outlet diameters",
                 "0 (none)",
                 "0 to 100",
                 R"~(not `"flow_split"`: an absorbing sponge layer this deep inside the outlet plane (within the opening's reach), where the viscosity rises towards the plane along (1 − depth/length)² (Palabos' viscosity sponge zones): vortices and short pressure waves are damped before the outlet can reflect them. Mass and momentum are kept exactly. The layer rescales the populations' non-equilibrium part each step, so the relaxation time must not be near 1)~",
                 {0, 100, false, false}},
                {"outlet.sponge_viscosity_ratio",
                 KeyKind::Number,
                 "",
                 "10",
                 "1 to 1000",
                 "the viscosity at the outlet plane over the fluid's (with a local viscosity, over "
                 "the "
                 "Newtonian base one)",
                 {1, 1000, false, false}},
                {"outlet.total_resistance_pa_s_m3", KeyKind::Number, "Pa s/m³", "—", "(0, 1e14]", R"~(`[outlet]` only, `"windkessel"`: the whole outflow's resistance (all outlets that take `[outlet]` in parallel; e.g. mean pressure / mean flow), split between them instead of `r1_pa_s_m3`, `r2_pa_s_m3` and `compliance_m3_pa` (below))~", {0, 1e14, true, false}},
                {"outlet.total_compliance_m3_pa",
                 KeyKind::Number,
                 "m³/Pa",
                 "—",
                 "(0, 1e-5]",
                 "`[outlet]` only: their total compliance, with `total_resistance_pa_s_m3`",
                 {0, 1e-5, true, false}},
                {"outlet.proximal_fraction",
                 KeyKind::Number,
                 "",
                 "0.1",
                 "[0, 1)",
                 "`[outlet]` only: each outlet's R1 / (R1 + R2) in the split (the characteristic "
                 "impedance is "
                 "commonly 5–10 % of the total)",
                 {0, 1, false, true}},
                {"outlet.murray_exponent",
                 KeyKind::Number,
                 "",
                 "3",
                 "1 to 4",
                 "`[outlet]` only: the flow shares follow r^n of the openings' effective radii (3: "
                 "Murray's "
                 "law; 2: by area)",
                 {1, 4, false, false}},
                {"outlets", KeyKind::Table, "", "", "", ""},
                {"outlets.*", KeyKind::Table, "", "", "", ""},
                {"sections", KeyKind::Table, "", "", "", ""},
                {"sections.*", KeyKind::Table, "", "", "", ""},
                {"sections.*.point_mm", KeyKind::Vector3, "mm", "— (required)", "inside the vessel",
                 "a point of the plane; for file geometries in the scan's (LPS) frame"},
                {"sections.*.normal", KeyKind::Vector3, "", "— (required)", "non-zero",
                 "the flow direction that counts positive (normalised)"},
                {"sections.*.radius_mm",
                 KeyKind::Number,
                 "mm",
                 "0 (the whole plane)",
                 "0 to 1000",
                 "take only the fluid within this distance of the line through the point along the "
                 "normal: set "
                 "it where another vessel crosses the plane",
                 {0, 1000, false, false}},
                {"valves", KeyKind::Table, "", "", "", ""},
                {"valves.*", KeyKind::Table, "", "", "", ""},
                {"valves.*.point_mm", KeyKind::Vector3, "mm", "— (required)",
                 "on the chamber's wall",
                 "the valve's centre, on the wall at the first phase (LPS)"},
                {"valves.*.normal", KeyKind::Vector3, "", "— (required)", "non-zero",
                 "out of the chamber through the valve (normalised); flow that way counts "
                 "positive"},
                {"valves.*.radius_mm",
                 KeyKind::Number,
                 "mm",
                 "— (required)",
                 "(0, 100]",
                 "the opening's radius",
                 {0, 100, true, false}},
                {"valves.*.open_during", KeyKind::Enum, "", "— (or opens_at, closes_at)",
                 R"~(`"filling"`, `"ejection"`)~",
                 "open while the wall's volume grows, from its smallest to its largest (a mitral "
                 "valve), or while it shrinks, from its largest to its smallest (an aortic valve): "
                 "the times an ideal valve would open and close on the pressure across it, found "
                 "from the wall's volume over the cycle (the run's log gives them)"},
                {"valves.*.diode", KeyKind::Boolean, "", "false", "with `open_during`",
                 "an ideal diode: during the run it opens when the pressure across it pushes blood "
                 "its way (into the chamber for `\"filling\"`, out for `\"ejection\"`) and "
                 "closes when its flow turns back; `open_during`'s times still plan the run (the "
                 "expected jet, the first state)"},
                {"valves.*.opens_at",
                 KeyKind::Number,
                 "",
                 "— (or open_during)",
                 "[0, 1)",
                 "when it opens, as a fraction of the cycle from the first phase",
                 {0, 1, false, true}},
                {"valves.*.closes_at",
                 KeyKind::Number,
                 "",
                 "— (or open_during)",
                 "0 to 1, not `opens_at`",
                 "when it closes; below `opens_at` the valve is open across the cycle's end",
                 {0, 1, false, false}},
                {"body_force", KeyKind::Table, "", "", "", ""},
                {"body_force.gradient_pa_m",
                 KeyKind::Number,
                 "Pa/m",
                 "0",
                 "-1e7 to 1e7",
                 "steady driving pressure gradient −dp/dx",
                 {-1e7, 1e7, false, false}},
                {"body_force.oscillation_amplitude_pa_m",
                 KeyKind::Number,
                 "Pa/m",
                 "0",
                 "0 to 1e7",
                 "amplitude of a cosine oscillation of the gradient (Womersley flow); the force is "
                 "G(t) = "
                 "gradient + amplitude cos(2π t / period)",
                 {0, 1e7, false, false}},
                {"body_force.period_s",
                 KeyKind::Number,
                 "s",
                 "1",
                 "(0, 100]",
                 "period of the oscillation",
                 {0, 100, true, false}},
                {"body_force.direction", KeyKind::Vector3, "", "[1, 0, 0]", "non-zero",
                 "direction of the force (normalised)"},
                {"time", KeyKind::Table, "", "", "", ""},
                {"time.duration_s",
                 KeyKind::Number,
                 "s",
                 "— (or `cycles`)",
                 "(0, 100000]",
                 "physical time to simulate",
                 {0, 100000, true, false}},
                {"time.time_step_s",
                 KeyKind::Number,
                 "s",
                 "derived",
                 "(0, 1], ≤ `duration_s`",
                 "the lattice time step; leave it out to derive it from `max_mach`",
                 {0, 1, true, false}},
                {"time.max_mach",
                 KeyKind::Number,
                 "",
                 "0.1",
                 "(0, 0.1]",
                 "when `time_step_s` is left out: dt = max_mach · c_s · dx / u_peak, with u_peak "
                 "the expected "
                 "peak velocity",
                 {0, 0.1, true, false}},
                {"time.cycles",
                 KeyKind::Integer,
                 "",
                 "—",
                 "1 to 100000, a pulsatile flow",
                 "cardiac cycles to run instead of `duration_s` (duration = cycles × the inflow's "
                 "period, "
                 "or a chamber's `geometry.period_s`). "
                 "After each cycle the run logs how much the inlets' and outlets' cycle-mean "
                 "pressure, pulse "
                 "pressure and mean flow changed from the cycle before (the largest, relative); "
                 "the time "
                 "averages in summary.json and TAWSS/OSI cover the last complete cycle",
                 {1, 100000, false, false}},
                {"time.cycle_tolerance",
                 KeyKind::Number,
                 "",
                 "0 (run every cycle)",
                 "[0, 1)",
                 "with `cycles`: stop once a cycle changes by less than this (0.01 = 1 %)",
                 {0, 1, false, true}},
                {"output", KeyKind::Table, "", "", "", ""},
                {"output.directory", KeyKind::String, "", R"~(`"results/<name>"`)~", "not empty",
                 "where the results go, relative to the current directory; `--output` overrides "
                 "it"},
                {"output.interval_s",
                 KeyKind::Number,
                 "s",
                 "0",
                 "0 to 100000",
                 "time between field outputs; 0 = only the final state",
                 {0, 100000, false, false}},
                {"output.hdf5", KeyKind::Boolean, "", "true", "",
                 "write results.h5 and results.xdmf (ParaView)"},
                {"output.vti", KeyKind::Boolean, "", "false", "",
                 "also write results.vti (the final state as VTK image data)"},
                {"output.wall_series", KeyKind::Boolean, "", "true", "",
                 "keep the wall shear stress of every sample in the averaging window (results.h5 "
                 "`/wall/wss_series`), from which `hemotwin analyze` recomputes TAWSS, OSI, RRT, "
                 "ECAP and "
                 "peak-systolic WSS; held in memory until the end, 12 bytes per wall point per "
                 "sample"},
                {"output.vortex_fields", KeyKind::Boolean, "", "true", "",
                 "the vortex criteria Q and λ2 with every field snapshot (results.h5, "
                 "results.xdmf, "
                 "results.vti), for ParaView's contours of vortex cores; 8 more bytes per cell of "
                 "each "
                 "snapshot"},
                {"output.check_every",
                 KeyKind::Integer,
                 "steps",
                 "100",
                 "≥ 1",
                 "steps between divergence checks, iolet samples (flow, pressure) and progress "
                 "reports",
                 {1, kInf, false, false}},
                {"output.checkpoint_interval_s",
                 KeyKind::Number,
                 "s",
                 "0",
                 "0 to 100000",
                 "a checkpoint every so much simulated time (0: none), into "
                 "`<directory>.checkpoint/checkpoint.h5`; resume with `hemotwin run CASE --resume "
                 "<directory>.checkpoint` (docs/file-format.md)",
                 {0, 100000, false, false}},
                {"output.checkpoint_wall_interval_s",
                 KeyKind::Number,
                 "s",
                 "0",
                 "0 to 1e7",
                 "a checkpoint at the first sample after so much wall-clock time since the last "
                 "(0: none); "
                 "e.g. 1800 under a batch system's time limit",
                 {0, 1e7, false, false}},
};

// The [outlet] keys that [outlets.NAME] may set too (the others apply to the split of all outlets).
constexpr std::string_view per_outlet[] = {
    "model",         "pressure_pa",      "pressure_mmhg",
    "pressure_file", "pressure_unit",    "resistance_pa_s_m3",
    "r1_pa_s_m3",    "r2_pa_s_m3",       "compliance_m3_pa",
    "flow_fraction", "sponge_diameters", "sponge_viscosity_ratio"};

struct Expanded {
  std::vector<std::string> paths;  // the outlets.*.KEY paths the rows below point into
  std::vector<CaseKey> keys;
  Expanded() {
    paths.reserve(std::size(per_outlet));
    for (const auto& leaf : per_outlet) paths.push_back("outlets.*." + std::string(leaf));
    for (const CaseKey& row : rows) {
      keys.push_back(row);
      if (row.path != "outlets.*") continue;
      for (std::size_t i = 0; i < std::size(per_outlet); ++i) {
        const CaseKey* base = find_in_rows("outlet." + std::string(per_outlet[i]));
        CaseKey k = *base;
        k.path = paths[i];
        keys.push_back(k);
      }
    }
  }
  static const CaseKey* find_in_rows(const std::string& path) {
    for (const CaseKey& row : rows)
      if (row.path == path) return &row;
    return nullptr;
  }
};

const Expanded& expanded() {
  static const Expanded e;
  return e;
}

}  // namespace

bool KeyRange::contains(double v) const {
  if (!std::isfinite(v)) return false;
  return (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi);
}

namespace {
// "[lo, hi)" and the like: both ends finite.
std::string interval(const KeyRange& r) {
  return (r.lo_open ? "(" : "[") + format_number(r.lo) + ", " + format_number(r.hi) +
         (r.hi_open ? ")" : "]");
}
}  // namespace

std::string KeyRange::describe() const {
  if (std::isinf(lo) && std::isinf(hi)) return "finite";
  if (std::isinf(hi)) return (lo_open ? "> " : "≥ ") + format_number(lo);
  if (std::isinf(lo)) return (hi_open ? "< " : "≤ ") + format_number(hi);
  if (!lo_open && !hi_open) return format_number(lo) + " to " + format_number(hi);
  return interval(*this);
}

std::string KeyRange::requirement() const {
  if (std::isinf(lo) && std::isinf(hi)) return "be finite";
  if (std::isinf(hi)) return (lo_open ? "be > " : "be >= ") + format_number(lo);
  if (std::isinf(lo)) return (hi_open ? "be < " : "be <= ") + format_number(hi);
  return "lie in " + interval(*this);
}

std::span<const CaseKey> case_keys() { return expanded().keys; }

const CaseKey* find_case_key(std::string_view path) {
  for (const CaseKey& k : expanded().keys)
    if (k.path == path) return &k;
  return nullptr;
}

std::string_view kind_name(KeyKind kind) {
  switch (kind) {
    case KeyKind::Table:
      return "table";
    case KeyKind::String:
      return "string";
    case KeyKind::Enum:
      return "choice";
    case KeyKind::Number:
      return "number";
    case KeyKind::Integer:
      return "integer";
    case KeyKind::Boolean:
      return "boolean";
    case KeyKind::Vector3:
      return "vector";
    case KeyKind::StringList:
      return "array of strings";
    case KeyKind::Vector3List:
      return "array of vectors";
  }
  return "?";
}

std::string format_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  std::string s = buf;
  // 1e+14 -> 1e14, 1e-05 -> 1e-5
  if (const auto e = s.find('e'); e != std::string::npos) {
    std::string exp = s.substr(e + 1);
    const bool negative = exp[0] == '-';
    if (exp[0] == '+' || exp[0] == '-') exp.erase(0, 1);
    exp.erase(0, std::min(exp.find_first_not_of('0'), exp.size() - 1));
    s = s.substr(0, e + 1) + (negative ? "-" : "") + exp;
  }
  return s;
}

}  // namespace hemotwin::io
