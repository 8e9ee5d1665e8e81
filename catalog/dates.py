"""Partly known dates: a release may be known to the day, the month or only the year.

Stored as two columns, the date (first day of the month or year when less is known) and its
precision, so lists still sort by date while pages say honestly "March 2025", never "1 March 2025".
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext


class Precision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


_PARTIAL = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?$")


@dataclass(frozen=True, order=True)
class PartialDate:
    date: datetime.date
    precision: str = Precision.DAY

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Read "2025", "2025-03" or "2025-03-14"; raise ValueError on anything else."""
        match = _PARTIAL.match(text.strip())
        if not match:
            raise ValueError(f"{text!r} is not a date like 2025, 2025-03 or 2025-03-14")
        year, month, day = int(match["year"]), match["month"], match["day"]
        try:
            if day:
                return cls(datetime.date(year, int(month), int(day)), Precision.DAY)
            if month:
                return cls(datetime.date(year, int(month), 1), Precision.MONTH)
            return cls(datetime.date(year, 1, 1), Precision.YEAR)
        except ValueError as error:
            raise ValueError(f"{text!r} is not a date like 2025-03-14: {error}") from None

    def isoformat(self) -> str:
        """The known part only; also a valid HTML <time datetime> value."""
        if self.precision == Precision.YEAR:
            return f"{self.date.year:04d}"
        if self.precision == Precision.MONTH:
            return f"{self.date.year:04d}-{self.date.month:02d}"
        return self.date.isoformat()

    def __str__(self) -> str:
        """In the active language: "14 November 2022", "2022년 11월 14일", "2022年11月"…"""
        if self.precision == Precision.YEAR:
            # Translators: a year on its own, e.g. "2025"; Korean "2025년", Japanese "2025年".
            return pgettext("year alone", "%(year)d") % {"year": self.date.year}
        if self.precision == Precision.MONTH:
            return formats.date_format(self.date, "YEAR_MONTH_FORMAT")
        return formats.date_format(self.date, "DATE_FORMAT")

    @property
    def year(self) -> int:
        return self.date.year


class PartialDateAccessor:
    """`release.released = PartialDate(...)` / `release.released` over a date + precision pair."""

    def __init__(self, date_field: str) -> None:
        self.date_field = date_field
        self.precision_field = f"{date_field}_precision"

    def __get__(self, instance: object, owner: type | None = None) -> PartialDate | None:
        if instance is None:
            return self  # type: ignore[return-value]  # the descriptor, read on the class
        value = getattr(instance, self.date_field)
        if value is None:
            return None
        return PartialDate(value, getattr(instance, self.precision_field))

    def __set__(self, instance: object, value: PartialDate | None) -> None:
        setattr(instance, self.date_field, value.date if value else None)
        setattr(instance, self.precision_field, value.precision if value else Precision.DAY)


def precision_field() -> models.CharField:
    return models.CharField(
        max_length=5,
        choices=Precision.choices,
        default=Precision.DAY,
        help_text=_("How much of the date is known. Month or year: store the 1st of it."),
    )


def normalised_condition(date_field: str) -> Q:
    """A month-precise date sits on the 1st, a year-precise one on 1 January."""
    precision = f"{date_field}_precision"
    return (
        Q(**{f"{date_field}__isnull": True})
        | Q(**{precision: Precision.DAY})
        | Q(**{precision: Precision.MONTH, f"{date_field}__day": 1})
        | Q(**{precision: Precision.YEAR, f"{date_field}__day": 1, f"{date_field}__month": 1})
    )
