"""Run every measurement on the same files, print the table, write the JSON, check budgets."""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench import machine, measure, room
from bench.files import CACHE_DIR, portfolio_files
from bench.measure import Budget, NotAvailable

SIZES = (1_000, 10_000, 100_000)
KINDS = ("xlsx", "csv")
REPEATS = {1_000: 5, 10_000: 3, 100_000: 2}
DASHBOARD_SIZE = 10_000
WORKSHOP_PARTICIPANTS = 40
# Rooms through the real server: (phones, setup); "sqlite" is one app process as `make run`
# serves it, "team" the two processes of `make run-team` on PostgreSQL.
ROOMS = ((40, "sqlite"), (100, "sqlite"), (200, "team"))
RESULTS_PATH = Path(__file__).resolve().parent / "results.json"
ROOM_RESULTS_PATH = Path(__file__).resolve().parent / "room-results.json"
PROFILE_DIR = CACHE_DIR.parent / "bench-profile"


BUDGETS = (
    Budget("import_ratio", "full import ≤ 2× bare parse (xlsx, 100,000 rows)", 2.0, "×"),
    Budget("aggregates_cost", "aggregates + cost ≤ 1 s (100,000 rows)", 1.0, "s"),
    Budget("dashboard_rerun", "dashboard rerun ≤ 300 ms (10,000 rows, warm cache)", 0.3, "s"),
    Budget("vote_visible", "a vote visible to the presenter ≤ 2 s (40 participants)", 2.0, "s"),
    Budget("peak_memory", "peak memory of the import ≤ 500 MB (100,000 rows)", 500.0, "MB"),
)


def _attempt(what: str, fn: Callable[[], object]) -> object:
    """The measurement's result, or a dict saying why there is none (never an exception)."""
    try:
        return fn()
    except (NotAvailable, NotImplementedError) as exc:
        exc = exc if str(exc) else NotAvailable("not implemented yet")
        print(f"  {what}: not available ({exc})")
        return {"status": "not available", "reason": str(exc)}
    except Exception as exc:  # a broken piece must not hide the other measurements
        print(f"  {what}: ERROR {type(exc).__name__}: {exc}")
        traceback.print_exc(limit=3)
        return {"status": "error", "reason": f"{type(exc).__name__}: {exc}"}


def _failed(result: object) -> bool:
    return isinstance(result, dict) and result.get("status") in ("not available", "error")


def _measure_size(size: int, seed: int, repeats: int, tmp: Path, profile: bool) -> dict:
    files = portfolio_files(size, seed)
    out: dict[str, object] = {"rows": size}
    frame = None
    for kind in KINDS:
        path = files.path(kind)
        print(f"{size:>7,} {kind}: {path.stat().st_size / 1e6:.1f} MB")
        row: dict[str, object] = {"file_mb": round(path.stat().st_size / 1e6, 2)}
        floor = measure.repeat(lambda p=path: measure.bare_parse(p), repeats)
        row["bare_parse_s"] = round(floor.median, 3)
        row["bare_parse_cpu_s"] = round(floor.cpu_median, 3)

        def imports(path=path, kind=kind, floor=floor):
            runs = []
            for i in range(repeats):
                url = measure.fresh_database(tmp, f"import-{size}-{kind}-{i}")
                run, imported = measure.full_import(path, url)
                runs.append(run)
            median = sorted(runs, key=lambda r: r.total.wall_s)[len(runs) // 2]
            cpu = sorted(runs, key=lambda r: r.total.cpu_s)[len(runs) // 2]
            return {
                "import_s": round(median.read.wall_s, 3),
                "save_s": round(median.save.wall_s, 3),
                "full_import_s": round(median.total.wall_s, 3),
                "import_cpu_s": round(cpu.read.cpu_s, 3),
                "save_cpu_s": round(cpu.save.cpu_s, 3),
                "full_import_cpu_s": round(cpu.total.cpu_s, 3),
                "rows_imported": median.rows,
                "ratio_to_floor": round(median.total.wall_s / floor.median, 2),
                "ratio_to_floor_cpu": round(cpu.total.cpu_s / floor.cpu_median, 2),
                "database": url,
            }, imported

        result = _attempt("full import", imports)
        if _failed(result):
            row["full_import"] = result
        else:
            data, imported = result
            row.update(data)
            if kind == "xlsx":
                frame = imported.frame
            if profile and size == max(SIZES):
                _profile_import(path)
        out[kind] = row
    if frame is not None:
        run = _attempt("aggregates + cost", lambda: measure.aggregates_and_cost(frame))
        if _failed(run):
            out["aggregates_cost_s"] = run
        else:
            timing = measure.repeat(run, repeats)
            out["aggregates_cost_s"] = round(timing.median, 3)
            out["aggregates_cost_cpu_s"] = round(timing.cpu_median, 3)
    else:
        out["aggregates_cost_s"] = {"status": "not available", "reason": "no imported frame"}
    return out


def _profile_import(path: Path) -> None:
    """pyinstrument's HTML report of one import, for whoever needs to make it faster."""
    try:
        from pyinstrument import Profiler
    except ModuleNotFoundError:
        print("  profile: pyinstrument is not installed (requirements-dev.txt)")
        return
    from diagnostics.portfolio.importer import import_portfolio

    PROFILE_DIR.mkdir(parents=True, exist_ok=True)
    profiler = Profiler(interval=0.005)
    profiler.start()
    import_portfolio(path, path.name)
    profiler.stop()
    target = PROFILE_DIR / f"import-{path.stem}{path.suffix.replace('.', '-')}.html"
    target.write_text(profiler.output_html(), encoding="utf-8")
    print(f"  profile: {target}")
    print(profiler.output_text(unicode=True, color=False, show_all=False)[:6000])


def timing_basis(machine_info: dict) -> str:
    """ "wall" when the machine was quiet (1-minute load at most its cores at the start and
    the end), else "cpu": the benchmark process's own CPU seconds, which other work on a
    shared machine does not inflate. Concurrency (the workshop round) is always wall clock."""
    cores = machine_info.get("usable_cores") or 1
    loads = [
        load[0]
        for load in (
            machine_info.get("load_average_at_start"),
            machine_info.get("load_average_at_end"),
        )
        if load
    ]
    return "wall" if loads and max(loads) <= cores else "cpu"


def _value(results: dict, key: str) -> float | None:
    """The figure a budget is checked against, or None when it was not measured."""
    sizes = results["sizes"]
    largest = sizes.get(str(max(SIZES)), {})
    cpu = "_cpu" if results.get("timing_basis") == "cpu" else ""
    if key == "import_ratio":
        value = largest.get("xlsx", {}).get(f"ratio_to_floor{cpu}")
    elif key == "aggregates_cost":
        value = largest.get(f"aggregates_cost{cpu}_s")
    elif key == "dashboard_rerun":
        value = results.get("dashboard", {}).get(f"warm_rerun{cpu}_s")
    elif key == "vote_visible":
        value = results.get("workshop", {}).get("vote_visible_s")
    else:
        value = results.get("memory", {}).get("peak_mb")
    return value if isinstance(value, int | float) else None


def check_budgets(results: dict) -> list[dict]:
    checked = []
    for budget in BUDGETS:
        value = _value(results, budget.key)
        passed = value is not None and value <= budget.limit
        status = "not available" if value is None else "pass" if passed else "FAIL"
        checked.append(
            {
                "key": budget.key,
                "budget": budget.text,
                "limit": budget.limit,
                "value": value,
                "unit": budget.unit,
                "status": status,
            }
        )
    return checked


def _fmt(value: object, unit: str = "s") -> str:
    if isinstance(value, int | float):
        return f"{value:.3f}" if unit == "s" else f"{value:.2f}"
    if isinstance(value, dict):
        return "n/a"
    return "-"


def _why_missing(result: dict) -> str:
    """Why a measurement has no figures, in brackets after its line; nothing when it has."""
    return f" ({result['reason']})" if "reason" in result else ""


def render_table(results: dict) -> str:
    head = (
        f"{'rows':>8} {'file':<5} {'MB':>6} {'bare parse':>12} {'import':>14} "
        f"{'save':>14} {'full import':>14} {'× floor':>11} {'aggr + cost':>14}"
    )
    lines = [
        "seconds as wall (cpu); × floor as wall (cpu)",
        head,
        "-" * len(head),
    ]

    def pair(row: dict, key: str, unit: str = "s") -> str:
        wall = row.get(f"{key}_s" if unit == "s" else key)
        cpu = row.get(f"{key}_cpu_s" if unit == "s" else f"{key}_cpu")
        if not isinstance(wall, int | float):
            return "n/a"
        digits = 2 if unit == "s" and wall < 100 else 1
        return f"{wall:.{digits}f} ({cpu:.{digits}f})" if isinstance(cpu, int | float) else "-"

    for size_key, size in results["sizes"].items():
        for kind in KINDS:
            row = size.get(kind, {})
            aggregates = pair(size, "aggregates_cost") if kind == "xlsx" else ""
            lines.append(
                f"{int(size_key):>8,} {kind:<5} {_fmt(row.get('file_mb'), 'x'):>6} "
                f"{pair(row, 'bare_parse'):>12} {pair(row, 'import'):>14} "
                f"{pair(row, 'save'):>14} {pair(row, 'full_import'):>14} "
                f"{pair(row, 'ratio_to_floor', 'x'):>11} {aggregates:>14}"
            )
    dash = results.get("dashboard", {})
    lines.append("")
    lines.append(
        f"dashboard (AppTest, {DASHBOARD_SIZE:,} pilots): first run "
        f"{_fmt(dash.get('first_run_s'))} s, warm rerun {_fmt(dash.get('warm_rerun_s'))} s "
        f"(cpu {_fmt(dash.get('warm_rerun_cpu_s'))} s)" + _why_missing(dash)
    )
    ws = results.get("workshop", {})
    lines.append(
        f"workshop ({WORKSHOP_PARTICIPANTS} participants, burst): "
        f"{ws.get('votes', '-')} votes in {_fmt(ws.get('round_s'))} s, all visible after "
        f"{_fmt(ws.get('all_votes_visible_s'))} s; a vote visible after: median "
        f"{_fmt(ws.get('vote_visible_median_s'))} s, p95 {_fmt(ws.get('vote_visible_p95_s'))} s, "
        f"slowest {_fmt(ws.get('vote_visible_s'))} s" + _why_missing(ws)
    )
    paced = results.get("workshop_paced", {})
    lines.append(
        f"workshop ({WORKSHOP_PARTICIPANTS} participants, paced: the room taps one question at "
        f"once): all {WORKSHOP_PARTICIPANTS} votes visible after median "
        f"{_fmt(paced.get('room_visible_median_s'))} s, slowest question "
        f"{_fmt(paced.get('room_visible_max_s'))} s" + _why_missing(paced)
    )
    mem = results.get("memory", {})
    lines.append(
        f"peak memory (VmHWM of a child process, {max(SIZES):,} rows xlsx, import + save): "
        f"{_fmt(mem.get('peak_mb'), 'x')} MB (libraries alone {_fmt(mem.get('baseline_mb'), 'x')}"
        " MB)" + _why_missing(mem)
    )
    rooms = results.get("rooms")
    if rooms:
        lines.append("")
        lines.append("workshop rooms through the real server (simulated phones on the websocket):")
        lines.append(room.render(rooms))
    m = results.get("machine", {})
    lines.append(
        f"load average (1/5/15 min) at start {m.get('load_average_at_start')}, "
        f"at end {m.get('load_average_at_end')} on {m.get('usable_cores')} cores"
    )
    lines.append("")
    lines.append(f"Budgets (timings on the {results.get('timing_basis', 'wall')} clock):")
    for b in results["budgets"]:
        value = "-" if b["value"] is None else f"{b['value']:.3g} {b['unit']}"
        lines.append(f"  [{b['status']:^13}] {b['budget']}: {value}")
    for row in rooms or []:
        for b in row.get("budgets", []):
            value = "-" if b["value"] is None else f"{b['value']:.3g} {b['unit']}"
            where = f"{row.get('participants', '?')} phones, {row.get('setup', '')}"
            lines.append(f"  [{b['status']:^13}] {b['budget']} ({where}): {value}")
    return "\n".join(lines)


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--sizes",
        default=",".join(str(s) for s in SIZES),
        help="comma-separated portfolio sizes (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, help="runs per timing (default: 5 / 3 / 2)")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory probe")
    parser.add_argument("--profile", action="store_true", help="pyinstrument the largest import")
    parser.add_argument("--output", type=Path, default=RESULTS_PATH)
    parser.add_argument(
        "--rooms",
        default=",".join(f"{n}:{setup}" for n, setup in ROOMS),
        help="workshop rooms as phones:sqlite|team, comma-separated; empty to skip "
        "(default: %(default)s)",
    )
    parser.add_argument("--rooms-only", action="store_true", help="measure only the workshop rooms")
    parser.add_argument(
        "--idle-seconds", type=float, default=room.IDLE_SECONDS, help="idle window per room"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    described = machine.describe()
    print(f"Machine: {machine.one_line(described)}; load {described['load_average_at_start']}")
    started = time.perf_counter()
    results: dict[str, object] = {
        "machine": described,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seed": args.seed,
        "sizes": {},
    }
    if args.rooms_only:
        sizes = []
        if args.output == RESULTS_PATH:
            args.output = ROOM_RESULTS_PATH
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp_name:
        tmp = Path(tmp_name)
        for size in sizes:
            repeats = args.repeats or REPEATS.get(size, 2)
            results["sizes"][str(size)] = _measure_size(size, args.seed, repeats, tmp, args.profile)

        if args.rooms_only:
            results["rooms"] = _rooms(args.rooms, args.idle_seconds)
            return _finish(results, described, started, args)
        dashboard_db = results["sizes"].get(str(DASHBOARD_SIZE), {}).get("xlsx", {}).get("database")
        if dashboard_db:
            results["dashboard"] = _attempt(
                "dashboard", lambda: measure.dashboard_rerun(dashboard_db)
            )
        else:
            results["dashboard"] = {
                "status": "not available",
                "reason": f"no imported portfolio of {DASHBOARD_SIZE:,} pilots",
            }
        results["workshop"] = _attempt(
            "workshop",
            lambda: measure.workshop_round(
                measure.fresh_database(tmp, "workshop"), WORKSHOP_PARTICIPANTS
            ),
        )
        results["workshop_paced"] = _attempt(
            "workshop (paced)",
            lambda: measure.workshop_paced(
                measure.fresh_database(tmp, "workshop-paced"), WORKSHOP_PARTICIPANTS
            ),
        )
        if args.no_memory:
            results["memory"] = {"status": "not available", "reason": "skipped (--no-memory)"}
        else:

            def memory():
                probe = measure.peak_memory(portfolio_files(max(SIZES), args.seed).xlsx)
                return {
                    "method": "VmHWM of a child process (whole process, libraries included)",
                    "peak_mb": probe["peak_import_and_save_mb"],
                    **probe,
                }

            results["memory"] = _attempt("memory", memory)
        results["rooms"] = _rooms(args.rooms, args.idle_seconds)
    return _finish(results, described, started, args)


def _rooms(spec: str, idle_seconds: float) -> list[dict]:
    """Each room of `spec` ("40:sqlite,200:team"), measured one after the other."""
    rows = []
    for item in filter(None, (part.strip() for part in spec.split(","))):
        phones, _colon, setup = item.partition(":")
        run = room.run_team_room if setup == "team" else room.run_sqlite_room
        print(f"room: {phones} phones ({setup or 'sqlite'}), load {machine.load_average()}")
        row = _attempt(f"room of {phones}", lambda run=run, n=int(phones): run(n, idle_seconds))
        if _failed(row):
            row = {**row, "setup": f"{phones} phones, {setup}"}
        row["load_average"] = machine.load_average()
        rows.append(row)
    return rows


def _finish(results: dict, described: dict, started: float, args: argparse.Namespace) -> int:
    for size in results["sizes"].values():
        for kind in KINDS:
            size.get(kind, {}).pop("database", None)
    results["elapsed_s"] = round(time.perf_counter() - started, 1)
    described["load_average_at_end"] = machine.load_average()
    results["timing_basis"] = timing_basis(described)
    results["budgets"] = check_budgets(results)
    print()
    print(render_table(results))
    args.output.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nWritten {args.output} ({results['elapsed_s']} s).")
    failed = [b for b in results["budgets"] if b["status"] == "FAIL"]
    failed += [
        b for r in results.get("rooms", []) for b in r.get("budgets", []) if b["status"] == "FAIL"
    ]
    return 1 if failed else 0
