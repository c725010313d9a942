from django.urls import path

from . import employee, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.profile, name="profile"),
    path("employees/", employee.employee, name="employee"),
    path("search/", views.search, name="search"),
    path("items/<str:code>/", views.item, name="item"),
]
