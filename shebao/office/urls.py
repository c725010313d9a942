from django.urls import path

from . import views
from .pages import collect_urlpatterns

app_name = "office"

urlpatterns = [
    path("", views.home, name="home"),
    *collect_urlpatterns(),
]
