"""The small-number policy for reports shared outside the network: what is hidden, at which level, and why.

It follows the two pieces of guidance NHS health statistics in England are published under:

- Office for National Statistics. Review of the dissemination of health statistics: confidentiality
  guidance. London: ONS; 2006. The risk of identifying someone depends on the size of the population a
  figure describes and on what else is known about it; small counts about small populations need protection,
  and a table must not let a hidden cell be worked out from the cells that are shown (secondary suppression).
- NHS Digital (now NHS England). Disclosure control methodology for Hospital Episode Statistics (HES) and
  Emergency Care Data Set (ECDS). Leeds: NHS Digital; 2018. Counts for the whole population need no
  disclosure control; below that, counts from 1 to 7 are shown as "*", the others may be rounded to the
  nearest 5, and a mean, median or rate over 1 to 7 people is not calculated.

Our settings, all environment-driven (config/settings.py), each a documented choice:

- `SMALL_NUMBER_THRESHOLD` (default 5): for birth units and cooling centres, counts from 1 to 4 are hidden
  (HES hides 1 to 7: set 8 to follow it exactly).
- `SMALL_NUMBER_NETWORK_THRESHOLD` (default 0): for the network, 0 means never hidden. The network is a
  population of about 70,000 births a year, where HES's rule for whole-population counts applies; set it to
  the unit threshold to protect network counts too.
- `SMALL_NUMBER_ROUNDING` (default 0): 0 shows counts exactly; 5 rounds counts below the network to the
  nearest 5 (the HES option).

Zero is never hidden ("no babies" discloses nobody). Rates, intervals and medians are worked out from the
exact counts and are hidden whenever a count they come from is hidden (`reporting.figures`).

How a hidden cell reads follows a third: Government Analysis Function (GSS). Using symbols and shorthand in
tables. 2022. Every hidden cell, whether hidden for being small, hidden so that a small one cannot be worked
out (it may hold any count), or a rate over a hidden count, shows the same shorthand "[c]" (confidential), in
square brackets, and every table holding one says what it means (`mark_note`), as do the spreadsheet's
definitions sheet and the CSV's own column. Not "<5", which would be false for a hidden 19, and not "*",
which the guidance drops as hard to see and for screen readers to announce.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from kpis.definitions.base import Level
from reporting.suppression import MARK

ONS_2006 = ("Office for National Statistics. Review of the dissemination of health statistics: confidentiality "
            "guidance. London: ONS; 2006.")
NHS_2018 = ("NHS Digital (now NHS England). Disclosure control methodology for Hospital Episode Statistics (HES) "
            "and Emergency Care Data Set (ECDS). Leeds: NHS Digital; 2018.")
GSS_SHORTHAND = "Government Analysis Function. Using symbols and shorthand in tables. London: GSS; 2022."


# Levels whose figures describe a whole network's population or more (a region holds several networks): the
# network threshold. A trust, LMNS or ICB is a few units, so its counts are small as a unit's are.
WHOLE_POPULATIONS = frozenset({Level.NETWORK.value, "region"})


@dataclass(frozen=True)
class Policy:
    unit_threshold: int
    network_threshold: int
    rounding: int

    def threshold(self, level: str) -> int:
        """Counts from 1 to threshold − 1 are hidden at this level (0 or 1: none are)."""
        return self.network_threshold if level in WHOLE_POPULATIONS else self.unit_threshold

    def hides(self, level: str, value: int | None) -> bool:
        return value is not None and 1 <= value < self.threshold(level)

    def rounded(self, level: str, value: int) -> int:
        if self.rounding <= 1 or level in WHOLE_POPULATIONS:
            return value
        return int(self.rounding * round(value / self.rounding))

    @property
    def hidden_text(self) -> str:
        """How every hidden cell reads, at every level and for every reason: "[c]"."""
        return MARK

    def mark_note(self) -> str:
        """What "[c]" means, beside every table that shows it: above all, that it does not mean "small"."""
        return (f"{MARK} = not shown, to protect confidentiality. It may stand for any number: a count from 1 to "
                f"{self.unit_threshold - 1}, or a larger count hidden so that a small one cannot be worked out from "
                f"the others. A rate, interval or change worked out from a hidden count is shown as {MARK} too.")

    def describe(self) -> list[str]:
        """The policy in words, for every report shared outside the network."""
        words = [f"Counts from 1 to {self.unit_threshold - 1} for a unit or cooling centre, or for a trust, LMNS "
                 f"or ICB, are hidden, and so is any other count, whatever its size, that would let them be "
                 "worked out by adding or subtracting the counts shown; a rate, interval or median based on a "
                 f"hidden count is hidden too. Every hidden cell is shown as {MARK} (confidential), so a hidden "
                 "cell says nothing about the size of its count."]
        if self.network_threshold > 1:
            words.append(f"Network and region counts from 1 to {self.network_threshold - 1} are hidden in the same "
                         "way.")
        else:
            words.append("Network and region figures are shown in full: they describe a whole network's births or "
                         "more, where a small count does not point to anyone.")
        if self.rounding > 1:
            words.append(f"Counts below the network are rounded to the nearest {self.rounding}; rates are worked "
                         "out from the exact counts.")
        words.append(f"This follows: {ONS_2006} {NHS_2018} Hidden cells are marked as in: {GSS_SHORTHAND}")
        return words


def current() -> Policy:
    return Policy(unit_threshold=int(settings.SMALL_NUMBER_THRESHOLD),
                  network_threshold=int(getattr(settings, "SMALL_NUMBER_NETWORK_THRESHOLD", 0)),
                  rounding=int(getattr(settings, "SMALL_NUMBER_ROUNDING", 0)))
