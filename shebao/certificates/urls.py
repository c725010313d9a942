from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("verify/certificate/<str:number>/", views.verify, name="verify"),
]
