"""Pages for court staff. Each view checks the API's capability, validates with the
API's serializer, calls one service or selector and renders; nothing else.

Every page that shows identifying data records it in the audit log
(``node.api.audit_read``), exactly as the API does for the same data.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Page, Paginator
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from node.accounts import services as account_services
from node.accounts.apis import INVALID_CREDENTIALS
from node.accounts.models import User
from node.accounts.otp import otp_required
from node.accounts.permissions import IsVerifiedUser, capability_required
from node.accounts.roles import Capability, has_capability
from node.accounts.serializers import LoginInput
from node.api import audit_read
from node.cases import serializers as case_serializers
from node.cases import services as case_services
from node.cases.models import (
    Case,
    CaseSurvivor,
    Charge,
    Defendant,
    Exploitation,
    ProcedureStep,
    Referral,
    TraffickingEvent,
)
from node.cases.services import ServiceError
from node.imports.services import ImportRefused, register_import
from node.people import services as people_services
from node.people.models import Survivor, Trafficker
from node.people.serializers import SurvivorInput, TraffickerInput
from node.privacy import name_digest
from node.web import forms, selectors
from node.web import services as web_services

View = TypeVar("View", bound=Callable[..., HttpResponse])
PAGE_SIZE = 25
DRF_REQUIRED = case_serializers.CaseInput().fields["reported_on"].error_messages["required"]


# --- access ---------------------------------------------------------------------------


def staff_view(capability: Capability | None = None) -> Callable[[View], View]:
    """The API's permission classes, applied to a page.

    Anonymous visitors are sent to the log-in page; a user of this node whose
    role lacks ``capability`` (or whose session missed the second factor)
    gets 403, as from the API.
    """
    permission = capability_required(capability)() if capability else IsVerifiedUser()

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("web:login"))
            if not permission.has_permission(request, None):  # type: ignore[arg-type]
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return cast(View, wrapped)

    return decorator


def _staff(request: HttpRequest) -> User:
    return cast(User, request.user)


def _can(request: HttpRequest, capability: Capability) -> bool:
    return has_capability(getattr(request.user, "role", ""), capability)


def _case_or_404(case_id: int) -> Case:
    case = selectors.case_get(case_id=case_id)
    if case is None:
        raise Http404
    return case


def _audit_shown(request: HttpRequest, target_type: str, ids: list[int], *,
                 action: str = "read", detail: dict[str, Any] | None = None) -> None:
    """One audit entry for the records a page shows; a list or search is logged even empty."""
    if ids or action in {"list", "search"}:
        audit_read(request, target_type=target_type, ids=ids, action=action,  # type: ignore[arg-type]
                   detail=detail)


# --- log-in and log-out ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Log-in with password and TOTP code, through the accounts service and its throttle."""
    form = forms.LoginForm(request.POST or None)
    if request.method == "POST":
        response = _login_attempt(request, form)
        if response is not None:
            return response
    return render(request, "web/login.html", {"form": form}, status=_login_status(form))


def _login_attempt(request: HttpRequest, form: forms.LoginForm) -> HttpResponse | None:
    data = form.validate_with(LoginInput)
    if data is None:
        return None
    token = data.get("otp_token") or None
    if otp_required() and token is None:
        form.add_errors({"otp_token": [DRF_REQUIRED]})
        return None
    try:
        account_services.user_login(request=request, username=data["username"],
                                    password=data["password"], otp_token=token)
    except account_services.LoginLocked:
        form.add_errors({"__all__": [_("Trop d'essais ; réessayez plus tard.")]})
        return None
    except account_services.InvalidCredentials:
        form.add_errors({"__all__": [str(INVALID_CREDENTIALS)]})
        return None
    return HttpResponseRedirect(_next_url(request))


def _login_status(form: forms.LoginForm) -> int:
    return 400 if form.is_bound and form.has_messages() else 200


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return reverse("web:home")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Log-out is a POST (a link could be followed by a prefetcher or a forged page)."""
    account_services.user_logout(request=request)
    return redirect("web:login")


# --- home -----------------------------------------------------------------------------------


@require_http_methods(["GET"])
@staff_view()
def home(request: HttpRequest) -> HttpResponse:
    """The jurisdiction's own figures for roles that read cases; a menu for the others."""
    show_figures = _can(request, Capability.READ_CASES)
    show_push = show_figures or _can(request, Capability.VIEW_SYNC)
    figures = selectors.home_figures() if show_push else None
    return render(request, "web/home.html",
                  {"figures": figures, "show_figures": show_figures, "show_push": show_push})


# --- cases ---------------------------------------------------------------------------------


@require_http_methods(["GET"])
@staff_view(Capability.READ_CASES)
def case_list(request: HttpRequest) -> HttpResponse:
    """Search by parquet number or by name (blind index), filter, paginate; audited."""
    form = forms.CaseSearchForm(request.GET or None)
    cases, by_name = selectors.case_search(params=request.GET)
    page = _page(request, cases)
    name = request.GET.get("name", "")
    _audit_shown(request, "case", [c.pk for c in page.object_list],
                 action="search" if by_name else "list",
                 detail={"name_digest": name_digest(name)} if by_name else None)
    return render(request, "web/case_list.html",
                  {"form": form, "page": page, "query": _query_without_page(request)})


def _page(request: HttpRequest, items: Any) -> Page[Any]:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@require_http_methods(["GET", "POST"])
@staff_view(Capability.WRITE_CASES)
def case_create(request: HttpRequest) -> HttpResponse:
    """First step of a case file: the case itself; its people come next."""
    form = forms.CaseForm(request.POST or None)
    if request.method == "POST":
        data = form.validate_with(case_serializers.CaseInput)
        case = None
        if data is not None:
            case = _service(form, lambda: case_services.case_create(
                actor=_staff(request), data=data, request=request))
        if case is not None:
            messages.success(request, _("Affaire enregistrée. Ajoutez maintenant ses victimes."))
            return redirect("web:survivor-add", case_id=case.pk)
    return render(request, "web/case_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@staff_view(Capability.WRITE_CASES)
def case_edit(request: HttpRequest, case_id: int) -> HttpResponse:
    """Correct the case itself: number, dates, source, protection status, summary."""
    case = _case_or_404(case_id)
    form = forms.CaseForm(request.POST or None, initial=_initial(forms.CaseForm, case))
    if request.method == "POST":
        data = form.validate_with(case_serializers.CaseInput,
                                  extra=form.cleared(case_serializers.CaseInput))
        updated = None
        if data is not None:
            updated = _service(form, lambda: case_services.case_update(
                actor=_staff(request), case=case, data=data, request=request))
        if updated is not None:
            messages.success(request, _("Affaire mise à jour."))
            return redirect("web:case-detail", case_id=case.pk)
    _audit_shown(request, "case", [case.pk])
    return render(request, "web/case_form.html", {"form": form, "case": case},
                  status=400 if form.is_bound and form.has_messages() else 200)


def _initial(form_class: type[forms.SerializerForm], record: Any,
             serializer_class: Any = None) -> dict[str, Any]:
    """A form's fields filled from the record as the API shows it (ids for links,
    'YYYY-MM' for months, codes for lists), or by attribute without a serializer."""
    shown = serializer_class(record).data if serializer_class else None
    return {name: (shown[name] if shown is not None else getattr(record, name))
            for name in form_class.base_fields
            if (name in shown if shown is not None else hasattr(record, name))}


T = TypeVar("T")
M = TypeVar("M", bound=Model)


def _service(form: forms.SerializerForm, call: Callable[[], T]) -> T | None:
    """Run a service; its rule errors go beside the fields they name."""
    try:
        return call()
    except ServiceError as exc:
        form.add_errors({k: [v] for k, v in exc.errors.items()})
        return None


@require_http_methods(["GET"])
@staff_view(Capability.READ_CASES)
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case file: timeline, people, charges, referrals; the step form if allowed."""
    case = selectors.case_detail(case_id=case_id)
    if case is None:
        raise Http404
    return _case_page(request, case, _step_form(case))


def _step_form(case: Case, data: Any = None) -> forms.StepForm:
    return forms.StepForm(data, defendants=_defendant_options(case))


def _case_page(request: HttpRequest, case: Case, step_form: forms.StepForm,
               status: int = 200, void_form: forms.StepVoidForm | None = None,
               void_step: int | None = None) -> HttpResponse:
    links = list(case.survivor_links.all())
    defendants = list(case.defendants.all())
    _audit_shown(request, "case", [case.pk])
    _audit_shown(request, "survivor", [link.survivor_id for link in links])
    _audit_shown(request, "trafficker", [d.trafficker_id for d in defendants])
    steps = list(case.steps.all())
    role = getattr(request.user, "role", "")
    voidable = {s.pk for s in steps if not hasattr(s, "void")
                and has_capability(role, case_services.step_capability(s.step))}
    context = {"case": case, "links": links, "defendants": defendants,
               "steps": steps, "step_form": step_form, "voidable": voidable,
               "void_form": void_form or forms.StepVoidForm(), "void_step": void_step,
               "can_write": _can(request, Capability.WRITE_CASES)}
    return render(request, "web/case_detail.html", context, status=status)


@require_POST
@staff_view(Capability.READ_CASES)
def step_add(request: HttpRequest, case_id: int) -> HttpResponse:
    """Record one procedure step; the service decides which roles may record which step."""
    case = _case_or_404(case_id)
    form = _step_form(case, request.POST)
    data = form.validate_with(case_serializers.StepInput, extra={"case": case.pk})
    if data is not None:
        data.pop("case", None)
        result = _service(form, lambda: case_services.step_record(
            actor=_staff(request), case=case, data=data, request=request))
        if result is not None:
            messages.success(request, _("Acte enregistré."))
            for warning in result.warnings:
                messages.warning(request, warning)
            return redirect(reverse("web:case-detail", args=[case.pk]) + "#timeline")
    detail = selectors.case_detail(case_id=case.pk)
    return _case_page(request, cast(Case, detail), form, status=400)


@require_POST
@staff_view(Capability.READ_CASES)
def step_void(request: HttpRequest, case_id: int, step_id: int) -> HttpResponse:
    """Void a step entered by mistake, with a reason; the service decides who may."""
    case = _case_or_404(case_id)
    step = _part_or_404(ProcedureStep, step_id, case)
    form = forms.StepVoidForm(request.POST)
    data = form.validate_with(case_serializers.StepVoidInput)
    voided = None
    if data is not None:
        voided = _service(form, lambda: case_services.step_void(
            actor=_staff(request), step=step, reason=data["reason"], request=request))
    if voided is not None:
        messages.success(request, _("Acte annulé ; il reste visible, barré."))
        return redirect(reverse("web:case-detail", args=[case.pk]) + "#timeline")
    detail = cast(Case, selectors.case_detail(case_id=case.pk))
    return _case_page(request, detail, _step_form(detail), status=400, void_form=form,
                      void_step=step.pk)


# --- the parts of a case ------------------------------------------------------------------


def _survivor_options(case: Case) -> list[tuple[int, str]]:
    links = CaseSurvivor.objects.filter(case=case).select_related("survivor")
    return [(link.pk, _person_label(link.survivor)) for link in links]


def _defendant_options(case: Case) -> list[tuple[int, str]]:
    defendants = Defendant.objects.filter(case=case).select_related("trafficker")
    return [(d.pk, _person_label(d.trafficker)) for d in defendants]


def _person_label(person: Any) -> str:
    name = " ".join(p for p in (person.family_name.upper(), person.given_names) if p)
    return name or getattr(person, "legal_name", "") or f"#{person.pk}"


@require_http_methods(["GET", "POST"])
@staff_view(Capability.WRITE_CASES)
def survivor_add(request: HttpRequest, case_id: int) -> HttpResponse:
    """Add a survivor, proposing people already on record before creating a duplicate."""
    case = _case_or_404(case_id)
    form = forms.SurvivorForm(request.POST or None)
    candidates: list[Survivor] = []
    if request.method == "POST":
        person, link = _person_and_link(form, SurvivorInput, _NewSurvivorLink, case)
        if person is not None and link is not None:
            candidates, response = _survivor_decide(request, form, case, person, link)
            if response is not None:
                return response
    return render(request, "web/survivor_form.html",
                  {"form": form, "case": case, "candidates": candidates})


@require_http_methods(["GET", "POST"])
@staff_view(Capability.WRITE_CASES)
def survivor_edit(request: HttpRequest, case_id: int, survivor_id: int) -> HttpResponse:
    """Correct a survivor's record (names, filiation, age, origin), reached from a case."""
    case = _case_or_404(case_id)
    survivor = Survivor.objects.filter(pk=survivor_id, case_links__case=case).first()
    if survivor is None:
        raise Http404
    initial = {**_initial(forms.SurvivorIdentityForm, survivor), **_birth_initial(survivor),
               "vulnerabilities": list(survivor.vulnerabilities.values_list("code", flat=True))}
    form = forms.SurvivorIdentityForm(request.POST or None, initial=initial)
    if request.method == "POST":
        data = form.validate_with(SurvivorInput, extra=form.cleared(SurvivorInput))
        saved = None
        if data is not None:
            saved = _service(form, lambda: people_services.survivor_update(
                actor=_staff(request), survivor=survivor, data=data, request=request))
        if saved is not None:
            messages.success(request, _("Fiche de la victime mise à jour."))
            return redirect("web:case-detail", case_id=case.pk)
    _audit_shown(request, "survivor", [survivor.pk])
    return _part_page(request, form, case, _("Corriger la fiche d'une victime"))


@require_http_methods(["GET", "POST"])
@staff_view(Capability.WRITE_CASES)
def trafficker_edit(request: HttpRequest, case_id: int, trafficker_id: int) -> HttpResponse:
    """Correct a suspected trafficker's record, reached from a case they are a defendant in."""
    case = _case_or_404(case_id)
    trafficker = Trafficker.objects.filter(pk=trafficker_id, case_links__case=case).first()
    if trafficker is None:
        raise Http404
    initial = {**_initial(forms.TraffickerIdentityForm, trafficker), **_birth_initial(trafficker)}
    form = forms.TraffickerIdentityForm(request.POST or None, initial=initial)
    if request.method == "POST":
        data = form.validate_with(TraffickerInput, extra=form.cleared(TraffickerInput))
        saved = None
        if data is not None:
            saved = _service(form, lambda: people_services.trafficker_update(
                actor=_staff(request), trafficker=trafficker, data=data, request=request))
        if saved is not None:
            messages.success(request, _("Fiche du prévenu mise à jour."))
            return redirect("web:case-detail", case_id=case.pk)
    _audit_shown(request, "trafficker", [trafficker.pk])
    return _part_page(request, form, case, _("Corriger la fiche d'un prévenu"))


def _birth_initial(person: Any) -> dict[str, Any]:
    """One of date or year, as entered: both filled would be refused on saving."""
    if person.birth_date:
        return {"birth_date": person.birth_date, "birth_year": None, "estimated_age": None}
    return {"birth_date": None, "birth_year": person.birth_year, "estimated_age": None}


class _NewSurvivorLink(case_serializers.CaseSurvivorSerializer):
    """The API's link serializer for a person not created yet: its (case, person)
    uniqueness cannot apply; ``web_services`` checks it when the person exists."""

    class Meta(case_serializers.CaseSurvivorSerializer.Meta):
        validators: list[Any] = []


class _NewDefendantLink(case_serializers.DefendantSerializer):
    """As ``_NewSurvivorLink``, for a defendant."""

    class Meta(case_serializers.DefendantSerializer.Meta):
        validators: list[Any] = []


def _person_and_link(form: forms.SerializerForm, person_serializer: Any, link_serializer: Any,
                     case: Case) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Validate the person with its serializer, and the link's fields with the link's."""
    person = form.validate_with(person_serializer)
    link = form.validate_with(link_serializer, extra={"case": case.pk}, partial=True)
    # partial=True (the person does not exist yet) also waives the link's required fields.
    missing = [f for f in getattr(form, "REQUIRED_LINK_FIELDS", ())
               if link is not None and f not in link]
    form.add_errors({f: [DRF_REQUIRED] for f in missing})
    if person is None or link is None or form.has_messages():
        return None, None
    return person, {k: v for k, v in link.items() if k != "case"}


def _survivor_decide(request: HttpRequest, form: forms.SurvivorForm, case: Case,
                     person: dict[str, Any], link: dict[str, Any],
                     ) -> tuple[list[Survivor], HttpResponse | None]:
    decision = request.POST.get("decision", "")
    candidates = selectors.survivor_candidates(data=person)
    existing = next((s for s in candidates if decision == f"use-{s.pk}"), None)
    if candidates and decision != "create" and existing is None:
        _audit_shown(request, "survivor", [s.pk for s in candidates], action="duplicate_check")
        return candidates, None
    added = _service(form, lambda: web_services.case_survivor_add(
        actor=_staff(request), case=case, person=person, link=link, existing=existing,
        request=request))
    if added is None:
        return [], None
    messages.success(request, _("Victime ajoutée à l'affaire."))
    return [], redirect("web:case-detail", case_id=case.pk)


@require_http_methods(["GET", "POST"])
@staff_view(Capability.WRITE_CASES)
def defendant_add(request: HttpRequest, case_id: int) -> HttpResponse:
    """Add a suspected trafficker as a defendant of the case."""
    case = _case_or_404(case_id)
    form = forms.TraffickerForm(request.POST or None)
    if request.method == "POST":
        person, link = _person_and_link(form, TraffickerInput, _NewDefendantLink, case)
        added = _service(form, lambda: web_services.defendant_add(
            actor=_staff(request), case=case, person=person or {}, link=link or {},
            request=request)) if person is not None and link is not None else None
        if added is not None:
            messages.success(request, _("Prévenu ajouté à l'affaire."))
            return redirect("web:case-detail", case_id=case.pk)
    return render(request, "web/part_form.html",
                  {"form": form, "case": case, "title": _("Ajouter un prévenu")})


@require_http_methods(["GET", "POST"])
@staff_view(Capability.WRITE_CASES)
def exploitation_add(request: HttpRequest, case_id: int) -> HttpResponse:
    """Record how one survivor of the case was exploited."""
    case = _case_or_404(case_id)
    form = forms.ExploitationForm(request.POST or None, survivors=_survivor_options(case))
    done = _part_save(request, case, form, case_serializers.ExploitationSerializer,
                      Exploitation(), "case_survivor", _("Exploitation enregistrée."))
    return done or _part_page(request, form, case, _("Ajouter une exploitation"),
                              survivors=True)


@require_http_methods(["GET", "POST"])
@staff_view(Capability.WRITE_CASES)
def charge_add(request: HttpRequest, case_id: int) -> HttpResponse:
    """Charge a defendant of the case with an offence, for some of its survivors."""
    case = _case_or_404(case_id)
    form = forms.ChargeForm(request.POST or None, defendants=_defendant_options(case),
                            survivors=_survivor_options(case))
    done = _part_save(request, case, form, case_serializers.ChargeSerializer, Charge(),
                      "defendant", _("Charge enregistrée."))
    return done or _part_page(request, form, case, _("Ajouter une charge"), survivors=True,
                              defendants=True)


@require_http_methods(["GET", "POST"])
@staff_view(Capability.WRITE_CASES)
def referral_add(request: HttpRequest, case_id: int) -> HttpResponse:
    """Refer a survivor of the case to a service (shelter, care, legal aid, return...)."""
    case = _case_or_404(case_id)
    form = forms.ReferralForm(request.POST or None, survivors=_survivor_options(case))
    done = _part_save(request, case, form, case_serializers.ReferralSerializer, Referral(),
                      "case_survivor", _("Orientation enregistrée."))
    return done or _part_page(request, form, case, _("Orienter une victime"), survivors=True)


@require_http_methods(["GET", "POST"])
@staff_view(Capability.WRITE_CASES)
def referral_edit(request: HttpRequest, case_id: int, referral_id: int) -> HttpResponse:
    """Follow a referral up: its status changes (planned, in progress, completed...)."""
    case = _case_or_404(case_id)
    referral = _part_or_404(Referral, referral_id, case)
    form = forms.ReferralForm(
        request.POST or None, survivors=_survivor_options(case),
        initial=_initial(forms.ReferralForm, referral, case_serializers.ReferralSerializer))
    done = _part_save(request, case, form, case_serializers.ReferralSerializer, referral,
                      "case_survivor", _("Orientation mise à jour."))
    if done:
        return done
    _audit_shown(request, "referral", [referral.pk])
    return _part_page(request, form, case, _("Suivre une orientation"), survivors=True,
                      delete_url=reverse("web:referral-delete", args=[case.pk, referral.pk]))


@require_http_methods(["GET", "POST"])
@staff_view(Capability.WRITE_CASES)
def exploitation_edit(request: HttpRequest, case_id: int, exploitation_id: int) -> HttpResponse:
    """Correct how a survivor of the case was exploited."""
    case = _case_or_404(case_id)
    exploitation = _part_or_404(Exploitation, exploitation_id, case)
    form = forms.ExploitationForm(
        request.POST or None, survivors=_survivor_options(case),
        initial=_initial(forms.ExploitationForm, exploitation,
                         case_serializers.ExploitationSerializer))
    done = _part_save(request, case, form, case_serializers.ExploitationSerializer,
                      exploitation, "case_survivor", _("Exploitation mise à jour."))
    if done:
        return done
    _audit_shown(request, "exploitation", [exploitation.pk])
    return _part_page(request, form, case, _("Corriger une exploitation"), survivors=True,
                      delete_url=reverse("web:exploitation-delete",
                                         args=[case.pk, exploitation.pk]))


@require_http_methods(["GET", "POST"])
@staff_view(Capability.WRITE_CASES)
def charge_edit(request: HttpRequest, case_id: int, charge_id: int) -> HttpResponse:
    """Correct a charge: the offence, its date, the survivors it concerns."""
    case = _case_or_404(case_id)
    charge = _part_or_404(Charge, charge_id, case)
    form = forms.ChargeForm(
        request.POST or None, defendants=_defendant_options(case),
        survivors=_survivor_options(case),
        initial=_initial(forms.ChargeForm, charge, case_serializers.ChargeSerializer))
    done = _part_save(request, case, form, case_serializers.ChargeSerializer, charge,
                      "defendant", _("Charge mise à jour."))
    if done:
        return done
    _audit_shown(request, "charge", [charge.pk])
    return _part_page(request, form, case, _("Corriger une charge"), survivors=True,
                      defendants=True,
                      delete_url=reverse("web:charge-delete", args=[case.pk, charge.pk]))


@require_http_methods(["GET", "POST"])
@staff_view(Capability.WRITE_CASES)
def event_add(request: HttpRequest, case_id: int) -> HttpResponse:
    """Record where and when the survivors were recruited, moved or exploited."""
    case = _case_or_404(case_id)
    form = forms.EventForm(request.POST or None)
    done = _part_save(request, case, form, case_serializers.EventSerializer,
                      TraffickingEvent(), "case", _("Étape de la traite enregistrée."))
    return done or _part_page(request, form, case, _("Ajouter une étape de la traite"))


@require_http_methods(["GET", "POST"])
@staff_view(Capability.WRITE_CASES)
def event_edit(request: HttpRequest, case_id: int, event_id: int) -> HttpResponse:
    """Correct a step of the trafficking."""
    case = _case_or_404(case_id)
    event = _part_or_404(TraffickingEvent, event_id, case)
    form = forms.EventForm(request.POST or None, initial=_initial(
        forms.EventForm, event, case_serializers.EventSerializer))
    done = _part_save(request, case, form, case_serializers.EventSerializer, event, "case",
                      _("Étape de la traite mise à jour."))
    if done:
        return done
    _audit_shown(request, "traffickingevent", [event.pk])
    return _part_page(request, form, case, _("Corriger une étape de la traite"),
                      delete_url=reverse("web:event-delete", args=[case.pk, event.pk]))


@require_POST
@staff_view(Capability.WRITE_CASES)
def exploitation_delete(request: HttpRequest, case_id: int, exploitation_id: int
                        ) -> HttpResponse:
    return _part_delete(request, case_id, Exploitation, exploitation_id,
                        _("Exploitation supprimée."))


@require_POST
@staff_view(Capability.WRITE_CASES)
def charge_delete(request: HttpRequest, case_id: int, charge_id: int) -> HttpResponse:
    return _part_delete(request, case_id, Charge, charge_id, _("Charge supprimée."))


@require_POST
@staff_view(Capability.WRITE_CASES)
def event_delete(request: HttpRequest, case_id: int, event_id: int) -> HttpResponse:
    return _part_delete(request, case_id, TraffickingEvent, event_id,
                        _("Étape de la traite supprimée."))


@require_POST
@staff_view(Capability.WRITE_CASES)
def referral_delete(request: HttpRequest, case_id: int, referral_id: int) -> HttpResponse:
    return _part_delete(request, case_id, Referral, referral_id, _("Orientation supprimée."))


def _part_delete(request: HttpRequest, case_id: int, model: type[Model], pk: int,
                 done: str) -> HttpResponse:
    """Delete a part entered by mistake (the service audits it and marks the case to
    be sent again); the page it was on is gone, so back to the case."""
    case = _case_or_404(case_id)
    part = _part_or_404(model, pk, case)
    case_services.record_delete(actor=_staff(request), obj=part, request=request)
    messages.success(request, done)
    return redirect("web:case-detail", case_id=case.pk)


def _part_or_404(model: type[M], pk: int, case: Case) -> M:
    """A part of this case; one of another case is not found through it."""
    part = model._default_manager.filter(pk=pk, case=case).first()
    if part is None:
        raise Http404
    return part


def _part_save(request: HttpRequest, case: Case, form: forms.SerializerForm,
               serializer_class: Any, obj: Any, owner: str, done: str) -> HttpResponse | None:
    """On a post, validate a part with its API serializer and save it through the
    service; the redirect to the case when saved. An edit's emptied inputs clear."""
    if request.method != "POST":
        return None
    extra = form.cleared(serializer_class) if obj.pk else {}
    if owner == "case":
        extra["case"] = case.pk  # not a field of the form: always this case
    data = form.validate_with(serializer_class, extra=extra)
    saved = None
    if data is not None:
        saved = _service(form, lambda: _record(request, case, obj, data, owner))
    if saved is None:
        return None
    messages.success(request, done)
    return redirect("web:case-detail", case_id=case.pk)


def _part_page(request: HttpRequest, form: forms.SerializerForm, case: Case, title: str, *,
               survivors: bool = False, defendants: bool = False,
               delete_url: str | None = None) -> HttpResponse:
    """A part's form; the names its lists show are reads of those people, audited."""
    if survivors:
        _audit_shown(request, "survivor", list(
            CaseSurvivor.objects.filter(case=case).values_list("survivor_id", flat=True)))
    if defendants:
        _audit_shown(request, "trafficker", list(
            Defendant.objects.filter(case=case).values_list("trafficker_id", flat=True)))
    return render(request, "web/part_form.html",
                  {"form": form, "case": case, "title": title, "delete_url": delete_url},
                  status=400 if form.is_bound and form.has_messages() else 200)


def _record(request: HttpRequest, case: Case, obj: Any, data: dict[str, Any],
            owner: str) -> Any:
    parent = data.get(owner)
    web_services.belongs_to_case(case=case, field=owner, obj=parent)
    return case_services.record_save(actor=_staff(request), obj=obj, data=data,
                                     request=request)


# --- audit log and import -----------------------------------------------------------------


@require_http_methods(["GET"])
@staff_view(Capability.READ_AUDIT)
def audit_log(request: HttpRequest) -> HttpResponse:
    """The auditor's view: who did what, when; the log holds no identity."""
    entries, filter_form = selectors.audit_search(params=request.GET)
    form = forms.AuditSearchForm(request.GET or None)
    if filter_form.is_bound and not filter_form.is_valid():
        form.is_valid()
        for name, errors in filter_form.errors.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    return render(request, "web/audit_list.html",
                  {"form": form, "page": _page(request, entries),
                   "query": _query_without_page(request)})


@require_http_methods(["GET", "POST"])
@staff_view(Capability.IMPORT_REGISTERS)
def import_register(request: HttpRequest) -> HttpResponse:
    """Upload a register; nothing is written unless every line is valid or the user says so."""
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = _import(form.cleaned_data["register"], _staff(request),
                             form.cleaned_data["import_valid_rows"])
        except ImportRefused as exc:
            form.add_error("register", str(exc))
    return render(request, "web/import.html", {"form": form, "report": report})


def _import(upload: UploadedFile, actor: User, keep_valid: bool) -> Any:
    suffix = Path(upload.name or "").suffix.lower()
    with tempfile.TemporaryDirectory(prefix="systraite-import-") as folder:
        path = Path(folder) / f"register{suffix}"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        return register_import(path=path, actor=actor, import_valid_rows=keep_valid)
