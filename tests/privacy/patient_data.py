#!/usr/bin/env python3
"""Patient data against everything hemotwin writes or prints.

Usage: patient_data.py --hemotwin BIN --plant PLANT_DICOM [--python-path DIR] SCENARIO [...]
(or `all`; `python` needs --python-path, the build's python/ folder)

A phantom scan is written as DICOM series whose headers carry identifiers (PLANTED: the patient's
name, IDs, birth date, address, the study's and series' descriptions, the protocol, comments, a
private tag and the study and series UIDs), and every command that can take it runs from there.
Then every byte the commands wrote or printed is searched for the identifiers, through each layer
of encoding the outputs use: gzip (NIfTI), zlib streams (HDF5's deflate chunks, VTK's compressed
arrays, PNG images), base64 (the report's embedded figures) and HDF5's strings and attributes
read with h5py (which sees through the shuffle filter). `scanner_finds_hidden` shows the search
finds identifiers hidden in each of these layers, so that zero found means zero there.

To cover a new output, run the command that writes it in a scenario with `stage` (naming the
files it must leave); whatever else it writes is searched too.
"""
import argparse
import base64
import gzip
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cli"))
import cli_tests  # noqa: E402
from cli_tests import PROGRESS_CASE  # noqa: E402
from script_driver import Failed, check, registry, run_tests  # noqa: E402

HEMOTWIN = ""
PLANT = ""
PYTHON_PATH = ""
TESTS, test = registry()

UID_ROOT = "1.2.826.0.1.3680043.2.1125.7733"  # under GDCM's root; every planted UID starts so
PLANTED = {
    "0010|0010": "Plantedname^Alice",  # patient's name
    "0010|0020": "PID-PLANTED-7733",  # patient ID
    "0010|0030": "19450817",  # birth date
    "0010|1000": "OPID-PLANTED-5521",  # other patient IDs
    "0010|1040": "12 Planted Lane, Plantville",  # address
    "0010|2154": "0199-PLANTED-0455",  # telephone
    "0008|0050": "ACC-PLANTED-4411",  # accession number
    "0008|0080": "Planted General Hospital",  # institution
    "0008|0090": "Dr^Planted^Referring",  # referring physician
    "0008|1050": "Dr^Planted^Performing",  # performing physician
    "0008|1030": "CTA head PLANTED-STUDY-DESCRIPTION Alice",  # study description
    "0008|103e": "Angio PLANTED-SERIES-DESCRIPTION",  # series description
    "0018|1030": "PLANTED-PROTOCOL carotid",  # protocol name
    "0020|4000": "PLANTED-COMMENT seen by Alice's GP",  # image comments
    "0020|0010": "STUDY-PLANTED",  # study ID
    "0020|000d": UID_ROOT + ".1",  # study instance UID
    "0009|0010": "PLANTEDCREATOR",  # a private block's creator ...
    "0009|1001": "PRIVATE-PLANTED-9911",  # ... and an element in it
}
# What the search looks for, case-insensitively: words every planted value holds one of, the
# UID root (series and SOP instance UIDs are UID_ROOT.*) and the birth date as a date (not as
# digits inside a longer number).
TOKENS = [b"planted", b"plantville", b"alice", UID_ROOT.encode()]
DATES = re.compile(rb"(?<![0-9.eE+-])19450817(?![0-9])|1945-08-17|17\.08\.1945")


# --- The search ---------------------------------------------------------------------------------

def found_in(data):
    """The identifiers in `data` (bytes), as (token, context) pairs."""
    low = data.lower()
    hits = []
    for token in TOKENS:
        at = low.find(token)
        if at >= 0:
            hits.append((token.decode(), data[max(0, at - 40):at + 60]))
    m = DATES.search(data)
    if m:
        hits.append(("birth date", data[max(0, m.start() - 40):m.end() + 40]))
    return hits


def zlib_streams(data):
    """Every zlib stream in `data` (HDF5 deflate chunks, VTK compressed blocks, PNG IDAT/zTXt)."""
    view = memoryview(data)
    for m in re.finditer(rb"\x78[\x01\x5e\x9c\xda]", data):
        d = zlib.decompressobj()
        try:
            out = d.decompress(view[m.start():], 1 << 28)
        except zlib.error:
            continue
        if out:
            yield out


def base64_runs(data):
    for m in re.finditer(rb"[A-Za-z0-9+/]{64,}={0,2}", data):
        run = m.group(0)
        try:
            yield base64.b64decode(run[:len(run) // 4 * 4])
        except ValueError:
            continue


def layers(data, depth=0):
    """`data` and every layer of encoding found inside it, to three levels (HTML, base64, PNG,
    zlib)."""
    yield data
    if depth == 3:
        return
    if data[:2] == b"\x1f\x8b":
        try:
            yield from layers(gzip.decompress(data), depth + 1)
        except (OSError, EOFError, zlib.error):
            pass
    for inner in zlib_streams(data):
        yield from layers(inner, depth + 1)
    for inner in base64_runs(data):
        yield from layers(inner, depth + 1)


def hdf5_strings(path):
    """Every name, attribute and string value in an HDF5 file, as bytes (h5py decodes whatever
    filters the writer used)."""
    import h5py
    import numpy as np

    out = []

    def text(value):
        if isinstance(value, bytes):
            return value
        if isinstance(value, np.ndarray) and value.dtype.kind in "SUO":
            return b"\n".join(text(v) for v in value.ravel())
        return str(value).encode("utf-8", "replace")

    def visit(name, obj):
        out.append(name.encode())
        for key, value in obj.attrs.items():
            out.append(key.encode())
            out.append(text(value))
        if isinstance(obj, h5py.Dataset):
            kind = obj.dtype.kind
            if kind in "SUO" or obj.dtype.names:
                out.append(text(obj[()]) if kind != "V" else repr(obj[()]).encode())

    with h5py.File(path, "r") as f:
        for key, value in f.attrs.items():
            out.append(key.encode())
            out.append(text(value))
        f.visititems(visit)
    return b"\n".join(out)


def search_file(path):
    data = Path(path).read_bytes()
    hits = []
    for layer in layers(data):
        hits += found_in(layer)
    if data[:8] == b"\x89HDF\r\n\x1a\n":
        hits += found_in(hdf5_strings(path))
    return hits, len(data)


class Work:
    """One scenario's directory: its DICOM inputs, the commands run and what they printed."""

    def __init__(self, tmp):
        self.dir = Path(tmp)
        self.inputs = []  # folders of planted DICOM (excluded from the search)
        self.printed = []  # (command, stdout + stderr)

    def plant(self, scan, folder, series):
        """Writes `scan` as a DICOM series with the identifiers and checks they are there."""
        uid = f"{UID_ROOT}.{series}"
        fields = [f"{tag}={value}" for tag, value in PLANTED.items()]
        p = subprocess.run([PLANT, scan, folder, uid, *fields], cwd=self.dir, capture_output=True,
                           text=True, timeout=120)
        check(p.returncode == 0, f"plant_dicom: exit code {p.returncode}\n{p.stderr}")
        self.inputs.append(self.dir / folder)
        first = sorted((self.dir / folder).iterdir())[0].read_bytes()
        missing = [v for v in PLANTED.values() if v.encode() not in first]
        check(not missing, f"the series lacks planted values: {missing}")
        return folder

    def run(self, args, code=0, env=None, wrapper=()):
        """Runs hemotwin; checks the exit code; keeps what it printed for the search."""
        e = dict(os.environ, **(env or {}))
        e.pop("TERM", None)
        p = subprocess.run([*wrapper, HEMOTWIN, *args], cwd=self.dir, capture_output=True,
                           text=True, timeout=600, env=e)
        said = p.stdout + p.stderr
        self.printed.append((" ".join(args), said))
        check(p.returncode == code,
              f"hemotwin {' '.join(args)}: exit code {p.returncode}, expected {code}\n{said}")
        return said

    def stage(self, args, writes=(), **kw):
        """A command that must leave the files `writes` (globs under the work directory)."""
        said = self.run(args, **kw)
        for pattern in writes:
            check(list(self.dir.glob(pattern)), f"hemotwin {args[0]} wrote no {pattern}\n{said}")
        return said

    def until_signal(self, args, sig=signal.SIGTERM):
        """Starts a run, sends `sig` at its first progress line; the run writes a checkpoint."""
        rc, said = cli_tests.run_until_signal(args, self.dir, sig)
        self.printed.append((" ".join(args), said))
        check(rc == 75, f"a signalled run: exit code {rc}, expected 75\n{said}")

    def nothing_found(self):
        """Searches every file under the directory but the planted inputs, and every message."""
        files = sorted(p for p in self.dir.rglob("*") if p.is_file() and
                       not any(d in p.parents for d in self.inputs))
        hits, size = [], 0
        for p in files:
            found, n = search_file(p)
            size += n
            hits += [(str(p.relative_to(self.dir)), *h) for h in found]
        printed = 0
        for command, said in self.printed:
            printed += len(said)
            hits += [(f"output of `hemotwin {command}`", *h) for h in found_in(said.encode())]
        kinds = sorted({p.suffix or p.name for p in files})
        print(f"searched {len(files)} files ({size} bytes; {', '.join(kinds)}) and {printed} "
              f"characters printed by {len(self.printed)} commands: {len(hits)} identifiers found")
        check(not hits, "identifiers found:\n" + "\n".join(f"  {w}: {t!r} in {c!r}"
                                                         for w, t, c in hits))


def phantom(w, name, *args):
    w.run(["phantom", "aneurysm", "--output", name, *args])


# The progression case of tests/cli/cli_tests.py, from a DICOM folder.
CASE = PROGRESS_CASE.replace('"first/scan.nii.gz"', '"scan_first"')
CUTS = ["--cut", "3,0,0,-1,0,0", "--cut", "37,0,0,1,0,0", "--cut",
        "28.6,-11.5,9.5,0.905,-0.302,0.302"]


def bad_folders(w, keep, *options):
    """Two planted series (scan_first, scan_later), a folder `both` holding the two, and a copy
    `damaged` of the first whose sixth file keeps `keep(its size)` bytes; `options` go to both
    phantoms."""
    phantom(w, "first", "--sac-radius", "3.0", "--seed", "1", *options)
    phantom(w, "later", "--sac-radius", "3.6", "--seed", "2", *options)
    w.plant("first/scan.nii.gz", "scan_first", 1)
    w.plant("later/scan.nii.gz", "scan_later", 2)
    both = w.dir / "both"
    both.mkdir()
    for folder in ["scan_first", "scan_later"]:
        for f in (w.dir / folder).iterdir():
            shutil.copy(f, both / f"{folder}_{f.name}")
    damaged = w.dir / "damaged"
    shutil.copytree(w.dir / "scan_first", damaged)
    w.inputs += [both, damaged]
    victim = sorted(damaged.iterdir())[5]
    data = victim.read_bytes()
    victim.write_bytes(data[:keep(len(data))])


def xvfb():
    x = shutil.which("xvfb-run")
    check(x, "xvfb-run is needed for the report's figures (scripts/packages.txt: xvfb)")
    return (x, "-a")


# --- Scenarios ----------------------------------------------------------------------------------

@test
def scanner_finds_hidden(tmp):
    """The search itself: an identifier hidden in each layer the outputs use is found, and the
    same files without it are clean."""
    import h5py
    import numpy as np

    w = Work(tmp)
    secret = b"Plantedname^Alice"
    d = w.dir / "hidden"
    d.mkdir()
    (d / "a.nii.gz").write_bytes(gzip.compress(b"\0" * 348 + secret))
    with h5py.File(d / "b.h5", "w") as f:  # shuffled and deflated, in a dataset and an attribute
        f.create_dataset("s", data=np.array([secret] * 50), compression="gzip", shuffle=True)
        f.create_dataset("n", data=np.zeros(4)).attrs["note"] = "birth 19450817"
    png = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 0) + b"zTXt" + b"c\0\0" + zlib.compress(secret)
    (d / "c.html").write_text('<img src="data:image/png;base64,' +
                              base64.b64encode(png * 4).decode() + '">')
    (d / "d.vtp").write_bytes(b"<AppendedData encoding=\"raw\">_" + struct.pack("<4I", 1, 64, 64, 30)
                              + zlib.compress(b"\0" * 20 + UID_ROOT.encode() + b".5.3"))
    missed = []
    for p in sorted(d.iterdir()):
        hits, _ = search_file(p)
        if not hits:
            missed.append(p.name)
    check(not missed, f"the search missed the identifier hidden in {missed}")
    # Without the identifiers, nothing is found (no false alarm from the decoders).
    (d / "a.nii.gz").write_bytes(gzip.compress(b"\0" * 348 + b"x" * len(secret)))
    hits, _ = search_file(d / "a.nii.gz")
    check(not hits, f"found {hits} where nothing was hidden")
    check(found_in(b"t = 3.19450817e-05") == [], "a number was taken for the birth date")
    print("found in gzip, in a shuffled and deflated HDF5 dataset, in an HDF5 attribute, in a "
          "zTXt chunk of a base64 PNG in HTML, in a zlib block of a VTK file")


@test
def segment_and_run(tmp):
    """segment (label map in three formats, surface in two), voxelize, check, run with every
    output, a checkpoint on SIGTERM, analyze and report -- all from the planted DICOM series."""
    w = Work(tmp)
    phantom(w, "first", "--sac-radius", "3.0", "--seed", "1")
    w.plant("first/scan.nii.gz", "scan_first", 1)
    (w.dir / "seg").mkdir()
    w.stage(["segment", "scan_first", "--seed", "5,0,0", "--output", "seg/lumen.nrrd",
             "--surface", "seg/wall.vtp"], ["seg/lumen.nrrd", "seg/wall.vtp"])
    w.stage(["segment", "scan_first", "--seed", "5,0,0", "--output", "seg/lumen.nii.gz",
             "--surface", "seg/wall.stl"], ["seg/lumen.nii.gz", "seg/wall.stl"])
    w.stage(["segment", "scan_first", "--seed", "5,0,0", "--output", "seg/lumen.mha"],
            ["seg/lumen.mha"])
    w.stage(["voxelize", "seg/lumen.nrrd", "--cells-across", "8", *CUTS, "--output", "lat"],
            ["lat/openings.json", "lat/lattice.vti", "lat/closed_wall.vtp"])
    (w.dir / "case.toml").write_text(CASE)
    w.stage(["check", "case.toml", "--print-case"])
    w.stage(["run", "case.toml", "--output", "one"],
            ["one/results.h5", "one/results.xdmf", "one/summary.json", "one/iolets.csv",
             "one/case.toml", "one/wall.vtp", "one/wall_surface.vtp"])
    w.until_signal(["run", "case.toml", "--output", "stopped", "--set", "time.duration_s=3"])
    check((w.dir / "stopped.checkpoint" / "checkpoint.h5").is_file(), "no checkpoint written")
    w.stage(["analyze", "one"], ["one/metrics.json"])
    w.stage(["report", "one", "--output", "rep"],
            ["rep/report.html", "rep/report.json", "rep/*.png"], wrapper=xvfb())
    w.nothing_found()


@test
def progress_report_plan(tmp):
    """progress (a later planted series, registered to the first), its report, and a virtual
    coiling plan, all from the planted series."""
    w = Work(tmp)
    phantom(w, "first", "--sac-radius", "3.0", "--seed", "1")
    phantom(w, "later", "--sac-radius", "3.6", "--seed", "2", "--rotate", "7,0.3,-0.5,0.8",
            "--translate", "2.4,-1.7,3.1")
    w.plant("first/scan.nii.gz", "scan_first", 1)
    w.plant("later/scan.nii.gz", "scan_later", 2)
    (w.dir / "case.toml").write_text(CASE)
    w.stage(["progress", "case.toml", "--scan", "scan_later", "--sac", "20,4.5,0,5", "--output",
             "followed"], ["followed/progression.json", "followed/scan*/results.h5"])
    w.stage(["report", "followed", "--output", "rep"], ["rep/report.html", "rep/*.png"],
            wrapper=xvfb())
    w.stage(["plan", "case.toml", "--exclude-sac", "20,4.5,0,5", "--output", "coiled"],
            ["coiled/comparison.json", "coiled/*_labels.nrrd", "coiled/post/results.h5"])
    w.nothing_found()


@test
def errors(tmp):
    """Refusals that name the DICOM input: a seed outside the scan, two series in one folder (the
    listing), a series index past them, a damaged file, a case whose scan segments to nothing."""
    w = Work(tmp)
    # Coarse (a 27th of the voxels): every command here is refused, and the sanitizer build
    # (-O0) runs this scenario too.
    bad_folders(w, lambda size: size * 6 // 10, "--spacing", "1.0")
    out = ["--output", "x.nrrd"]
    said = [w.run(["segment", "scan_first", "--seed", "500,0,0", *out], code=2),
            w.run(["segment", "both", "--seed", "5,0,0", *out], code=2),
            w.run(["segment", "both", "--series", "7", "--seed", "5,0,0", *out], code=2),
            w.run(["segment", "damaged", "--seed", "5,0,0", *out], code=2)]
    check("series 1: " in said[1], f"no listing of the series:\n{said[1]}")
    check("cut short" in said[3], f"the damaged slice was not refused:\n{said[3]}")
    (w.dir / "case.toml").write_text(CASE.replace("seeds_mm = [[5, 0, 0]]",
                                                  "seeds_mm = [[5, 0, 0]]\nlower = 5000"))
    said.append(w.run(["run", "case.toml", "--output", "never"], code=2))
    said.append(w.run(["check", "case.toml", "--set", "geometry.file=\"both\""], code=2))
    for text in said:
        print(text.strip().splitlines()[-1])
    check(not (w.dir / "never").exists() and not (w.dir / "x.nrrd").exists(),
          "a refused command wrote its output")
    w.nothing_found()


# The Python package on the planted series: what a notebook would do, its printed text and the
# exceptions' messages collected and printed.
PYTHON_SESSION = r"""
import hemotwin
said = []
image = hemotwin.read_image("scan_first")
said.append(repr(image))
said += [repr((s.index, s.files, s.size, s.spacing)) for s in hemotwin.list_dicom_series("both")]
hemotwin.write_image(image, "py/scan.nii.gz")
result = hemotwin.run(hemotwin.Case.from_file("case.toml"), "py/run", info=said.append)
said.append(repr(result))
for folder, series in [("damaged", -1), ("both", -1), ("both", 5)]:
    try:
        hemotwin.read_image(folder, series)
        said.append(f"{folder}: read")
    except Exception as e:
        said.append(f"{folder}: {type(e).__name__}: {e}")
print("\n".join(said))
"""


@test
def python(tmp):
    """The Python package: read_image, list_dicom_series, write_image and run from the planted
    series, and its exceptions on a damaged series and a folder of two."""
    if not PYTHON_PATH:
        raise Failed("the python scenario needs --python-path (the build's python/ folder)")
    w = Work(tmp)
    bad_folders(w, lambda size: 1000)
    (w.dir / "py").mkdir()
    (w.dir / "case.toml").write_text(CASE)
    env = dict(os.environ, PYTHONPATH=PYTHON_PATH)
    p = subprocess.run([sys.executable, "-c", PYTHON_SESSION], cwd=w.dir, capture_output=True,
                       text=True, timeout=600, env=env)
    w.printed.append(("(python session)", p.stdout + p.stderr))
    check(p.returncode == 0, f"the Python session failed:\n{p.stdout}\n{p.stderr}")
    check(re.search(r"damaged: \w+: .*cut short", p.stdout),
          f"the damaged series was not refused:\n{p.stdout}")
    check((w.dir / "py" / "run" / "results.h5").is_file(), "the Python run wrote no results")
    print(p.stdout.strip().splitlines()[-3:])
    w.nothing_found()


def main():
    global HEMOTWIN, PLANT, PYTHON_PATH
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hemotwin", required=True)
    ap.add_argument("--plant", required=True)
    ap.add_argument("--python-path", default="")
    ap.add_argument("tests", nargs="+")
    a = ap.parse_args()
    HEMOTWIN, PLANT = os.path.abspath(a.hemotwin), os.path.abspath(a.plant)
    cli_tests.HEMOTWIN = HEMOTWIN  # for cli_tests.run_until_signal
    PYTHON_PATH = a.python_path
    names = list(TESTS) if a.tests == ["all"] else a.tests
    unknown = [n for n in names if n not in TESTS]
    if unknown:
        raise SystemExit(f"unknown scenarios {unknown}; known: {', '.join(TESTS)}")
    return run_tests(TESTS, names, "privacy")


if __name__ == "__main__":
    sys.exit(main())
