from django.urls import path

from . import api_tokens, employee, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.profile, name="profile"),
    path("employees/", employee.employee, name="employee"),
    path("search/", views.search, name="search"),
    path("items/<str:code>/", views.item, name="item"),
    path("api-tokens/", api_tokens.api_tokens, name="api_tokens"),
]
