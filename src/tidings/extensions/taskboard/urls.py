from django.urls import path

from tidings.extensions.taskboard import views

urlpatterns = [
    path("", views.mine),
    path("new/", views.new),
    path("board/", views.board),
    path("<int:task_id>/", views.task),
]
