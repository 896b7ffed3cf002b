"""Pages of the hub's dashboards: validate the filters, build one dashboard, render it.

Who sees what: an analyst (capability ``view_exact``) gets exact figures, a partner
(``view_protected``) protected ones; any other role gets 403; a visitor who is not
logged in (or has not passed the second factor) is sent to the log-in page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hub.accounts import services as account_services
from hub.accounts.otp import otp_required, session_verified
from hub.accounts.roles import Capability, has_capability
from hub.stats.publication import published_at, year_period
from hub.stats.query import Audience, StatsQueryError, disclosure_rules
from hub.stats.services import stats_read_audit

from . import boards
from .forms import FilterForm, Filters, LoginForm
from .selectors import place_label

View = Callable[..., HttpResponse]


def audience_of(request: HttpRequest) -> Audience | None:
    """The audience of a verified hub user with a dashboard role, else None."""
    role = getattr(request.user, "role", "")
    if has_capability(role, Capability.VIEW_EXACT):
        return Audience.ANALYST
    if has_capability(role, Capability.VIEW_PROTECTED):
        return Audience.PARTNER
    return None


def _verified(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.is_active) and (
        not otp_required() or session_verified(user)
    )


def dashboard_access(view: View) -> View:
    """Log-in page for visitors, 403 for roles without dashboards, else the view."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _verified(request):
            login = reverse("dashboards:login")
            return HttpResponseRedirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
        audience = audience_of(request)
        if audience is None:
            return render(request, "dashboards/forbidden.html", _chrome(request), status=403)
        request.audience = audience  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapped


def _chrome(request: HttpRequest, current: str = "", query: str = "") -> dict[str, Any]:
    """What the page frame needs: the dashboards menu and the user's audience."""
    audience = getattr(request, "audience", None)
    labels = {Audience.ANALYST: _("chiffres exacts"), Audience.PARTNER: _("chiffres protégés")}
    return {
        "nav": boards.menu() if audience is not None else [],
        "current": current,
        "query": query,
        "audience": audience,
        "audience_label": labels[audience] if audience is not None else "",
        "protected": audience == Audience.PARTNER,
        "rules": _rules(),
    }


def _rules() -> dict[str, int]:
    return {
        "threshold": settings.SYSTRAITE_DISCLOSURE_THRESHOLD,
        "rounding_base": settings.SYSTRAITE_ROUNDING_BASE,
    }


@require_GET
@dashboard_access
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboards/index.html", _chrome(request))


@require_GET
@dashboard_access
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    form = FilterForm(request.GET or None)
    valid = form.is_bound is False or form.is_valid()
    filters = form.filters() if form.is_bound and valid else FilterForm.default_filters()
    context = _chrome(request, slug, request.GET.urlencode() if valid else "")
    context.update(form=form, filters=filters, place=place_label(filters, get_language() or "fr"))
    if not valid:
        context["board"] = boards.empty(slug)
        return render(request, "dashboards/dashboard.html", context, status=400)
    try:
        context["board"] = boards.build(slug, filters, request.audience, get_language() or "fr")  # type: ignore[attr-defined]
    except StatsQueryError as error:
        form.add_error(None, error.message)
        context["board"] = boards.empty(slug)
        return render(request, "dashboards/dashboard.html", context, status=400)
    _audit_view(request, slug, filters)
    if request.audience is Audience.PARTNER:  # type: ignore[attr-defined]
        # Partners are served the published release of the year, not the latest data.
        context["published_at"] = published_at(period=year_period(filters.year),
                                               rules=disclosure_rules())
    return render(request, "dashboards/dashboard.html", context)


def _audit_view(request: HttpRequest, slug: str, filters: Filters) -> None:
    """An analyst's page of exact figures is audited (DESIGN.md), once per page."""
    if request.audience is not Audience.ANALYST:  # type: ignore[attr-defined]
        return
    stats_read_audit(
        request=request, table=f"dashboard:{slug}", what="page", detail=filters.as_detail()
    )


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """The web log-in form, on the accounts service (throttle, TOTP, audit)."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = reverse("dashboards:index")
    form = LoginForm(request.POST or None, otp=otp_required())
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            username, password, otp_token = form.credentials()
            account_services.user_login(
                request=request, username=username, password=password, otp_token=otp_token
            )
            return redirect(next_url)
        except account_services.LoginLocked:
            form.add_error(None, _("Trop d'essais ; réessayez plus tard."))
            status = 429
        except account_services.InvalidCredentials:
            form.add_error(None, _("Identifiant, mot de passe ou code invalide."))
            status = 401
    elif request.method == "POST":
        status = 400
    context = {**_chrome(request), "form": form, "next": next_url}
    return render(request, "dashboards/login.html", context, status=status)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    account_services.user_logout(request=request)
    return redirect("dashboards:login")
