from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("tidings.api.urls")),
    path("", include("tidings.web.urls")),
]

handler404 = "tidings.web.views.errors.not_found"
handler500 = "tidings.web.views.errors.server_error"
