"""Workshops: a group assesses one pilot together, from their own phones, on a shared screen.

The package's modules, one job each: `records` (the records and vocabularies), `access`
(codes, tokens, the join throttle, the facilitator handle), `pacing` (create and run),
`votes` (what a participant sees and answers, live counts), `results` (distributions, roles,
disagreement), `consensus` (agreed answers and actions, scored as an assessment), `exports`
(tables, workbook, HTML) and `figures` (charts). The names below are the public surface:
`from diagnostics import workshop as ws`, then `fac = ws.facilitator(engine, token)` once and
`ws.set_locked(fac, content, ...)`, `ws.workshop_results(fac, content)`...
"""

from diagnostics.workshop.access import (
    CODE_ALPHABET,
    CODE_ENTROPY_BITS,
    CODE_LENGTH,
    CODE_SPACE,
    TOKEN_ENTROPY_BITS,
    Facilitator,
    TooManyAttemptsError,
    client_key,
    facilitator,
    find_workshop,
    join_workshop,
    new_join_code,
    normalise_code,
    wait_after_failures,
)
from diagnostics.workshop.consensus import (
    consensus,
    consensus_defaults,
    consensus_result,
    save_consensus,
)
from diagnostics.workshop.exports import export_xlsx, report_html, results_frames
from diagnostics.workshop.pacing import (
    create_workshop,
    end_workshop,
    list_pilot_workshops,
    set_join_open,
    set_locked,
    set_pacing,
    set_revealed,
    step,
    workshop_state,
)
from diagnostics.workshop.records import (
    ANSWER_ORDER,
    MIN_ANSWERS_SHOWN,
    PACINGS,
    ROLES,
    WEAK_ANSWERS,
    AgreedAction,
    Consensus,
    JoinInfo,
    LiveStatus,
    NewWorkshop,
    ParticipantSession,
    ParticipantView,
    QuestionResult,
    WorkshopResults,
    WorkshopState,
)
from diagnostics.workshop.results import (
    disagreement_index,
    majority_answer,
    participants_frame,
    workshop_results,
)
from diagnostics.workshop.votes import cast_vote, live_status, participant_view

__all__ = [
    "ANSWER_ORDER",
    "CODE_ALPHABET",
    "CODE_ENTROPY_BITS",
    "CODE_LENGTH",
    "CODE_SPACE",
    "MIN_ANSWERS_SHOWN",
    "PACINGS",
    "ROLES",
    "TOKEN_ENTROPY_BITS",
    "WEAK_ANSWERS",
    "AgreedAction",
    "Consensus",
    "Facilitator",
    "JoinInfo",
    "LiveStatus",
    "NewWorkshop",
    "ParticipantSession",
    "ParticipantView",
    "QuestionResult",
    "TooManyAttemptsError",
    "WorkshopResults",
    "WorkshopState",
    "cast_vote",
    "client_key",
    "consensus",
    "consensus_defaults",
    "consensus_result",
    "create_workshop",
    "disagreement_index",
    "end_workshop",
    "export_xlsx",
    "facilitator",
    "find_workshop",
    "join_workshop",
    "list_pilot_workshops",
    "live_status",
    "majority_answer",
    "new_join_code",
    "normalise_code",
    "participant_view",
    "participants_frame",
    "report_html",
    "results_frames",
    "save_consensus",
    "set_join_open",
    "set_locked",
    "set_pacing",
    "set_revealed",
    "step",
    "wait_after_failures",
    "workshop_results",
    "workshop_state",
]
