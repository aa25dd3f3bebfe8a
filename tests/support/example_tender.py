"""Bundled example data: a realistic filled tender, as plain data.

The README's first command scores the workbook built from this, and the end-to-end
tests use it, so a newcomer sees exactly what the tests check.
"""

from __future__ import annotations

from pathlib import Path

from sv_workbook.core.policy import DEFAULT_POLICY, Policy
from datetime import date

from sv_workbook.core.tender.model import Bidder, ConsensusMark, Criterion, Declaration, EvaluatorScore, Setup, Tender

EVALUATORS = ("A. Patel", "J. Okafor", "S. Lewis")


def example_tender() -> Tender:
    """Responsive repairs tender: four bids, three evaluators, one bid below a minimum score."""
    setup = Setup("PPHT-2026-014", "Responsive repairs and void works 2026-2030", 1_800_000.0, "Works", "Open",
                  40.0, 60.0, 5.0, "Moderated")
    criteria = (
        Criterion("Q1", "Technical approach to responsive repairs", 30.0, False, None, 2.0),
        Criterion("Q2", "Resourcing and mobilisation", 20.0, False),
        Criterion("Q3", "Resident engagement and customer care", 20.0, False),
        Criterion("Q4", "Health and safety management", 15.0, False, None, 3.0),
        Criterion("SV1", "Local jobs, apprenticeships and training for residents", 10.0, True, "Jobs & skills"),
        Criterion("SV2", "Carbon and waste reduction on site", 5.0, True, "Climate & waste"),
    )
    bidders = (
        Bidder("Moorland Property Services Ltd", 1_640_000.0, True, False),
        Bidder("Cheshire Building Maintenance Ltd", 1_525_500.0, True, False),
        Bidder("Northern Homes Repairs Group plc", 1_710_250.0, False, False),
        Bidder("Macclesfield Community Builders CIC", 1_498_000.0, True, True),
    )
    # marks[bidder][criterion] = (three evaluators' marks, consensus mark)
    marks = {
        "Moorland Property Services Ltd": {"Q1": ((4, 4, 3), 4), "Q2": ((4, 3, 4), 4), "Q3": ((3, 3, 4), 3),
                                           "Q4": ((4, 4, 4), 4), "SV1": ((4, 5, 4), 4), "SV2": ((3, 3, 3), 3)},
        "Cheshire Building Maintenance Ltd": {"Q1": ((3, 3, 4), 3), "Q2": ((3, 3, 3), 3), "Q3": ((4, 4, 4), 4),
                                              "Q4": ((4, 3, 4), 4), "SV1": ((3, 3, 2), 3), "SV2": ((4, 3, 4), 4)},
        "Northern Homes Repairs Group plc": {"Q1": ((5, 4, 4), 4), "Q2": ((4, 4, 5), 4), "Q3": ((4, 3, 4), 4),
                                             "Q4": ((5, 5, 4), 5), "SV1": ((2, 2, 3), 2), "SV2": ((3, 4, 3), 3)},
        "Macclesfield Community Builders CIC": {"Q1": ((3, 2, 3), 3), "Q2": ((2, 3, 3), 3), "Q3": ((4, 5, 4), 4),
                                                "Q4": ((2, 3, 2), 2), "SV1": ((5, 5, 5), 5), "SV2": ((4, 4, 5), 4)},
    }
    scores, consensus = [], []
    for bidder, by_crit in marks.items():
        for cid, (evaluator_marks, agreed) in by_crit.items():
            for evaluator, mark in zip(EVALUATORS, evaluator_marks):
                scores.append(EvaluatorScore(bidder, cid, evaluator, float(mark),
                                             f"{evaluator}: evidence in section {cid} of the response supports {mark}."))
            consensus.append(ConsensusMark(bidder, cid, float(agreed),
                                           f"Panel agreed {agreed}: the response to {cid} was weighed against the "
                                           "descriptors at moderation."))
    declarations = (
        Declaration("A. Patel", date(2026, 2, 2), False),
        Declaration("J. Okafor", date(2026, 2, 2), True,
                    "Worked for Northern Homes Repairs Group plc until 2019; no financial interest since.",
                    "Declared to the chair before scoring; the chair reviewed J. Okafor's marks for that bid at "
                    "moderation."),
        Declaration("S. Lewis", date(2026, 2, 3), False),
    )
    return Tender(setup, criteria, bidders, tuple(scores), tuple(consensus), EVALUATORS, declarations=declarations)


def write_example_tender(path: str | Path, policy: Policy = DEFAULT_POLICY) -> Path:
    from sv_workbook.xlsx.lite_buttons import BUTTONS, add_buttons
    from sv_workbook.xlsx.safe_write import atomic_save
    from sv_workbook.xlsx.tender_template import build_tender_template, print_layout
    from tests.support.fill import fill_tender

    wb = build_tender_template(policy)
    tender = example_tender()
    fill_tender(wb, tender)
    print_layout(wb, tender.setup.ref, len(tender.bidders), len(tender.criteria))  # print areas over the filled rows
    path = Path(path)
    atomic_save(wb, path, finish=lambda saved: add_buttons(saved, BUTTONS["tender"]))  # as the template has them
    return path

