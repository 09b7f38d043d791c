"""`python -m diagnostics workshop ...`: open a workshop and join it from the command line,
for rehearsals and load tests.

`create` prints the join code, the join link and the private facilitator link; `join` joins
K participants with a code and prints their own tokens and links. A wrong or closed code is
bad input (exit 2) with the same message the join page shows. Same database as the app:
`DATABASE_URL`; links start with `--base-url`, else POCTRAP_PUBLIC_URL, else the address of
`make run` on this machine.
"""

from __future__ import annotations

import argparse
import os

from diagnostics.cli.common import EXIT_OK, _print_json, add_database_option, migrated_engine

PUBLIC_URL_ENV = "POCTRAP_PUBLIC_URL"
LOCAL_URL = "http://localhost:8501"


def _base(args: argparse.Namespace) -> str:
    return (args.base_url or os.environ.get(PUBLIC_URL_ENV) or LOCAL_URL).strip().rstrip("/")


def _cmd_create(args: argparse.Namespace) -> int:
    from diagnostics import workshop as ws
    from diagnostics.framework.content import load_content

    content = load_content(args.content)
    created = ws.create_workshop(
        migrated_engine(args),
        content,
        pilot_name=args.pilot,
        position=args.position,
        pacing=args.pacing,
        ask_names=args.ask_names,
        countdown_seconds=args.countdown,
    )
    base, state = _base(args), created.state
    data = {
        "workshop_id": state.id,
        "pilot": state.pilot_name,
        "code": state.code,
        "pacing": state.pacing,
        "position": state.position,
        "questions": len(state.question_ids),
        "countdown_seconds": state.countdown_seconds,
        "join_link": ws.join_link(base, state.code),
        "facilitator_link": ws.facilitator_link(base, created.facilitator_token),
        "shared_screen_link": ws.facilitator_link(base, created.facilitator_token, "present"),
        "facilitator_token": created.facilitator_token,
    }
    if args.json:
        _print_json(data)
        return EXIT_OK
    print(f"Workshop on {state.pilot_name}: code {state.code}, {data['questions']} questions.")
    print(f"Join link:         {data['join_link']}")
    print(f"Shared screen:     {data['shared_screen_link']}")
    print(f"Facilitator link:  {data['facilitator_link']}")
    print("Keep the facilitator link to yourself: whoever holds it controls the workshop.")
    return EXIT_OK


def _cmd_join(args: argparse.Namespace) -> int:
    from diagnostics import workshop as ws
    from diagnostics.errors import AnswerError

    if not 1 <= args.count <= 1000:
        raise AnswerError(f"--count {args.count}: join between 1 and 1000 participants at once.")
    engine, base = migrated_engine(args), _base(args)
    client = ws.client_key(f"cli:{os.getpid()}")
    joined = []
    for i in range(args.count):
        name = args.name if args.count == 1 or not args.name else f"{args.name} {i + 1}"
        person = ws.join_workshop(engine, args.code, client, display_name=name, role=args.role)
        link = f"{ws.join_link(base, ws.normalise_code(args.code))}&p={person.token}"
        joined.append(
            {"participant_id": person.participant_id, "token": person.token, "link": link}
        )
    if args.json:
        _print_json({"workshop_id": person.workshop_id, "participants": joined})
        return EXIT_OK
    print(f"Joined {len(joined)} participant{'s' if len(joined) != 1 else ''}.")
    for entry in joined:
        print(f"  {entry['link']}")
    return EXIT_OK


def register(sub) -> None:
    """Add `workshop create | join`."""
    from diagnostics import workshop as ws

    parser = sub.add_parser("workshop", help="open a workshop or join one (rehearsals, tests)")
    group = parser.add_subparsers(dest="workshop_command", required=True, metavar="ACTION")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--json", action="store_true", help="print the result as JSON")
        p.add_argument(
            "--base-url",
            help=f"the app's address for the links (default: {PUBLIC_URL_ENV} or {LOCAL_URL})",
        )
        add_database_option(p)

    p = group.add_parser("create", help="open a workshop on a new pilot; print code and links")
    p.add_argument("--pilot", required=True, metavar="NAME", help="the pilot the group assesses")
    p.add_argument(
        "--pacing",
        choices=list(ws.PACINGS),
        default="question",
        help="whole questionnaire, one reason or one question at a time (default: question)",
    )
    p.add_argument(
        "--position",
        default="decision_point",
        metavar="P",
        help="where the pilot stands, which decides the questions (default: decision_point)",
    )
    p.add_argument("--ask-names", action="store_true", help="ask participants for their names")
    p.add_argument(
        "--countdown",
        type=int,
        metavar="SECONDS",
        help="time each question gets once opened, shown on the shared screen; votes close at "
        "zero (5 to 3600; default: no countdown). The console starts the first clock",
    )
    common(p)
    p.set_defaults(func=_cmd_create)

    p = group.add_parser("join", help="join K participants with a code; print their links")
    p.add_argument("code", help="the join code shown on the shared screen")
    p.add_argument("--name", metavar="N", help="display name (numbered when --count > 1)")
    p.add_argument(
        "--role", choices=list(ws.ROLES), metavar="R", help=f"role: {', '.join(ws.ROLES)}"
    )
    p.add_argument("--count", type=int, default=1, metavar="K", help="how many (default: 1)")
    common(p)
    p.set_defaults(func=_cmd_join)
