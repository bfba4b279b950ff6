from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views, views_instagram

urlpatterns = [
    path("", views.home, name="home"),
    path("w/<slug:ws>/", views.dashboard, name="dashboard"),
    path("w/<slug:ws>/instagram/", views_instagram.instagram_accounts, name="instagram_accounts"),
    path("w/<slug:ws>/instagram/connect", views_instagram.instagram_connect, name="instagram_connect"),
    path("w/<slug:ws>/instagram/<int:pk>/refresh", views_instagram.instagram_refresh, name="instagram_refresh"),
    path("w/<slug:ws>/instagram/<int:pk>/disconnect", views_instagram.instagram_disconnect, name="instagram_disconnect"),
    path("instagram/callback", views_instagram.instagram_callback, name="instagram_callback"),
    path("notifications/<int:pk>/dismiss", views.notification_dismiss, name="notification_dismiss"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
