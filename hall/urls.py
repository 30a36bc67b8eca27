from django.urls import path

from . import views

app_name = "hall"

urlpatterns = [
    path("book/", views.book, name="book"),
    path("book/<int:pk>/change/", views.change, name="change"),
    path("book/<int:pk>/cancel/", views.appointment_act, {"action": "cancel"}, name="cancel"),
    path("book/<int:pk>/check-in/", views.appointment_act, {"action": "check_in"}, name="check_in"),
    path("kiosk/", views.kiosk, name="kiosk"),
    path("kiosk/<int:pk>/", views.kiosk_ticket, name="kiosk_ticket"),
    path("console/", views.console, name="console"),
    path("console/<slug:action>/", views.console_act, name="console_act"),
    path("screen/", views.screen, name="screen"),
    path("rate/<str:token>/", views.rate, name="rate"),
    path("device/<str:token>/", views.device, name="device"),
    path("device/<str:token>/next/", views.device_next, name="device_next"),
]
