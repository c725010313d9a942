from django.urls import path

from . import views

app_name = "inbox"

urlpatterns = [
    path("", views.message_list, name="list"),
    path("<int:message_id>/", views.message_open, name="open"),
    path("read/", views.messages_read, name="read_all"),
]
