"""Score descriptors: what a mark means, as a share of the scale.

Bands are shares of ``ScoreScaleMax`` so one table serves a 0-5 and a 0-10 scale. The
template shows them beside every mark (via VLOOKUP on this table) and the debriefs quote
them, so both read the same words from here.
"""

from __future__ import annotations

#: (lowest share of the scale, label, meaning) in ascending order.
DESCRIPTORS: tuple[tuple[float, str, str], ...] = (
    (0.0, "Inadequate", "No response, or the response fails to address the requirement."),
    (0.2, "Poor", "Major gaps or weaknesses; little confidence the requirement will be met."),
    (0.4, "Less than satisfactory", "Some gaps or weaknesses; limited evidence."),
    (0.6, "Satisfactory", "Meets the requirement with adequate evidence."),
    (0.8, "Good", "Meets the requirement in full with good evidence and some added value."),
    (1.0, "Excellent", "Exceeds the requirement; comprehensive, well-evidenced and innovative."),
)


def descriptor(mark: float, scale_max: float) -> str:
    """The label for ``mark`` on a 0..``scale_max`` scale (the band it reaches)."""
    share = mark / scale_max
    label = DESCRIPTORS[0][1]
    for lowest, name, _ in DESCRIPTORS:
        if share >= lowest:
            label = name
    return label
