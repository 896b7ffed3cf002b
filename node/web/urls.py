"""Pages of the web interface, in French paths; every name here is in the
authorisation matrix of tests/node/web (a new one fails it until added)."""

from django.urls import path
from django.views.i18n import set_language

from node.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", views.login_view, name="login"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("langue/", set_language, name="set-language"),
    path("affaires/", views.case_list, name="case-list"),
    path("affaires/nouvelle/", views.case_create, name="case-create"),
    path("affaires/<int:case_id>/", views.case_detail, name="case-detail"),
    path("affaires/<int:case_id>/modifier/", views.case_edit, name="case-edit"),
    path("affaires/<int:case_id>/actes/", views.step_add, name="step-add"),
    path("affaires/<int:case_id>/actes/<int:step_id>/annulation/", views.step_void,
         name="step-void"),
    path("affaires/<int:case_id>/victimes/", views.survivor_add, name="survivor-add"),
    path("affaires/<int:case_id>/victimes/<int:survivor_id>/", views.survivor_edit,
         name="survivor-edit"),
    path("affaires/<int:case_id>/prevenus/", views.defendant_add, name="defendant-add"),
    path("affaires/<int:case_id>/prevenus/<int:trafficker_id>/", views.trafficker_edit,
         name="trafficker-edit"),
    path("affaires/<int:case_id>/exploitations/", views.exploitation_add,
         name="exploitation-add"),
    path("affaires/<int:case_id>/exploitations/<int:exploitation_id>/",
         views.exploitation_edit, name="exploitation-edit"),
    path("affaires/<int:case_id>/exploitations/<int:exploitation_id>/suppression/",
         views.exploitation_delete, name="exploitation-delete"),
    path("affaires/<int:case_id>/charges/", views.charge_add, name="charge-add"),
    path("affaires/<int:case_id>/charges/<int:charge_id>/", views.charge_edit,
         name="charge-edit"),
    path("affaires/<int:case_id>/charges/<int:charge_id>/suppression/", views.charge_delete,
         name="charge-delete"),
    path("affaires/<int:case_id>/evenements/", views.event_add, name="event-add"),
    path("affaires/<int:case_id>/evenements/<int:event_id>/", views.event_edit,
         name="event-edit"),
    path("affaires/<int:case_id>/evenements/<int:event_id>/suppression/", views.event_delete,
         name="event-delete"),
    path("affaires/<int:case_id>/orientations/", views.referral_add, name="referral-add"),
    path("affaires/<int:case_id>/orientations/<int:referral_id>/", views.referral_edit,
         name="referral-edit"),
    path("affaires/<int:case_id>/orientations/<int:referral_id>/suppression/",
         views.referral_delete, name="referral-delete"),
    path("journal/", views.audit_log, name="audit-log"),
    path("import/", views.import_register, name="import"),
]
