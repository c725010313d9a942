from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.profile, name="profile"),
    path("items/<str:code>/", views.item, name="item"),
]
