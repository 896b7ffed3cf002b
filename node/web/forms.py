"""Forms of the web pages: they render labelled inputs; the API's serializers validate.

A form here never decides what is valid. ``validate_with`` hands the posted
values to the same DRF serializer the API uses and puts each message beside
its field, so a rule changed in a serializer changes the page too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, cast

from django import forms
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from rest_framework.serializers import BaseSerializer

from shared.codes import code_list

Choices = Callable[[], list[tuple[str, str]]]


def code_choices(list_name: str, *, blank: bool = True, kind: str | None = None) -> Choices:
    """Choices of a code list, labelled in the language of the request being served."""

    def choices() -> list[tuple[str, str]]:
        lang = get_language() or "fr"
        codes = [c for c in code_list(list_name) if kind is None or c.attrs.get("kind") == kind]
        options = [(c.code, c.label(lang)) for c in codes]
        return [("", "—"), *options] if blank else options

    return choices


def _flatten(messages: Any) -> list[str]:
    """DRF nests the errors of list items ({0: [...]}); the page shows them flat."""
    if isinstance(messages, Mapping):
        return [m for value in messages.values() for m in _flatten(value)]
    if isinstance(messages, list | tuple):
        return [m for value in messages for m in _flatten(value)]
    return [str(messages)]


class SerializerForm(forms.Form):
    """A form whose validation is a DRF serializer's; see the module docstring.

    ``required=True`` on a field only marks it (asterisk, ``required`` attribute,
    ignored by the ``novalidate`` forms); the serializer decides.
    """

    multi_fields: tuple[str, ...] = ()
    required_css_class = "required"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")  # labels sit above their input: no colon
        super().__init__(*args, **kwargs)

    def payload(self, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Posted values as the API would receive them: empty inputs are simply absent."""
        data: dict[str, Any] = {}
        raw = self.data if isinstance(self.data, QueryDict) else QueryDict(mutable=True)
        for name in self.fields:
            if name in self.multi_fields:
                values = [v for v in raw.getlist(name) if v != ""]
                if values:
                    data[name] = values
            elif raw.get(name, "") != "":
                data[name] = raw.get(name)
        data.update(extra or {})
        return data

    def cleared(self, serializer_class: type[BaseSerializer[Any]]) -> dict[str, Any]:
        """For an edit: each input left empty, or box left unticked, as the value that
        clears it, since ``payload`` leaves empty inputs out and an edit would then keep
        the old value. A field the serializer cannot clear (a required code) is kept."""
        targets: Mapping[str, Any] = getattr(serializer_class(), "fields", {})
        raw = self.data if isinstance(self.data, QueryDict) else QueryDict()
        cleared: dict[str, Any] = {}
        for name, field in self.fields.items():
            target = targets.get(name)
            if target is None or target.read_only:
                continue
            if name in self.multi_fields:
                if not [v for v in raw.getlist(name) if v != ""]:
                    cleared[name] = []
            elif raw.get(name, "") != "":
                continue
            elif isinstance(field, forms.BooleanField):
                cleared[name] = False
            elif getattr(target, "allow_blank", False):
                cleared[name] = ""
            elif target.allow_null:
                cleared[name] = None
        return cleared

    def validate_with(self, serializer_class: type[BaseSerializer[Any]], *,
                      extra: Mapping[str, Any] | None = None, partial: bool = False,
                      ) -> dict[str, Any] | None:
        """Validated data, or None with every message put beside its field."""
        serializer = serializer_class(data=self.payload(extra), partial=partial)
        self._reset_errors()
        if serializer.is_valid():
            return dict(serializer.validated_data)
        self.add_errors(cast(Mapping[str, Any], serializer.errors))
        return None

    def add_errors(self, errors: Mapping[str, Any]) -> None:
        """Put messages keyed by API field name beside the inputs of the same name."""
        self._reset_errors()
        for name, messages in errors.items():
            field = name if name in self.fields else None
            for message in _flatten(messages):
                self.add_error(field, message)
            if field is not None:
                described = [f"id_{field}_errors"]
                if self.fields[field].help_text:
                    described.append(f"id_{field}_helptext")
                self.fields[field].widget.attrs["aria-describedby"] = " ".join(described)

    def _reset_errors(self) -> None:
        if getattr(self, "_errors", None) is None:
            self._errors = ErrorDict()
            self.cleaned_data = {}

    def has_messages(self) -> bool:
        return bool(self._errors)


def _date() -> forms.DateInput:
    # A date input reads and sends ISO dates whatever the page's language; a
    # localised value (10/03/2025) would show empty and be lost on saving.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _month() -> forms.TextInput:
    return forms.TextInput(attrs={"type": "month", "placeholder": "AAAA-MM"})


def _choice(list_name: str, label: Any, *, blank: bool = True,
            required: bool = False) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=code_choices(list_name, blank=blank),
                             required=required)


def _multi(list_name: str, label: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(label=label, choices=code_choices(list_name, blank=False),
                                     required=False, widget=forms.CheckboxSelectMultiple)


def _text(label: Any, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, **kwargs)


def _int(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False)


class LoginForm(SerializerForm):
    """Validated by the API's LoginInput; the credentials are checked by the accounts service."""

    username = forms.CharField(label=_("Identifiant"), max_length=150, widget=forms.TextInput(
        attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(
        label=_("Mot de passe"), max_length=128, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    otp_token = forms.CharField(
        label=_("Code à usage unique"), max_length=10, required=False,
        help_text=_("Les six chiffres affichés par votre application d'authentification."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


class CaseForm(SerializerForm):
    parquet_number = forms.CharField(label=_("Numéro de parquet"), required=True,
                                     help_text=_("Par exemple : RP 123/2025"))
    reported_on = forms.DateField(label=_("Date du signalement"), required=True, widget=_date())
    identification_source = _choice("identification_source", _("Source du signalement"),
                                    required=True)
    protection_status = _choice("case_status", _("Statut de protection"))
    cross_border = forms.BooleanField(label=_("Affaire transfrontalière"), required=False)
    received_from = forms.ChoiceField(
        label=_("Reçue d'une autre juridiction"), required=False,
        choices=code_choices("court", kind="tgi"))
    summary = _text(_("Résumé des faits"), widget=forms.Textarea(attrs={"rows": 4}))


class SurvivorForm(SerializerForm):
    """A survivor's identity and their identification in this case."""

    multi_fields = ("vulnerabilities",)
    family_name = _text(_("Nom de famille"))
    given_names = _text(_("Prénom(s)"))
    aliases = _text(_("Autres noms ou graphies"))
    sex = _choice("gender", _("Sexe"))
    birth_date = forms.DateField(label=_("Date de naissance"), required=False, widget=_date())
    birth_year = _int(_("Année de naissance"))
    estimated_age = _int(_("Âge estimé (ans)"))
    father_given_name = _text(_("Fils ou fille de (prénom du père)"))
    mother_name = _text(_("et de (prénom et nom de la mère)"))
    birth_place = _text(_("Lieu de naissance"))
    nationality = _choice("country", _("Nationalité"))
    origin_country = _choice("country", _("Pays d'origine"))
    origin_region = _choice("region", _("Région d'origine"))
    origin_place = _text(_("Localité d'origine"))
    talibe = forms.BooleanField(label=_("Talibé"), required=False)
    vulnerabilities = _multi("vulnerability", _("Vulnérabilités"))
    identified_on = forms.DateField(label=_("Date d'identification dans l'affaire"),
                                    required=True, widget=_date())

    REQUIRED_LINK_FIELDS = ("identified_on",)


class SurvivorIdentityForm(SurvivorForm):
    """A survivor's own record, to correct it: the same fields, without this case's link."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["identified_on"]


class TraffickerForm(SerializerForm):
    """A suspected trafficker and their part in this case."""

    multi_fields: tuple[str, ...] = ("roles",)
    is_legal_person = forms.BooleanField(label=_("Personne morale"), required=False)
    legal_name = _text(_("Raison sociale (personne morale)"))
    family_name = _text(_("Nom de famille"))
    given_names = _text(_("Prénom(s)"))
    aliases = _text(_("Autres noms ou graphies"))
    sex = _choice("gender", _("Sexe"))
    birth_year = _int(_("Année de naissance"))
    estimated_age = _int(_("Âge estimé (ans)"))
    nationality = _choice("country", _("Nationalité"))
    occupation = _choice("occupation", _("Activité"))
    relationship = _choice("recruiter_relationship", _("Lien avec la ou les victimes"))
    roles = _multi("perpetrator_role", _("Rôle dans la traite"))


class TraffickerIdentityForm(TraffickerForm):
    """A trafficker's own record, to correct it: without their part in this case."""

    multi_fields = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["relationship"], self.fields["roles"]



def _choices_of(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def _case_choices(options: Iterable[tuple[int, str]]) -> list[tuple[str, str]]:
    return [("", "—"), *((str(pk), label) for pk, label in options)]


class ExploitationForm(SerializerForm):
    multi_fields = ("means_of_control",)
    case_survivor = forms.ChoiceField(label=_("Victime"), required=True)
    form = _choice("exploitation_form", _("Forme d'exploitation"), required=True)
    subtype = _choice("exploitation_subtype", _("Secteur ou type"))
    site_type = _choice("site_type", _("Type de lieu"))
    recruitment_method = _choice("recruitment_method", _("Mode de recrutement"))
    place_region = _choice("region", _("Région du lieu d'exploitation"))
    start_month = _text(_("Début (mois)"), widget=_month())
    end_month = _text(_("Fin (mois)"), widget=_month())
    means_of_control = _multi("means_of_control", _("Moyens de contrôle"))

    def __init__(self, *args: Any, survivors: Iterable[tuple[int, str]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices_of(self, "case_survivor").choices = _case_choices(survivors)


class ChargeForm(SerializerForm):
    multi_fields = ("survivors",)
    defendant = forms.ChoiceField(label=_("Prévenu"), required=True)
    offence = _choice("offence", _("Infraction (article)"), required=True)
    charged_on = forms.DateField(label=_("Date de la poursuite"), required=True,
                                 widget=_date())
    survivors = forms.MultipleChoiceField(label=_("Victimes concernées"), required=False,
                                          widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, defendants: Iterable[tuple[int, str]] = (),
                 survivors: Iterable[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices_of(self, "defendant").choices = _case_choices(defendants)
        _choices_of(self, "survivors").choices = [(str(pk), label) for pk, label in survivors]


class StepForm(SerializerForm):
    step = _choice("procedure_step", _("Acte de procédure"), required=True)
    defendant = forms.ChoiceField(label=_("Prévenu concerné"), required=False,
                                  help_text=_("Vide pour un acte qui concerne toute l'affaire."))
    occurred_on = forms.DateField(label=_("Date de l'acte"), required=True, widget=_date())
    outcome = _choice("outcome", _("Décision"))
    prison_months = _int(_("Emprisonnement ferme (mois)"))
    suspended_months = _int(_("Emprisonnement avec sursis (mois)"))
    fine_fcfa = _int(_("Amende (FCFA)"))
    damages_fcfa = _int(_("Dommages et intérêts (FCFA)"))
    court = forms.ChoiceField(label=_("Juridiction concernée"), required=False,
                              choices=code_choices("court"),
                              help_text=_("Pour un dessaisissement ou un renvoi."))
    notes = _text(_("Observations"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, defendants: Iterable[tuple[int, str]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices_of(self, "defendant").choices = _case_choices(defendants)


class StepVoidForm(SerializerForm):
    """Validated by the API's StepVoidInput: a voided step stays on record, with the reason."""

    reason = forms.CharField(label=_("Motif de l'annulation"), required=True, max_length=1000,
                             help_text=_("Par exemple : saisi en double, mauvaise affaire."))


class EventForm(SerializerForm):
    """A step of the trafficking itself (recruitment, transit, exploitation): where, when."""

    kind = _choice("trafficking_event", _("Étape de la traite"), required=True)
    country = _choice("country", _("Pays"))
    region = _choice("region", _("Région (au Sénégal)"))
    place = _text(_("Lieu"), help_text=_("Chiffré : peut situer une victime."))
    month = _text(_("Mois"), widget=_month())


class ReferralForm(SerializerForm):
    case_survivor = forms.ChoiceField(label=_("Victime"), required=True)
    referral_type = _choice("referral_type", _("Service"), required=True)
    organisation = _text(_("Structure"), help_text=_("Chiffré : peut situer un enfant."))
    status = _choice("referral_status", _("Statut"), blank=False)
    referred_on = forms.DateField(label=_("Date de l'orientation"), required=True,
                                  widget=_date())

    def __init__(self, *args: Any, survivors: Iterable[tuple[int, str]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices_of(self, "case_survivor").choices = _case_choices(survivors)


class CaseSearchForm(forms.Form):
    """The list's filters; the API's CaseFilter applies them (selectors.case_search)."""

    parquet_number = _text(_("Numéro de parquet"))
    name = _text(_("Nom d'une victime ou d'un prévenu"),
                 help_text=_("Nom exact, dans n'importe quel ordre."))
    stage = _choice("pipeline_stage", _("Étape"))
    form = _choice("exploitation_form", _("Forme d'exploitation"))
    year = forms.IntegerField(label=_("Année du signalement"), required=False,
                              min_value=1900, max_value=2100)


class AuditSearchForm(forms.Form):
    action = _text(_("Action"), help_text=_("Par exemple : read, create, login"))
    actor_username = _text(_("Agent (identifiant)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword: the API's parameter names are kept.
        self.fields["from"] = forms.DateField(label=_("Du"), required=False, widget=_date())
        self.fields["to"] = forms.DateField(label=_("Au"), required=False, widget=_date())


class ImportForm(forms.Form):
    register = forms.FileField(label=_("Fichier du registre (.csv ou .xlsx)"),
                               widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}))
    import_valid_rows = forms.BooleanField(
        label=_("Importer les lignes valides même si d'autres sont rejetées"), required=False)
