from django.urls import path

from . import views

urlpatterns = [
    path("receipt/<str:number>/<str:code>/", views.verify_receipt, name="verify_receipt"),
]
