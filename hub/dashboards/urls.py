"""Routes of the dashboards, mounted at the root of the hub.

Every dashboard of ``boards.BOARDS`` gets one route; tests/hub/dashboards reads this
list so that a dashboard cannot escape the role matrix.
"""

from django.urls import path
from django.views.i18n import set_language

from . import boards, views

app_name = "dashboards"

urlpatterns = [
    path("", views.index, name="index"),
    path("connexion/", views.login, name="login"),
    path("deconnexion/", views.logout, name="logout"),
    path("langue/", set_language, name="set-language"),
    *(
        path(f"tableaux/{board.path}/", views.dashboard, {"slug": board.slug}, name=board.slug)
        for board in boards.BOARDS
    ),
]
