"""hemotwin: patient-specific haemodynamics, a lattice-Boltzmann digital twin, from Python.

The whole pipeline of the C++/CUDA library:

    import hemotwin

    phantom = hemotwin.render(hemotwin.VesselModel.carotid_bifurcation(), spacing=0.4)
    seg = hemotwin.segment(phantom.image, seeds=[(0, 5, 0)])
    case = hemotwin.Case.from_dict({...})        # or Case.from_file("case.toml")
    sim = hemotwin.Simulation(case)              # step by step, fields as NumPy arrays
    sim.run(every=100, callback=print_progress)
    result = hemotwin.run(case, "results/")      # or a whole run into a results directory
    res = hemotwin.load("results/")              # fields, iolet series, wall quantities

Errors are hemotwin.Error (hemotwin.CaseError, a ValueError, names the key of a bad case).
Units are SI (m, s, Pa, m^3/s) unless a name says otherwise; scans and surfaces are in LPS mm.
"""

from ._hemotwin import (  # noqa: F401  (the bound classes and functions)
    PASCAL_PER_MMHG,
    AneurysmGeometry,
    Case,
    CaseError,
    Centerline,
    Diagnostics,
    DicomSeries,
    DivergenceError,
    Error,
    Fields,
    Grid,
    Image,
    Intervention,
    Iolet,
    LabelMap,
    Opening,
    Phantom,
    PreparedGeometry,
    Progress,
    Registration,
    RunResult,
    Section,
    Segmentation,
    Simulation,
    TriangleMesh,
    VesselModel,
    WallMotion,
    WallShear,
    WallShearAverage,
    __version__,
    built_with_cuda,
    analyze,
    area_fractions,
    centerlines,
    crop,
    derived_indices,
    region_stats,
    wall_indices,
    cuda_available,
    cuda_device,
    dice,
    exclude_sac,
    measure_aneurysm,
    parent_across_sac,
    register_scans,
    render_surface,
    track_wall,
    write_surface_series,
    report,
    resample_into,
    sac_region,
    find_openings,
    cut_surface,
    git_commit,
    largest_component,
    list_dicom_series,
    lumen_surface,
    mean_surface_distance,
    open_stenosis,
    prolate_cavity_mesh,
    prepare_geometry,
    read_image,
    read_labels,
    read_surface,
    render,
    resample,
    run,
    segment,
    set_log_level,
    write_image,
    write_labels,
    write_surface,
    young_tsai,
)
from .results import Results, load  # noqa: F401

# help() and repr() name the package, not its extension module.
for _name, _obj in list(globals().items()):
    if isinstance(_obj, type) and getattr(_obj, "__module__", "") == "hemotwin._hemotwin":
        try:
            _obj.__module__ = "hemotwin"
        except (AttributeError, TypeError):
            pass

__all__ = [name for name in dir() if not name.startswith("_")]
