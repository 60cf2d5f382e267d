#!/usr/bin/env python3
"""Faults while writing: a full disk, a read-only or vanished output directory, and SIGKILL at
random moments of a run that writes checkpoints and results (issue 19, docs/validation.md).

Usage: faults.py --hemotwin BIN --cases DIR TEST   (full_disk, read_only, vanished, random_kills)

What every test checks: the earlier results and checkpoints are intact and readable, no half-written
file stands under a final name, and a failure is one clear line naming the file (never a crash).
The disk tests mount a small tmpfs and need root (CAP_SYS_ADMIN); elsewhere they skip (exit 77).
"""
import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from script_driver import Skipped, check, registry, run_tests  # noqa: E402

import h5py

HEMOTWIN = ""
CASES = Path()
TESTS, test = registry()


def env():
    e = dict(os.environ)
    e.pop("TERM", None)
    e.setdefault("OMP_NUM_THREADS", "1")
    return e


def tiny(*sets):
    """`hemotwin run` of the tiny pipe with overrides."""
    args = ["run", str(CASES / "tiny.toml"), "--quiet"]
    for s in sets:
        args += ["--set", s]
    return args


def run(args, cwd, timeout=300):
    p = subprocess.run([HEMOTWIN, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                       env=env())
    return p.returncode, p.stdout + p.stderr


def digest(directory):
    """Every file under `directory` with a hash of its bytes."""
    d = Path(directory)
    if not d.exists():
        return None
    return {str(p.relative_to(d)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(d.rglob("*")) if p.is_file()}


def partials(directory):
    return sorted(p.name for p in Path(directory).rglob("*") if ".partial" in p.name)


def one_clear_error(rc, text, path_part):
    """A failure: exit code 1 or 2 (never a signal), a `hemotwin: error` line naming the path."""
    check(rc in (1, 2), f"exit code {rc}, expected a clean failure (1 or 2)\n{text}")
    lines = [l for l in text.splitlines() if "error" in l.lower()]
    check(lines and any(path_part in l for l in lines), f"no error line naming {path_part}:\n{text}")
    return lines[0]


class Tmpfs:
    """A tmpfs of `size` bytes mounted at `path` for the test's lifetime."""

    def __init__(self, path, size):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        p = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise Skipped(f"cannot mount a tmpfs (needs root): {p.stderr.strip()}")

    def remount(self, option):
        subprocess.run(["mount", "-o", f"remount,{option}", str(self.path)], check=True)

    def free(self):
        st = os.statvfs(self.path)
        return st.f_bavail * st.f_frsize

    def fill(self, leave):
        """A file taking all free space but `leave` bytes."""
        filler = self.path / "filler"
        with open(filler, "wb") as f:
            f.write(b"\0" * max(0, self.free() - leave))
        return filler

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        subprocess.run(["umount", "-l", str(self.path)], capture_output=True)


def readable_run(directory):
    """Checks a committed results directory: summary.json parses, every HDF5 file opens and its
    datasets read, the XDMF names its file. Returns the summary."""
    d = Path(directory)
    summary = json.loads((d / "summary.json").read_text())
    for h5 in d.glob("*.h5"):
        with h5py.File(h5, "r") as f:
            f.visititems(lambda name, obj: obj[()] if isinstance(obj, h5py.Dataset) else None)
    check("results.h5" in (d / "results.xdmf").read_text(), f"{d}/results.xdmf names no results")
    return summary


def run_until_file(args, cwd, path, sig, timeout=120):
    """Starts a run, sends `sig` once `path` exists; returns (exit code, output)."""
    p = subprocess.Popen([HEMOTWIN, *args], cwd=cwd, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, env=env())
    deadline = time.time() + timeout
    while not Path(path).exists() and p.poll() is None and time.time() < deadline:
        time.sleep(0.01)
    p.send_signal(sig)
    out, _ = p.communicate(timeout=timeout)
    return p.returncode, out


@test
def full_disk(tmp):
    """A run, then a checkpoint, then the disk filled: the next run and the resume fail with the
    file and 'No space left on device'; the earlier results and the checkpoint stay byte for byte
    as they were, and the resume succeeds once there is room."""
    with Tmpfs(Path(tmp) / "disk", 8 << 20) as disk:
        out = disk.path / "out"
        rc, text = run([*tiny("time.duration_s=0.01"), "--output", str(out)], tmp)
        check(rc == 0, f"first run: exit code {rc}\n{text}")
        before = digest(out)
        filler = disk.fill(leave=4096)
        rc, text = run([*tiny("time.duration_s=0.012"), "--output", str(out)], tmp)
        line = one_clear_error(rc, text, str(disk.path))
        check("No space left on device" in text, f"the error does not say the disk is full:\n{text}")
        check(digest(out) == before, "the earlier results changed")
        check(not partials(disk.path), f"left behind: {partials(disk.path)}")
        print(f"full disk, results: {line}")
        filler.unlink()

        ck = disk.path / "ck"
        base = tiny("time.duration_s=0.02", "output.checkpoint_interval_s=0.004")
        rc, text = run_until_file([*base, "--output", str(ck)], tmp,
                                  Path(f"{ck}.checkpoint") / "checkpoint.h5", signal.SIGTERM)
        check(rc == 75, f"SIGTERM: exit code {rc}, expected 75\n{text}")
        checkpoint = digest(f"{ck}.checkpoint")
        filler = disk.fill(leave=4096)
        resume = [*base, "--output", str(ck), "--resume", f"{ck}.checkpoint"]
        rc, text = run(resume, tmp)
        line = one_clear_error(rc, text, str(disk.path))
        check(digest(f"{ck}.checkpoint") == checkpoint, "the checkpoint changed on a full disk")
        check(not ck.exists(), "results committed from a failed run")
        check(not partials(disk.path), f"left behind: {partials(disk.path)}")
        print(f"full disk, resume: {line}")
        filler.unlink()
        rc, text = run(resume, tmp)
        check(rc == 0, f"resume with room again: exit code {rc}\n{text}")
        readable_run(ck)


@test
def read_only(tmp):
    """The file system holding the results turned read-only: a clear error naming the directory,
    the earlier results intact."""
    with Tmpfs(Path(tmp) / "disk", 8 << 20) as disk:
        out = disk.path / "out"
        rc, text = run([*tiny("time.duration_s=0.01"), "--output", str(out)], tmp)
        check(rc == 0, f"first run: exit code {rc}\n{text}")
        before = digest(out)
        disk.remount("ro")
        rc, text = run([*tiny("time.duration_s=0.012"), "--output", str(out)], tmp)
        line = one_clear_error(rc, text, str(disk.path))
        check("Read-only file system" in text, f"the error does not say read-only:\n{text}")
        check(digest(out) == before, "the earlier results changed")
        disk.remount("rw")
        check(not partials(disk.path), f"left behind: {partials(disk.path)}")
        print(f"read-only: {line}")


@test
def vanished(tmp):
    """The output's parent folder deleted while the run goes on: a clear error, no crash, and
    nothing under the final name."""
    parent = Path(tmp) / "project"
    out = parent / "out"
    parent.mkdir()
    p = subprocess.Popen([HEMOTWIN, *tiny("time.duration_s=2", "output.check_every=20"),
                          "--output", str(out)], cwd=tmp, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, env=env())
    deadline = time.time() + 60
    while not any(parent.glob("out.partial-*")) and time.time() < deadline:
        time.sleep(0.01)
    check(any(parent.glob("out.partial-*")), "the run never staged its output")
    time.sleep(0.2)
    # The run may create files while the tree is deleted: delete until it is gone.
    while parent.exists():
        shutil.rmtree(parent, ignore_errors=True)
    text, _ = p.communicate(timeout=300)
    line = one_clear_error(p.returncode, text, str(parent))
    check(not out.exists(), f"{out} appeared after its folder was deleted")
    print(f"vanished: {line}")


@test
def random_kills(tmp):
    """SIGKILL at random moments of a run that checkpoints every 2 ms of simulated time; after each
    kill the next run resumes from the checkpoint left (or starts afresh without one). Every
    checkpoint and results directory seen must read, and the run finished through all the kills
    must write the uninterrupted run's iolet series to the last digit."""
    t = Path(tmp)
    base = tiny("time.duration_s=0.03", "output.checkpoint_interval_s=0.002",
                "output.check_every=10")
    rc, text = run([*base, "--output", "whole"], tmp)
    check(rc == 0, f"uninterrupted run: exit code {rc}\n{text}")
    start = time.time()
    rc, text = run([*base, "--output", "timing"], tmp)
    duration = time.time() - start
    rng = random.Random(19)
    kills = int(os.environ.get("HEMOTWIN_FAULT_KILLS", "40"))
    outcomes = {"killed": 0, "finished": 0, "resumed": 0}
    ck = t / "parts.checkpoint"
    for k in range(kills):
        args = [*base, "--output", "parts"]
        if (ck / "checkpoint.h5").exists():
            args += ["--resume", str(ck)]
            outcomes["resumed"] += 1
        p = subprocess.Popen([HEMOTWIN, *args], cwd=tmp, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, env=env())
        try:
            p.wait(timeout=rng.uniform(0.05, 1.1) * duration)
        except subprocess.TimeoutExpired:
            p.kill()
        p.communicate()
        outcomes["killed" if p.returncode == -signal.SIGKILL else "finished"] += 1
        check(p.returncode in (0, -signal.SIGKILL), f"kill {k}: exit code {p.returncode}")
        # Whatever stands under a final name reads.
        if (t / "parts").exists():
            readable_run(t / "parts")
        if (ck / "checkpoint.h5").exists():
            with h5py.File(ck / "checkpoint.h5", "r") as f:
                f.visititems(lambda n, o: o[()] if isinstance(o, h5py.Dataset) else None)
        stray = [n for n in partials(t) if not n.startswith(".") and "partial-" in n]
        check(len(stray) <= 1, f"kill {k}: staging directories pile up: {stray}")
    rc, text = run([*base, "--output", "parts"] +
                   (["--resume", str(ck)] if (ck / "checkpoint.h5").exists() else []), tmp)
    check(rc == 0, f"the last run: exit code {rc}\n{text}")
    whole = (t / "whole" / "iolets.csv").read_text()
    parts = (t / "parts" / "iolets.csv").read_text()
    check(whole == parts, "the run finished through the kills differs from the uninterrupted one")
    print(f"{kills} runs of {duration:.2f} s each stopped at a random moment: "
          f"{outcomes['killed']} killed, {outcomes['finished']} finished first, "
          f"{outcomes['resumed']} resumed from a checkpoint; the series identical")


def main():
    global HEMOTWIN, CASES
    ap = argparse.ArgumentParser()
    ap.add_argument("--hemotwin", required=True)
    ap.add_argument("--cases", required=True)
    ap.add_argument("tests", nargs="+")
    a = ap.parse_args()
    HEMOTWIN, CASES = os.path.abspath(a.hemotwin), Path(a.cases).resolve()
    return run_tests(TESTS, a.tests, "hemotwin_faults")


if __name__ == "__main__":
    sys.exit(main())
