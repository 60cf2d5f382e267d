"""What the Python test drivers share (tests/cli/cli_tests.py, tests/io/faults.py): a registry
of scenarios, their failure and skip exceptions, and the loop that runs each in a fresh
temporary directory. CTest runs one scenario per process and reads exit code 77 as a skip."""
import tempfile

SKIP_CODE = 77  # CTest's SKIP_RETURN_CODE for these tests


class Failed(Exception):
    pass


class Skipped(Exception):
    pass


def check(cond, message):
    if not cond:
        raise Failed(message)


def registry():
    """A dict of scenarios and the decorator that adds a function to it by name."""
    tests = {}

    def test(fn):
        tests[fn.__name__] = fn
        return fn

    return tests, test


def run_tests(tests, names, prefix):
    """Runs each named scenario in a fresh temporary directory; prints PASS, FAIL or SKIP.
    Returns the exit code: 1 when one failed, SKIP_CODE when the only one skipped, else 0."""
    failed = 0
    for name in names:
        with tempfile.TemporaryDirectory(prefix=f"{prefix}_{name}_") as tmp:
            try:
                tests[name](tmp)
                print(f"PASS {name}")
            except Failed as e:
                failed += 1
                print(f"FAIL {name}: {e}")
            except Skipped as e:
                print(f"SKIP {name}: {e}")
                if len(names) == 1:
                    return SKIP_CODE
    return 1 if failed else 0
