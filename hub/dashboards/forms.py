"""The filter bar every dashboard shares: a period, and one place (region, cour d'appel or TGI).

The form only validates; it turns into a ``Filters`` value that the selectors pass on
to the statistics core as the period and geography of each ``StatsQuery``.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shared.codes import code_list, jurisdictions

FIRST_YEAR = 2015  # Systraite's first records; the filter offers no earlier year


@dataclass(frozen=True)
class Filters:
    """What the user asked to see: a closed period and at most one place."""

    start: date
    end: date
    region: str | None = None
    court_of_appeal: str | None = None
    jurisdiction: str | None = None

    @property
    def year(self) -> int:
        """The calendar year of yearly indicators (SDG 16.2.2): the year the period ends in."""
        return self.end.year

    def as_detail(self) -> dict[str, str | int]:
        """Codes and months only: what the audit log records of an analyst's view."""
        detail: dict[str, str | int] = {"start": f"{self.start:%Y-%m}", "end": f"{self.end:%Y-%m}"}
        for name in ("region", "court_of_appeal", "jurisdiction"):
            if getattr(self, name):
                detail[name] = getattr(self, name)
        return detail


def _month_start(value: str) -> date:
    year, month = (int(part) for part in value.split("-"))
    return date(year, month, 1)


def _month_end(value: str) -> date:
    first = _month_start(value)
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


class MonthField(forms.CharField):
    """A month as ``YYYY-MM`` (what ``<input type="month">`` sends)."""

    widget = forms.TextInput(attrs={"type": "month", "pattern": r"\d{4}-\d{2}"})
    default_error_messages = {"invalid": _("Mois invalide : utilisez le format AAAA-MM.")}

    def to_python(self, value: object) -> str:
        text = super().to_python(value)
        if not text:
            return ""
        try:
            first = _month_start(text)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not FIRST_YEAR <= first.year <= 2100:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return f"{first:%Y-%m}"


def _place_choices(list_name: str, kind: str | None = None) -> list[tuple[str, str]]:
    lang = get_language() or "fr"
    codes = code_list(list_name)
    return [("", str(_("Toutes")))] + [
        (c.code, c.label(lang)) for c in codes if kind is None or c.attrs.get("kind") == kind
    ]


class FilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Année"), required=False, coerce=int, empty_value=None)
    start = MonthField(label=_("Du mois"), required=False)
    end = MonthField(label=_("Au mois"), required=False)
    region = forms.ChoiceField(label=_("Région"), required=False)
    court_of_appeal = forms.ChoiceField(label=_("Cour d'appel"), required=False)
    jurisdiction = forms.ChoiceField(label=_("Tribunal (TGI)"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        this_year = timezone.localdate().year
        self._choices(
            "year",
            [("", str(_("Période libre")))]
            + [(str(y), str(y)) for y in range(this_year, FIRST_YEAR - 1, -1)],
        )
        self._choices("region", _place_choices("region"))
        self._choices("court_of_appeal", _place_choices("court", "appeal"))
        lang = get_language() or "fr"
        self._choices(
            "jurisdiction",
            [("", str(_("Tous")))] + [(c.code, c.label(lang)) for c in jurisdictions()],
        )

    def _choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        places = [name for name in ("region", "court_of_appeal", "jurisdiction") if data.get(name)]
        if len(places) > 1:
            raise forms.ValidationError(
                _("Choisissez une seule zone : une région, une cour d'appel ou un tribunal."),
                code="several_places",
            )
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("Le mois de fin précède le mois de début."))
        return data

    def filters(self) -> Filters:
        """The validated filters; the default period is the current calendar year."""
        data = self.cleaned_data
        start, end = self._period(data)
        return Filters(
            start=start,
            end=end,
            region=data.get("region") or None,
            court_of_appeal=data.get("court_of_appeal") or None,
            jurisdiction=data.get("jurisdiction") or None,
        )

    @staticmethod
    def default_filters() -> Filters:
        """The whole country over the current calendar year."""
        start, end = FilterForm._period({})
        return Filters(start=start, end=end)

    @staticmethod
    def _period(data: dict[str, object]) -> tuple[date, date]:
        """A year wins over months; a lone month is completed within its own year."""
        year = data.get("year")
        if isinstance(year, int):
            return date(year, 1, 1), date(year, 12, 31)
        start, end = str(data.get("start") or ""), str(data.get("end") or "")
        if not start and not end:
            this_year = timezone.localdate().year
            return date(this_year, 1, 1), date(this_year, 12, 31)
        first = _month_start(start) if start else _month_start(end).replace(month=1)
        last = _month_end(end) if end else date(first.year, 12, 31)
        return first, last


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Identifiant"), max_length=150)
    password = forms.CharField(label=_("Mot de passe"), widget=forms.PasswordInput, max_length=128)
    otp_token = forms.CharField(
        label=_("Code à usage unique (application d'authentification)"),
        max_length=8,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def __init__(self, *args: object, otp: bool = True, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"
        self.fields["otp_token"].required = otp

    def credentials(self) -> tuple[str, str, str | None]:
        data = self.cleaned_data
        return data["username"], data["password"], data.get("otp_token") or None
