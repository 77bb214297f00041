from django.urls import path

from tidings.web.views import accounts, actions, messages, notifications, pages, social, spaces, stream
from tidings.web.views import media as media_views

app_name = "web"

urlpatterns = [
    path("", pages.home, name="home"),
    path("public/", pages.public, name="public"),
    path("healthz", pages.healthz, name="healthz"),
    path("signup/", accounts.signup, name="signup"),
    path("login/", accounts.login_view, name="login"),
    path("logout/", accounts.logout_view, name="logout"),
    path("settings/", accounts.settings_view, name="settings"),
    path("settings/avatar/", accounts.avatar, name="avatar"),
    path("compose/", actions.compose, name="compose"),
    path("favourites/", pages.favourites, name="favourites"),
    path("p/<int:post_id>/", pages.post_detail, name="post"),
    path("p/<int:post_id>/card/", pages.post_card, name="post_card"),
    path("p/<int:post_id>/history/", pages.post_history, name="post_history"),
    path("p/<int:post_id>/comment/", actions.comment, name="comment"),
    path("p/<int:post_id>/repost/", actions.repost, name="repost"),
    path("p/<int:post_id>/edit/", actions.edit, name="edit"),
    path("p/<int:post_id>/delete/", actions.delete, name="delete"),
    path("p/<int:post_id>/pin/", spaces.pin, {"action": "pin"}, name="pin"),
    path("p/<int:post_id>/unpin/", spaces.pin, {"action": "unpin"}, name="unpin"),
    path("p/<int:post_id>/<str:action>/", actions.toggle, name="toggle"),
    path("spaces/", spaces.spaces, name="spaces"),
    path("o/<slug:slug>/", spaces.space, name="space"),
    path("o/<slug:slug>/members/", spaces.members, name="members"),
    path("o/<slug:slug>/groups/new/", spaces.group_create, name="group_create"),
    path("o/<slug:slug>/g/<int:group_id>/", spaces.group, name="group"),
    path("o/<slug:slug>/g/<int:group_id>/<str:action>/", spaces.group_action, name="group_action"),
    path("brand/<slug:slug>/", spaces.brand, name="brand"),
    path("join/<str:token>/", spaces.accept_invitation, name="accept_invitation"),
    path("topics/<path:name>/", pages.topic, name="topic"),
    path("notifications/", notifications.index, name="notifications"),
    path("notifications/read/", notifications.mark_read, name="notifications_read"),
    path("messages/", messages.index, name="messages"),
    path("messages/@<str:handle>/", messages.conversation, name="conversation"),
    path("events/", stream.events, name="events"),
    path("media/<path:relative>", media_views.serve, name="media"),
    path("@<str:handle>/", pages.profile, name="profile"),
    path("@<str:handle>/followers/", pages.followers, name="followers"),
    path("@<str:handle>/following/", pages.following, name="following"),
    path("@<str:handle>/<str:action>/", social.relation, name="relation"),
]
