"""Child process for the memory measurement: `python -m bench.memory FILE TMPDIR`.

Prints one JSON line: the peak resident set size after loading the libraries (the baseline),
after `import_portfolio`, and after `save_portfolio`, in MB. The peak is Linux's VmHWM (high
water mark of this process's own address space). `ru_maxrss` is not used: Linux carries it
over from the parent through fork and exec, so a child of a big benchmark process would
report the parent's size.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path


def _peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def main(path: str, tmp: str) -> None:
    from bench.measure import fresh_database
    from diagnostics.portfolio.importer import import_portfolio
    from diagnostics.storage import store
    from diagnostics.storage.portfolios import save_portfolio

    url = fresh_database(Path(tmp), "memory")
    engine = store.make_engine(url)
    baseline = _peak_mb()
    imported = import_portfolio(Path(path), Path(path).name)
    after_import = _peak_mb()
    save_portfolio(engine, imported, "memory probe")
    after_save = _peak_mb()
    print(
        json.dumps(
            {
                "baseline_mb": round(baseline, 1),
                "peak_import_mb": round(after_import, 1),
                "peak_import_and_save_mb": round(after_save, 1),
                "rows": len(imported.frame),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
