"""Routes of the accounts app (namespace "accounts"): home, sign-in and passwords, Instagram connections, notifications."""

from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from accounts.views import home, instagram, invitations, team, two_factor, workspaces

app_name = "accounts"

workspace_patterns = [
    path("instagram/", instagram.instagram_accounts, name="instagram_accounts"),
    path("instagram/connect", instagram.instagram_connect, name="instagram_connect"),
    path("instagram/<int:pk>/refresh", instagram.instagram_refresh, name="instagram_refresh"),
    path("instagram/<int:pk>/disconnect", instagram.instagram_disconnect, name="instagram_disconnect"),
    path("team/", team.team, name="team"),
    path("team/invite", team.team_invite, name="team_invite"),
    path("team/<int:pk>/role", team.team_role, name="team_role"),
    path("team/<int:pk>/remove", team.team_remove, name="team_remove"),
    path("team/<int:pk>/reset-two-factor", team.team_reset_two_factor, name="team_reset_two_factor"),
    path("team/invitations/<int:pk>/resend", team.invitation_resend, name="invitation_resend"),
    path("team/invitations/<int:pk>/revoke", team.invitation_revoke, name="invitation_revoke"),
    path("settings/", workspaces.workspace_settings, name="workspace_settings"),
]

urlpatterns = [
    path("", home.home, name="home"),
    path("w/<slug:ws>/", include(workspace_patterns)),
    # One callback for every workspace: the workspace travels in the signed OAuth `state`.
    path("instagram/callback", instagram.instagram_callback, name="instagram_callback"),
    path("invite/<str:token>/", invitations.invitation_accept_view, name="invitation_accept"),
    path("workspaces/", workspaces.workspace_list, name="workspace_list"),
    path("workspaces/<slug:slug>/archive", workspaces.workspace_archive, name="workspace_archive"),
    path("notifications/<int:pk>/dismiss", home.notification_dismiss, name="notification_dismiss"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/two-factor/", two_factor.two_factor_verify, name="two_factor_verify"),
    path("accounts/two-factor/setup/", two_factor.two_factor_setup, name="two_factor_setup"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("accounts:password_change_done")),
        name="password_change",
    ),
    path("accounts/password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(
            success_url=reverse_lazy("accounts:password_reset_done"),
            email_template_name="registration/password_reset_email.txt",
        ),
        name="password_reset",
    ),
    path("accounts/password/reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("accounts:password_reset_complete")),
        name="password_reset_confirm",
    ),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
