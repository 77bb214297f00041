"""The client API: Mastodon's routes (/api/v1, /api/v2) and OAuth (/oauth, /.well-known)."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpResponseBase
from django.urls import URLPattern, include, path, re_path

from tidings.api import hooks
from tidings.api.mastodon import accounts, instance, notifications, openapi, statuses, streaming, timelines
from tidings.api.native import reference
from tidings.api.native.api import api as native_api
from tidings.api.oauth import views as oauth


def endpoint(route: str, view: Callable[..., HttpResponseBase], name: str) -> URLPattern:
    """A route that also answers with a trailing slash, as Mastodon's (Rails) routes do: some
    clients ask for /api/v1/instance/."""
    regex = re.sub(r"<str:(\w+)>", r"(?P<\1>[^/]+)", route)
    return re_path(rf"^{regex}/?$", view, name=name)


oauth_patterns = [
    endpoint("authorize", oauth.Authorize.as_view(), name="authorize"),
    endpoint("token", oauth.Token.as_view(), name="token"),
    endpoint("revoke", oauth.Revoke.as_view(), name="revoke"),
]

S = "<str:status_id>"
A = "<str:account_id>"

mastodon_patterns = [
    endpoint("v1/apps", oauth.create_app, name="apps"),
    endpoint("v1/apps/verify_credentials", oauth.verify_app, name="apps_verify"),
    endpoint(r"v1/openapi\.json", openapi.serve, name="openapi"),
    endpoint("v1/instance", instance.instance_v1, name="instance_v1"),
    endpoint("v2/instance", instance.instance_v2, name="instance_v2"),
    endpoint("v1/custom_emojis", instance.empty_list, name="custom_emojis"),
    endpoint("v1/announcements", instance.empty_list, name="announcements"),
    endpoint("v2/filters", instance.empty_list, name="filters"),
    endpoint("v1/filters", instance.empty_list, name="filters_v1"),
    endpoint("v1/follow_requests", instance.empty_list, name="follow_requests"),
    endpoint("v1/preferences", instance.preferences, name="preferences"),
    endpoint("v1/markers", instance.markers, name="markers"),
    endpoint("v1/trends", instance.trends_tags, name="trends"),
    endpoint("v1/trends/tags", instance.trends_tags, name="trends_tags"),
    endpoint("v2/search", instance.search_v2, name="search"),
    # accounts
    endpoint("v1/accounts/verify_credentials", accounts.verify_credentials, name="verify_credentials"),
    endpoint("v1/accounts/update_credentials", accounts.update_credentials, name="update_credentials"),
    endpoint("v1/accounts/lookup", accounts.lookup, name="account_lookup"),
    endpoint("v1/accounts/relationships", accounts.relationships, name="relationships"),
    endpoint("v1/accounts/search", accounts.search, name="account_search"),
    endpoint(f"v1/accounts/{A}", accounts.get, name="account"),
    endpoint(f"v1/accounts/{A}/statuses", accounts.statuses, name="account_statuses"),
    endpoint(f"v1/accounts/{A}/followers", accounts.followers, name="account_followers"),
    endpoint(f"v1/accounts/{A}/following", accounts.following, name="account_following"),
    endpoint(f"v1/accounts/{A}/follow", accounts.follow, name="account_follow"),
    endpoint(f"v1/accounts/{A}/unfollow", accounts.unfollow, name="account_unfollow"),
    endpoint(f"v1/accounts/{A}/block", accounts.block, name="account_block"),
    endpoint(f"v1/accounts/{A}/unblock", accounts.unblock, name="account_unblock"),
    endpoint(f"v1/accounts/{A}/mute", accounts.mute, name="account_mute"),
    endpoint(f"v1/accounts/{A}/unmute", accounts.unmute, name="account_unmute"),
    # statuses
    endpoint("v1/statuses", statuses.create, name="statuses"),
    endpoint(f"v1/statuses/{S}", statuses.status_route, name="status"),
    endpoint(f"v1/statuses/{S}/context", statuses.context, name="status_context"),
    endpoint(f"v1/statuses/{S}/history", statuses.history, name="status_history"),
    endpoint(f"v1/statuses/{S}/source", statuses.source, name="status_source"),
    endpoint(f"v1/statuses/{S}/reblogged_by", statuses.reblogged_by, name="status_reblogged_by"),
    endpoint(f"v1/statuses/{S}/favourited_by", statuses.favourited_by, name="status_favourited_by"),
    endpoint(f"v1/statuses/{S}/favourite", statuses.favourite, name="status_favourite"),
    endpoint(f"v1/statuses/{S}/unfavourite", statuses.unfavourite, name="status_unfavourite"),
    endpoint(f"v1/statuses/{S}/reblog", statuses.reblog, name="status_reblog"),
    endpoint(f"v1/statuses/{S}/unreblog", statuses.unreblog, name="status_unreblog"),
    endpoint(f"v1/statuses/{S}/bookmark", statuses.bookmark, name="status_bookmark"),
    endpoint(f"v1/statuses/{S}/unbookmark", statuses.unbookmark, name="status_unbookmark"),
    endpoint(f"v1/statuses/{S}/pin", statuses.pin, name="status_pin"),
    endpoint(f"v1/statuses/{S}/unpin", statuses.unpin, name="status_unpin"),
    endpoint("v1/polls/<str:poll_id>", statuses.poll, name="poll"),
    endpoint("v1/polls/<str:poll_id>/votes", statuses.poll_vote, name="poll_vote"),
    # timelines and lists
    endpoint("v1/timelines/home", timelines.home, name="timeline_home"),
    endpoint("v1/timelines/public", timelines.public, name="timeline_public"),
    endpoint("v1/timelines/tag/<str:name>", timelines.tag, name="timeline_tag"),
    endpoint("v1/timelines/list/<str:list_id>", timelines.list_timeline, name="timeline_list"),
    endpoint("v1/lists", timelines.lists, name="lists"),
    endpoint("v1/lists/<str:list_id>", timelines.list_detail, name="list"),
    endpoint("v1/bookmarks", timelines.bookmarks, name="bookmarks"),
    endpoint("v1/favourites", timelines.favourites, name="favourites"),
    # notifications, conversations, media
    endpoint("v1/notifications", notifications.index, name="notifications"),
    endpoint("v1/notifications/clear", notifications.clear, name="notifications_clear"),
    endpoint("v1/notifications/unread_count", notifications.unread_count, name="notifications_unread"),
    endpoint("v1/notifications/<str:notification_id>", notifications.detail, name="notification"),
    endpoint(
        "v1/notifications/<str:notification_id>/dismiss", notifications.dismiss, name="notification_dismiss"
    ),
    endpoint("v1/conversations", notifications.conversations, name="conversations"),
    endpoint(
        "v1/conversations/<str:conversation_id>/read",
        notifications.conversation_read,
        name="conversation_read",
    ),
    endpoint(
        "v1/conversations/<str:conversation_id>", notifications.conversation_delete, name="conversation"
    ),
    endpoint("v2/media", notifications.upload, name="media_v2"),
    endpoint("v1/media", notifications.upload, name="media_v1"),
    endpoint("v1/media/<str:media_id>", notifications.media_detail, name="media"),
    # streaming, as server-sent events
    endpoint("v1/streaming/health", streaming.health, name="streaming_health"),
    endpoint("v1/streaming/user", streaming.user, name="streaming_user"),
    endpoint("v1/streaming/user/notification", streaming.user_notification, name="streaming_notification"),
    endpoint("v1/streaming/public", streaming.public, name="streaming_public"),
    endpoint("v1/streaming/public/local", streaming.public, name="streaming_public_local"),
    endpoint("v1/streaming/hashtag", streaming.hashtag, name="streaming_hashtag"),
    endpoint("v1/streaming/hashtag/local", streaming.hashtag, name="streaming_hashtag_local"),
    endpoint("v1/streaming/list", streaming.list_stream, name="streaming_list"),
    endpoint("v1/streaming/direct", streaming.direct, name="streaming_direct"),
]

urlpatterns = [
    path("api/tidings/v1/reference", reference.page, name="native_reference"),
    path("api/tidings/v1/", native_api.urls),
    path("oauth/", include((oauth_patterns, "oauth"))),
    endpoint(".well-known/oauth-authorization-server", oauth.metadata, name="oauth_metadata"),
    path("api/", include((mastodon_patterns, "mastodon"))),
    path("hooks/<int:bot_id>", hooks.incoming, name="hook"),
    path("hooks/<int:bot_id>/<str:token>", hooks.incoming, name="hook_with_token"),
    # Anything else under /api/ (push subscriptions, filters v1 writes, admin...) is a JSON 404,
    # so a client reads an error rather than a web page.
    re_path(r"^api/", instance.no_such_route, name="api_missing"),
]
