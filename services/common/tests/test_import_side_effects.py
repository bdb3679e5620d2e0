"""Nothing under services/ rewrites the environment when imported (test support lives in tests/)."""

from __future__ import annotations

import subprocess
import sys

_SCRIPT = """
import os, pkgutil, importlib, services
before = dict(os.environ)
for info in pkgutil.walk_packages(services.__path__, "services."):
    if ".tests" in info.name or info.name.endswith("__main__"):
        continue
    importlib.import_module(info.name)
assert dict(os.environ) == before, sorted(set(os.environ.items()) ^ set(before.items()))
"""


def test_importing_every_service_module_leaves_the_environment_alone():
    done = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
