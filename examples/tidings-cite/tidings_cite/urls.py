from django.urls import path

from tidings_cite import views

urlpatterns = [path("", views.cite)]
