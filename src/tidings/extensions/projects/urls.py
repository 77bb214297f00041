from django.urls import path

from tidings.extensions.projects import views

urlpatterns = [
    path("", views.projects),
    path("<int:project_id>/", views.project),
    path("<int:project_id>/digests/<int:digest_id>/", views.digest),
]
