"""A workshop room measured through the real server: simulated phones speak Streamlit's own
websocket protocol to `streamlit run app.py`, as the browser client does.

Each phone opens `/_stcore/stream` (subprotocol "streamlit"), sends a `BackMsg.rerun_script`
with the page and its `?code=…&p=…` link, reads the `ForwardMsg`s the server sends back
(elements, `auto_rerun` timers of fragments, `script_finished`), answers each `auto_rerun`
with a fragment rerun at its interval, and taps a button by sending the button's widget id
with a trigger value, as the browser does. So the server does exactly the work a browser's
session costs it, without a browser's own CPU; one asyncio loop holds hundreds of phones.

Measured, against `BUDGETS`: the server's CPU while N phones (and the shared screen) sit
idle for 30 s (`/proc/PID/stat` utime + stime), its memory per session, a join burst
(N phones join through the page at once), a vote reaching the shared screen, and the next
question reaching every phone. Only 127.0.0.1 is ever contacted, and every wait is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bench.commands import run_cli
from bench.measure import Budget
from bench.ui.server import free_port, healthy, process_cpu_seconds, stop_process

if TYPE_CHECKING:
    from diagnostics.workshop import Facilitator

REPO_ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # the benchmark never talks to another machine
IDLE_SECONDS = 30.0
STEP_TIMEOUT_S = 60.0


BUDGETS = (
    Budget("idle_cpu_per_phone_pct", "idle CPU per phone ≤ 0.5% of a core", 0.5, "%"),
    Budget("vote_to_screen_p95_s", "a vote on the shared screen ≤ 2 s (p95)", 2.0, "s"),
    Budget("next_question_p95_s", "the next question on every phone ≤ 3 s (p95)", 3.0, "s"),
)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(values: Iterable[float]) -> dict[str, float | None]:
    values = list(values)
    if not values:
        return {"median_s": None, "p95_s": None, "max_s": None, "n": 0}
    return {
        "median_s": round(statistics.median(values), 3),
        "p95_s": round(_percentile(values, 0.95), 3),
        "max_s": round(max(values), 3),
        "n": len(values),
    }


# Servers -----------------------------------------------------------------------------


def process_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class AppProcess:
    url: str
    pid: int
    process: subprocess.Popen | None = None

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://", 1) + "/_stcore/stream"


def start_app(database_url: str, log_path: Path) -> AppProcess:
    """`streamlit run app.py` on a free port of 127.0.0.1, production-like settings."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("STREAMLIT_SERVER_PORT", None)
    command = [sys.executable, "-m", "streamlit", "run", "app.py"]
    command += ["--server.port", str(port), "--server.address", HOST]
    command += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
    command += ["--server.fileWatcherType", "none", "--server.runOnSave", "false"]
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    app = AppProcess(f"http://{HOST}:{port}", process.pid, process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app server exited: {log_path.read_text()[-2000:]}")
        if healthy(app.url):
            return app
        time.sleep(0.2)
    stop_app(app)
    raise RuntimeError("the app server did not answer its health check within 60 s")


def stop_app(app: AppProcess) -> None:
    stop_process(app.process, timeout_s=15)


# One browser session over the websocket ----------------------------------------------


@dataclass
class Client:
    """One browser tab of the app, as the server sees it."""

    app: AppProcess
    page: str
    query: str
    name: str = ""
    # What the page shows, by position (delta path) as the browser keeps it: fragment, text,
    # button key and widget id.
    elements: dict[tuple, tuple[str, str, str, str]] = field(default_factory=dict)
    page_hash: str = ""
    running: bool = False
    runs: int = 0
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._socket = None
        self._reader: asyncio.Task | None = None
        self._timers: dict[str, asyncio.Task] = {}
        self._changed = asyncio.Event()
        self._finished = asyncio.Event()
        self._touched: set[tuple] = set()

    async def open(self) -> None:
        import websockets

        self._socket = await asyncio.wait_for(
            websockets.connect(
                self.app.ws_url,
                subprotocols=["streamlit"],
                max_size=None,
                ping_interval=None,
                compression=None,
            ),
            STEP_TIMEOUT_S,
        )
        self._reader = asyncio.create_task(self._read())
        await self.rerun()

    async def close(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        if self._socket is not None:
            with contextlib.suppress(Exception):
                await self._socket.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(BaseException):
                await self._reader

    async def rerun(
        self,
        *,
        fragment_id: str = "",
        auto: bool = False,
        triggers: Iterable[str] = (),
    ) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.page_name = "" if self.page_hash else self.page
        state.page_script_hash = self.page_hash
        state.fragment_id = fragment_id
        state.is_auto_rerun = auto
        for widget_id in triggers:
            widget = state.widget_states.widgets.add()
            widget.id = widget_id
            widget.trigger_value = True
        self._finished.clear()
        self.running = True
        await self._socket.send(msg.SerializeToString())

    async def tap(self, key: str) -> None:
        """Tap the button whose key is `key`, as the browser sends it."""
        widget_id, fragment_id = self.buttons[key]
        await self.rerun(fragment_id=fragment_id, triggers=[widget_id])

    async def wait(self, predicate: Callable[[Client], bool], timeout: float) -> float:
        """The moment (time.perf_counter) `predicate(self)` holds, checked after every message."""
        deadline = time.perf_counter() + timeout
        while not predicate(self):
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                shown = self.text().replace("\n", " / ")[-600:]
                raise TimeoutError(
                    f"{self.name or self.page}: not met in {timeout} s; shows: {shown}"
                )
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
        return time.perf_counter()

    async def settled(self, timeout: float = STEP_TIMEOUT_S) -> None:
        await asyncio.wait_for(self._finished.wait(), timeout)

    async def _read(self) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        async for data in self._socket:
            msg = ForwardMsg()
            msg.ParseFromString(data)
            kind = msg.WhichOneof("type")
            if os.environ.get("ROOM_TRACE"):
                print(self.name, kind, msg.script_finished if kind == "script_finished" else "")
            if kind == "new_session":
                self._touched = set()
            elif kind == "delta":
                self._delta(msg)
            elif kind == "auto_rerun":
                rerun = msg.auto_rerun
                if rerun.fragment_id not in self._timers:
                    self._timers[rerun.fragment_id] = asyncio.create_task(
                        self._tick(rerun.fragment_id, rerun.interval)
                    )
            elif kind == "stop_auto_rerun":
                for fragment_id in msg.stop_auto_rerun.fragment_ids:
                    timer = self._timers.pop(fragment_id, None)
                    if timer is not None:
                        timer.cancel()
            elif kind == "navigation":  # st.navigation names the page this session is on
                self.page_hash = msg.navigation.page_script_hash or self.page_hash
            elif kind == "page_info_changed":
                self.query = msg.page_info_changed.query_string
            elif kind == "script_finished":
                self._finish(msg.script_finished)
                self.running = False
                self.runs += 1
                self._finished.set()
            elif kind == "ref_hash":
                self.errors.append("a cached message was referenced; not supported")
            self._changed.set()

    def _delta(self, msg) -> None:
        path = tuple(msg.metadata.delta_path)
        self._touched.add(path)
        fragment = msg.delta.fragment_id
        if msg.delta.WhichOneof("type") != "new_element":
            self.elements[path] = (fragment, "", "", "")
            return
        element = msg.delta.new_element
        which = element.WhichOneof("type")
        text, key, widget_id = "", "", ""
        if which == "button":
            widget_id = element.button.id
            key = widget_id.rsplit("-", 1)[-1]
            text = element.button.label
        elif which == "markdown":
            text = element.markdown.body
        elif which == "alert":
            text = element.alert.body
        elif which == "metric":
            text = f"{element.metric.label}: {element.metric.body}"
        elif which == "exception":
            self.errors.append(element.exception.message)
        self.elements[path] = (fragment, text, key, widget_id)

    def _finish(self, status: int) -> None:
        """Drop what this run did not draw again, as the browser does once a run finishes."""
        full, fragment_run = 0, 3  # ScriptFinishedStatus values
        if status == full:
            stale = [p for p in self.elements if p not in self._touched]
        elif status == fragment_run:
            ran = {self.elements[p][0] for p in self._touched if p in self.elements}
            stale = [p for p, e in self.elements.items() if e[0] in ran and p not in self._touched]
        else:
            return
        for path in stale:
            del self.elements[path]

    @property
    def buttons(self) -> dict[str, tuple[str, str]]:
        return {e[2]: (e[3], e[0]) for e in self.elements.values() if e[2]}

    async def _tick(self, fragment_id: str, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            if not self.running:  # the browser skips a tick while a run is under way
                await self.rerun(fragment_id=fragment_id, auto=True)

    def text(self) -> str:
        return "\n".join(self.elements[p][1] for p in sorted(self.elements) if self.elements[p][1])


# The room ----------------------------------------------------------------------------


def _question_shown(qid: str) -> Callable[[Client], bool]:
    return lambda client: any(key.startswith(f"join_vote_{qid}_") for key in client.buttons)


def _answered(count: int, participants: int) -> Callable[[Client], bool]:
    pattern = re.compile(rf"\b{count} of {participants} answered")
    return lambda client: bool(pattern.search(client.text()))


async def _gather_bounded(coroutines: list, limit: int) -> list:
    gate = asyncio.Semaphore(limit)

    async def run(coroutine):
        async with gate:
            return await coroutine

    return await asyncio.gather(*(run(c) for c in coroutines), return_exceptions=True)


@dataclass
class Room:
    """The workshop under measurement, and every browser tab open on it."""

    apps: list[AppProcess]
    participants: int
    facilitator_token: str
    facilitator: Facilitator  # the handle that moves the room on to its next question
    code: str
    question_ids: list[str]
    phones: list[Client] = field(default_factory=list)
    screen: Client | None = None

    @property
    def clients(self) -> list[Client]:
        return [*self.phones, *([self.screen] if self.screen else [])]


@dataclass
class Usage:
    """The app processes' memory (MB) and CPU (s) at one moment, by process id."""

    rss_mb: dict[int, float]
    cpu_s: dict[int, float]

    @classmethod
    def now(cls, apps: list[AppProcess]) -> Usage:
        return cls(
            {a.pid: process_rss_mb(a.pid) for a in apps},
            {a.pid: process_cpu_seconds(a.pid) for a in apps},
        )

    def cpu_since(self, apps: list[AppProcess]) -> float:
        """CPU seconds the app processes used since this snapshot."""
        return sum(process_cpu_seconds(a.pid) - self.cpu_s[a.pid] for a in apps)


async def measure_room(
    apps: list[AppProcess],
    database_url: str,
    participants: int,
    *,
    idle_seconds: float = IDLE_SECONDS,
    votes_sampled: int = 20,
    questions_stepped: int = 3,
) -> dict:
    """One room of `participants` phones spread over `apps`; see the module docstring."""
    from diagnostics.framework.content import load_content
    from diagnostics.storage import store

    content = load_content()
    engine = store.make_engine(database_url)
    room = None
    try:
        room = _set_up(apps, engine, content, participants)
        before = Usage.now(apps)
        burst_s, join_times = await _join_burst(room)
        await _open_screen(room)
        joined, cpu_idle = await _idle(room, idle_seconds)
        vote_times, all_votes_s = await _vote_latency(room, votes_sampled)
        next_times = await _next_question(room, content, questions_stepped)
        sessions = participants + 1
        return {
            "participants": participants,
            "processes": len(apps),
            "idle_seconds": idle_seconds,
            "idle_cpu_pct_of_core": round(100 * cpu_idle / idle_seconds, 2),
            "idle_cpu_per_phone_pct": round(100 * cpu_idle / idle_seconds / sessions, 3),
            "memory_per_session_mb": round(
                sum(joined.rss_mb[p] - before.rss_mb[p] for p in joined.rss_mb) / sessions, 2
            ),
            "server_rss_mb": round(sum(joined.rss_mb.values()), 1),
            "join_burst_s": round(burst_s, 2),
            "join": summary(join_times),
            "vote_to_screen": summary(vote_times),
            "all_votes_on_screen_s": round(all_votes_s, 2),
            "next_question": summary(next_times),
            "server_cpu_s": round(before.cpu_since(apps), 1),
            "page_errors": [e for c in room.clients for e in c.errors][:5],
        }
    finally:
        if room is not None:
            await asyncio.gather(*(c.close() for c in room.clients), return_exceptions=True)
        engine.dispose()


def _set_up(apps: list[AppProcess], engine, content, participants: int) -> Room:
    """A new workshop paced one question at a time, with nobody in it yet."""
    from diagnostics import workshop as ws

    created = ws.create_workshop(
        engine, content, pilot_name=f"Room of {participants}", pacing="question"
    )
    return Room(
        apps,
        participants,
        created.facilitator_token,
        ws.facilitator(engine, created.facilitator_token),
        created.state.code,
        list(created.state.question_ids),
    )


async def _join_burst(room: Room) -> tuple[float, list[float]]:
    """Every phone opens the join link and taps Join at once: the whole burst's seconds and
    each phone's, from its tap to the first question on it."""
    first = room.question_ids[0]
    room.phones = [
        Client(room.apps[i % len(room.apps)], "join", f"code={room.code}", name=f"phone-{i}")
        for i in range(room.participants)
    ]

    async def join(phone: Client) -> float:
        await phone.open()
        await phone.wait(lambda c: "join_go" in c.buttons, STEP_TIMEOUT_S)
        await phone.settled()
        began = time.perf_counter()
        await phone.tap("join_go")
        return await phone.wait(_question_shown(first), STEP_TIMEOUT_S) - began

    opened = time.perf_counter()
    outcomes = await _gather_bounded([join(p) for p in room.phones], limit=room.participants)
    burst_s = time.perf_counter() - opened
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    if failures:
        raise RuntimeError(
            f"{len(failures)} of {room.participants} phones failed to join: {failures[0]!r}"
        )
    return burst_s, [o for o in outcomes if isinstance(o, float)]


async def _open_screen(room: Room) -> None:
    """The facilitator's shared screen, open once it counts nobody as having answered."""
    room.screen = Client(
        room.apps[0], "present", f"facilitator={room.facilitator_token}", name="screen"
    )
    await room.screen.open()
    await room.screen.wait(_answered(0, room.participants), STEP_TIMEOUT_S)


async def _idle(room: Room, idle_seconds: float) -> tuple[Usage, float]:
    """Nobody acts: the processes' usage once everyone has joined, and the CPU seconds they
    then spend over `idle_seconds`."""
    await asyncio.sleep(3)
    joined = Usage.now(room.apps)
    await asyncio.sleep(idle_seconds)
    return joined, joined.cpu_since(room.apps)


async def _vote_latency(room: Room, votes_sampled: int) -> tuple[list[float], float]:
    """Sampled phones vote one at a time, each timed until the shared screen counts it; then
    the rest vote at once, timed until the screen counts every vote."""
    first, participants = room.question_ids[0], room.participants
    vote_times = []
    sampled = room.phones[: min(votes_sampled, participants)]
    for n, phone in enumerate(sampled, 1):
        began = time.perf_counter()
        await phone.tap(f"join_vote_{first}_{('yes', 'no', 'partly')[n % 3]}")
        vote_times.append(
            await room.screen.wait(_answered(n, participants), STEP_TIMEOUT_S) - began
        )
        await asyncio.sleep(0.3)
    began = time.perf_counter()
    rest = room.phones[len(sampled) :]
    await asyncio.gather(*(p.tap(f"join_vote_{first}_no") for p in rest))
    seen = await room.screen.wait(_answered(participants, participants), STEP_TIMEOUT_S)
    return vote_times, seen - began


async def _next_question(room: Room, content, questions_stepped: int) -> list[float]:
    """The facilitator moves on `questions_stepped` times: for each step and phone, the
    seconds until the phone shows the new question."""
    from diagnostics import workshop as ws

    next_times = []
    for step_no in range(1, questions_stepped + 1):
        await asyncio.sleep(2)
        target = room.question_ids[step_no]
        began = time.perf_counter()
        await asyncio.to_thread(ws.step, room.facilitator, content, +1)
        waits = await asyncio.gather(
            *(p.wait(_question_shown(target), STEP_TIMEOUT_S) for p in room.phones),
            return_exceptions=True,
        )
        missing = [w for w in waits if isinstance(w, BaseException)]
        if missing:
            raise RuntimeError(f"{len(missing)} phones never showed question {target}")
        next_times += [moment - began for moment in waits]
    return next_times


def check(row: dict) -> list[dict]:
    values = {
        "idle_cpu_per_phone_pct": row.get("idle_cpu_per_phone_pct"),
        "vote_to_screen_p95_s": (row.get("vote_to_screen") or {}).get("p95_s"),
        "next_question_p95_s": (row.get("next_question") or {}).get("p95_s"),
    }
    out = []
    for budget in BUDGETS:
        value = values[budget.key]
        status = "n/a" if value is None else "pass" if value <= budget.limit else "FAIL"
        out.append(
            {
                "key": budget.key,
                "budget": budget.text,
                "value": value,
                "unit": budget.unit,
                "status": status,
            }
        )
    return out


def fresh_sqlite(directory: Path) -> str:
    url = f"sqlite:///{directory / 'room.db'}"
    run_cli("init-db", url=url, check=True)
    return url


def run_sqlite_room(participants: int, idle_seconds: float = IDLE_SECONDS) -> dict:
    """One app process on a fresh SQLite file, as `make run` serves a room."""
    with tempfile.TemporaryDirectory(prefix="bench-room-") as tmp:
        directory = Path(tmp)
        url = fresh_sqlite(directory)
        app = start_app(url, directory / "app.log")
        try:
            row = asyncio.run(
                asyncio.wait_for(
                    measure_room([app], url, participants, idle_seconds=idle_seconds),
                    timeout=idle_seconds + 600,
                )
            )
        finally:
            stop_app(app)
    row["setup"] = "one app process, SQLite"
    row["budgets"] = check(row)
    return row


def run_team_room(participants: int, idle_seconds: float = IDLE_SECONDS) -> dict:
    """The two app processes of `make run-team` on PostgreSQL, phones split between them."""
    with tempfile.TemporaryDirectory(prefix="bench-team-") as tmp:
        ports = f"{free_port()} {free_port()}"
        env = {
            **os.environ,
            "POCTRAP_TEAM_DIR": tmp,
            "POCTRAP_PG_PORT": str(free_port()),
            "POCTRAP_APP_PORTS": ports,
            "POCTRAP_APP_ADDRESS": HOST,
        }
        script = REPO_ROOT / "scripts" / "run_team.sh"
        started = subprocess.run(
            ["bash", str(script), "start"], env=env, capture_output=True, text=True, timeout=180
        )
        if started.returncode != 0:
            raise RuntimeError(f"run-team did not start: {started.stderr[-1500:]}")
        try:
            pg_port = env["POCTRAP_PG_PORT"]
            url = f"postgresql+psycopg://postgres@{HOST}:{pg_port}/poctrap"
            apps = [
                AppProcess(f"http://{HOST}:{port}", int(Path(tmp, f"app-{port}.pid").read_text()))
                for port in ports.split()
            ]
            row = asyncio.run(
                asyncio.wait_for(
                    measure_room(apps, url, participants, idle_seconds=idle_seconds),
                    timeout=idle_seconds + 600,
                )
            )
        finally:
            subprocess.run(["bash", str(script), "stop"], env=env, capture_output=True, timeout=120)
    row["setup"] = "two app processes (make run-team), PostgreSQL"
    row["budgets"] = check(row)
    return row


def render(rows: list[dict]) -> str:
    head = (
        f"{'phones':>6} {'setup':<28} {'idle CPU':>9} {'per phone':>10} {'MB/sess':>8} "
        f"{'join burst':>11} {'vote→screen med/p95':>20} {'next→phones med/p95':>20}"
    )
    lines = [head, "-" * len(head)]
    for row in rows:
        if "participants" not in row:
            lines.append(f"{'':>6} {row.get('setup', ''):<28} {row.get('reason', 'failed')}")
            continue
        vote, nxt = row["vote_to_screen"], row["next_question"]
        lines.append(
            f"{row['participants']:>6} {row['setup'][:28]:<28} "
            f"{row['idle_cpu_pct_of_core']:>8.1f}% {row['idle_cpu_per_phone_pct']:>9.2f}% "
            f"{row['memory_per_session_mb']:>8.2f} {row['join_burst_s']:>10.1f}s "
            f"{vote['median_s']:>9.2f}/{vote['p95_s']:<5.2f}s     "
            f"{nxt['median_s']:>9.2f}/{nxt['p95_s']:<5.2f}s"
        )
    return "\n".join(lines)
