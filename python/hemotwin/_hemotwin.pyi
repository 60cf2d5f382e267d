"""Type stubs for hemotwin's C++ extension (python/src/*.cpp). Units: SI unless named; scans and
surfaces in LPS mm."""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union, overload

import numpy as np
import numpy.typing as npt

_Path = Union[str, os.PathLike]
_Vec3 = Union[Sequence[float], npt.ArrayLike]
_Points = npt.ArrayLike

__version__: str
git_commit: str
built_with_cuda: bool
PASCAL_PER_MMHG: float

def cuda_available() -> bool: ...
def set_log_level(level: str) -> None: ...
def cuda_device() -> str: ...

class Error(RuntimeError):
    message: str
    file: str
    key: str
    line: int

class CaseError(Error, ValueError): ...
class DivergenceError(Error): ...

class Case:
    name: str
    source_file: str
    output_directory: str
    duration: float
    shape: str
    has_file_geometry: bool
    @staticmethod
    def from_file(path: _Path, overrides: Optional[Union[Dict[str, Any], Sequence[str]]] = None) -> Case: ...
    @staticmethod
    def from_toml(text: str, name: str = "case.toml", overrides: Optional[Union[Dict[str, Any], Sequence[str]]] = None) -> Case: ...
    @staticmethod
    def from_dict(case: Dict[str, Any], overrides: Optional[Union[Dict[str, Any], Sequence[str]]] = None) -> Case: ...
    @staticmethod
    def keys() -> List[str]: ...
    @staticmethod
    def key_table() -> List[Dict[str, Any]]: ...
    def with_overrides(self, overrides: Union[Dict[str, Any], Sequence[str]]) -> Case: ...
    def to_toml(self) -> str: ...
    def complete_toml(self) -> str: ...

class Grid:
    dx: float
    origin: Tuple[float, float, float]
    cells: Tuple[int, int, int]
    shape: Tuple[int, int, int]
    brick_size: int
    fluid_cells: int
    stored_cells: int
    bricks: int
    brick_origins: npt.NDArray[np.int32]
    cell_type: npt.NDArray[np.uint8]
    def axes(self) -> Tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
    def cell_centres(self) -> npt.NDArray[np.float64]: ...
    def fluid_mask(self) -> npt.NDArray[np.bool_]: ...
    def to_dense(self, values: npt.ArrayLike, fill: float = ...) -> npt.NDArray[np.float64]: ...

class Fields:
    step: int
    time: float
    grid: Grid
    velocity: npt.NDArray[np.float32]
    pressure: npt.NDArray[np.float32]
    def velocity_dense(self, fill: float = ...) -> npt.NDArray[np.float64]: ...
    def pressure_dense(self, fill: float = ...) -> npt.NDArray[np.float64]: ...

class WallShear:
    time: float
    points: npt.NDArray[np.float64]
    normals: npt.NDArray[np.float64]
    wss: npt.NDArray[np.float64]
    def magnitude(self) -> npt.NDArray[np.float64]: ...
    def __len__(self) -> int: ...

class WallShearAverage:
    duration: float
    def __init__(self, points: int) -> None: ...
    def add(self, wss: _Points, dt: float) -> None: ...
    def tawss(self) -> npt.NDArray[np.float64]: ...
    def osi(self) -> npt.NDArray[np.float64]: ...
    def reset(self) -> None: ...

class Iolet:
    name: str
    kind: str
    is_outlet: bool
    centre: Tuple[float, float, float]
    normal: Tuple[float, float, float]
    area: float

class Section:
    name: str
    centre: Tuple[float, float, float]
    normal: Tuple[float, float, float]
    area: float

class Diagnostics:
    step: int
    time: float
    mass: float
    max_speed: float
    iolet_flow: List[float]
    iolet_pressure: List[float]
    iolet_boundary_pressure: List[float]
    section_flow: List[float]
    section_pressure: List[float]

class Simulation:
    case: Case
    grid: Grid
    iolets: List[Iolet]
    sections: List[Section]
    backend: str
    device: str
    streaming: str
    dx: float
    dt: float
    tau: float
    density: float
    step: int
    time: float
    total_steps: int
    populations: npt.NDArray[Any]
    directions: List[Tuple[int, int, int]]
    ranks: int
    rank: int
    def __init__(self, case: Case, comm: Any = None) -> None: ...
    def advance(self, steps: int) -> int: ...
    def run(self, steps: Optional[int] = None, every: Optional[int] = None,
            callback: Optional[Callable[[Simulation], Optional[bool]]] = None) -> int: ...
    def diagnostics(self) -> Diagnostics: ...
    def sample(self) -> None: ...
    def history(self) -> Dict[str, Any]: ...
    def fields(self) -> Fields: ...
    def wall_shear(self) -> WallShear: ...
    def lattice_moments(self) -> Tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
    def initialise(self, rho: Optional[npt.ArrayLike] = None, u: Optional[npt.ArrayLike] = None) -> None: ...
    def checkpoint(self, path: _Path) -> None: ...
    def restore(self, path: _Path) -> None: ...

class Progress:
    step: int
    total_steps: int
    elapsed_s: float
    mlups: float

class RunResult:
    directory: os.PathLike
    hdf5: os.PathLike
    xdmf: os.PathLike
    summary: os.PathLike
    steps: int
    wall_time_s: float
    mlups: float
    stopped_early: bool
    resumed_at: int

def run(case: Case, directory: Optional[_Path] = None, progress: Optional[Callable[[Progress], None]] = None,
        info: Optional[Callable[[str], None]] = None, resume: Optional[_Path] = None,
        comm: Any = None) -> RunResult: ...

class _Volume:
    size: Tuple[int, int, int]
    spacing: Tuple[float, float, float]
    origin: Tuple[float, float, float]
    direction: npt.NDArray[np.float64]
    def __init__(self, array: npt.ArrayLike, spacing: Optional[_Vec3] = None, origin: Optional[_Vec3] = None,
                 direction: Optional[npt.ArrayLike] = None) -> None: ...
    def point(self, index: _Vec3) -> npt.NDArray[np.float64]: ...
    def index(self, point: _Vec3) -> npt.NDArray[np.float64]: ...

class Image(_Volume):
    array: npt.NDArray[np.float32]

class LabelMap(_Volume):
    array: npt.NDArray[np.uint8]

class DicomSeries:
    index: int
    files: int
    size: Tuple[int, int, int]
    spacing: Tuple[float, float, float]

def read_image(path: _Path, series: int = -1) -> Image: ...
def read_labels(path: _Path) -> LabelMap: ...
def write_image(image: Image, path: _Path) -> None: ...
def write_labels(labels: LabelMap, path: _Path) -> None: ...
def list_dicom_series(folder: _Path) -> List[DicomSeries]: ...
def resample(image: Image, spacing: Union[float, _Vec3]) -> Image: ...
def crop(image: Image, lo: _Vec3, hi: _Vec3) -> Image: ...

class VesselModel:
    def __init__(self) -> None: ...
    def add_tube(self, points: _Points, radii: Sequence[float]) -> VesselModel: ...
    def add_sphere(self, centre: _Vec3, radius: float) -> VesselModel: ...
    def distance(self, point: _Vec3) -> float: ...
    def inside(self, point: _Vec3) -> bool: ...
    def bounds(self) -> Tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
    @staticmethod
    def straight(a: _Vec3, b: _Vec3, radius: float) -> VesselModel: ...
    @staticmethod
    def curved(start: _Vec3, axis: _Vec3, towards: _Vec3, bend_radius: float, angle: float, radius: float) -> VesselModel: ...
    @staticmethod
    def stenosis(a: _Vec3, b: _Vec3, radius: float, severity: float, position: float, length: float) -> VesselModel: ...
    @staticmethod
    def aneurysm(a: _Vec3, b: _Vec3, radius: float, position: float, side: _Vec3, sac_radius: float, offset: float) -> VesselModel: ...
    @staticmethod
    def carotid_bifurcation(origin: _Vec3 = ..., ica_stenosis: float = 0.0) -> VesselModel: ...

class Phantom:
    image: Image
    labels: LabelMap

def render(model: VesselModel, modality: str = "ct", spacing: Union[float, _Vec3] = 0.5, margin: float = 4.0,
           field_of_view: Optional[Tuple[_Vec3, _Vec3]] = None, blur_sigma: float = 0.5, noise_sigma: float = 20.0, supersample: int = 4, seed: int = 1,
           pose: Optional[npt.ArrayLike] = None) -> Phantom: ...

class Segmentation:
    labels: LabelMap
    lower: float
    upper: float
    voxels: int
    volume_mm3: float

def segment(image: Image, seeds: _Points, lower: Optional[float] = None, upper: Optional[float] = None,
            smoothing_iterations: int = 5, vesselness: bool = False, vesselness_level: float = 0.05,
            sigma_mm: Optional[Tuple[float, float]] = None, level_set: bool = False) -> Segmentation: ...
def largest_component(labels: LabelMap) -> LabelMap: ...
def dice(a: LabelMap, b: LabelMap) -> float: ...
def mean_surface_distance(a: LabelMap, b: LabelMap) -> float: ...

class TriangleMesh:
    points: npt.NDArray[np.float64]
    triangles: npt.NDArray[np.int32]
    area: float
    signed_volume: float
    boundary_edges: int
    def __init__(self, points: _Points, triangles: npt.ArrayLike) -> None: ...
    def flip(self) -> None: ...

class Opening:
    name: str
    kind: str
    centre: Tuple[float, float, float]
    normal: Tuple[float, float, float]
    area: float
    radius: float
    extension: float

def read_surface(path: _Path) -> TriangleMesh: ...
def write_surface(mesh: TriangleMesh, path: _Path) -> None: ...
def find_openings(mesh: TriangleMesh) -> List[Opening]: ...
def prolate_cavity_mesh(a: float, b: float, beta: float, rings: int = 16, segments: int = 32) -> TriangleMesh: ...
def cut_surface(mesh: TriangleMesh, point: _Vec3, normal: _Vec3) -> TriangleMesh: ...
def lumen_surface(labels: LabelMap, label: int = 0, sigma_mm: float = 0.0, smoothing_iterations: int = 0) -> TriangleMesh: ...

class PreparedGeometry:
    wall: TriangleMesh
    openings: List[Opening]
    file: os.PathLike
    spacing_mm: float
    segmented_volume_mm3: float
    notes: List[str]
    grid: Grid

def prepare_geometry(case: Case) -> PreparedGeometry: ...

def wall_indices(times: npt.ArrayLike, wss: npt.ArrayLike, peak_sample: Optional[int] = None) -> Dict[str, Any]: ...
def derived_indices(tawss: npt.ArrayLike, osi: npt.ArrayLike) -> Dict[str, Any]: ...
def area_fractions(tawss: npt.ArrayLike, osi: npt.ArrayLike, area: Optional[npt.ArrayLike] = None,
                   low_tawss: float = 0.4, high_osi: float = 0.2, mask: Optional[npt.ArrayLike] = None) -> Dict[str, Any]: ...
def region_stats(values: npt.ArrayLike, area: Optional[npt.ArrayLike] = None,
                 mask: Optional[npt.ArrayLike] = None) -> Dict[str, Any]: ...
class Centerline:
    points: npt.NDArray[np.float64]
    radius: npt.NDArray[np.float64]
    arc_length: npt.NDArray[np.float64]
    length: float
    def point_at(self, s: float) -> Tuple[float, float, float]: ...
    def radius_at(self, s: float) -> float: ...
    def tangent_at(self, s: float) -> Tuple[float, float, float]: ...
    def project(self, point: Sequence[float]) -> float: ...
    def narrowest(self, s0: float = 0.0, s1: float = 1e300) -> int: ...
    def __len__(self) -> int: ...

def centerlines(labels: LabelMap, source: Sequence[float], targets: Sequence[Sequence[float]],
                label: int = 0, speed_power: float = 2.0, step: float = 0.0, smoothing: int = 20,
                snap: float = 0.0) -> List[Centerline]: ...
class Intervention:
    labels: LabelMap
    voxels_added: int
    voxels_removed: int
    radius: float
    reference_radius: float

def open_stenosis(labels: LabelMap, centerline: Centerline, s0: float, s1: float,
                  radius: float = 0.0) -> Intervention: ...
def exclude_sac(labels: LabelMap, parent: Centerline, sac_centre: Sequence[float],
                sac_radius: float) -> Intervention: ...
class Registration:
    fixed_to_moving: npt.NDArray[np.float64]
    rigid: npt.NDArray[np.float64]
    metric: float
    iterations: int
    stop: str
    rotation_degrees: float

def register_scans(fixed: Image, moving: Image, transform: str = "rigid", moments: bool = False,
                   levels: int = 3, bins: int = 50, sampling: float = 0.2, seed: int = 1,
                   iterations: int = 300) -> Registration: ...
def render_surface(mesh: TriangleMesh, spacing: float = 1.0, margin: float = 8.0, like: Optional[Image] = None,
                   blur_sigma: float = 0.5, noise_sigma: float = 20.0, supersample: int = 4, seed: int = 1) -> Phantom: ...

class WallMotion:
    phases: List[npt.NDArray[np.float64]]
    mismatch_before: List[float]
    mismatch_after: List[float]
    iterations: List[int]
    min_jacobian: List[float]

def track_wall(wall: TriangleMesh, frames: Sequence[Image], reference: int = 0, levels: int = 3,
               iterations: int = 200, smoothing: float = 1.5) -> WallMotion: ...
def write_surface_series(mesh: TriangleMesh, phases: Sequence[npt.ArrayLike], period: float,
                         path: str, times: Sequence[float] = ...) -> None: ...
@overload
def resample_into(moving: Image, reference: _Volume, fixed_to_moving: npt.ArrayLike) -> Image: ...
@overload
def resample_into(moving: LabelMap, reference: _Volume, fixed_to_moving: npt.ArrayLike) -> LabelMap: ...

class AneurysmGeometry:
    volume: float
    scan_volume: float
    max_diameter: float
    neck_diameter: float
    height: float
    aspect_ratio: float
    parent_radius: float
    size_ratio: float
    centroid: Tuple[float, float, float]
    neck_centre: Tuple[float, float, float]
    neck_normal: Tuple[float, float, float]
    voxels: int
    neck_voxels: int

def measure_aneurysm(labels: LabelMap, parent: Centerline, sac_centre: Sequence[float],
                     sac_radius: float, scan: Optional[Image] = None) -> AneurysmGeometry: ...
def sac_region(labels: LabelMap, parent: Centerline, sac_centre: Sequence[float],
               sac_radius: float) -> LabelMap: ...
def parent_across_sac(parent: Centerline, sac_centre: Sequence[float], sac_radius: float) -> Centerline: ...
def analyze(results: Union[str, os.PathLike], proximal: str = "", distal: str = "",
            aortic_pressure_mmhg: Optional[float] = None, low_tawss: float = 0.4,
            high_osi: float = 0.2) -> Dict[str, Any]: ...
def report(input: _Path, output: Optional[_Path] = None, figures: bool = True,
           title: str = "") -> Dict[str, Any]: ...
def young_tsai(diameter: float, throat_diameter: float, length: float, mean_velocity: float,
               viscosity: float = 0.0035, density: float = 1060.0,
               s: Optional[npt.ArrayLike] = None,
               radius: Optional[npt.ArrayLike] = None) -> Dict[str, float]: ...
