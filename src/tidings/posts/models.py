from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tidings.core.models import SnowflakeModel


class Audience(models.TextChoices):
    PUBLIC = "public", _("Public")
    FOLLOWERS = "followers", _("Followers")
    ORGANISATION = "org", _("Organisation")
    GROUP = "group", _("Group")
    # 私信: the two people of a conversation, and nobody else.
    DIRECT = "direct", _("Direct")


# What lives outside every space and conversation: only these reach homes, profiles and counts
# (an internal post adds nothing that an outsider could read as a number).
OUTSIDE = (Audience.PUBLIC, Audience.FOLLOWERS)


class Flavour(models.TextChoices):
    POST = "", _("Post")
    ANNOUNCEMENT = "announcement", _("Announcement (everyone must read)")
    QUESTION = "question", _("Question")


class Post(SnowflakeModel):
    """A post, a repost (with or without a comment) or a comment under a post."""

    class Kind(models.TextChoices):
        POST = "post", _("Post")
        REPOST = "repost", _("Repost")
        COMMENT = "comment", _("Comment")

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.POST)
    # For a repost: the whole text including the chain ("my words //@bob: his words").
    text = models.TextField(blank=True)
    audience = models.CharField(max_length=12, choices=Audience.choices, default=Audience.PUBLIC)
    # Whose audience rules apply: the author, or for a comment the author of the post it is under.
    audience_owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The space an internal post stays in: an organisation, and within it perhaps a group.
    organisation = models.ForeignKey(
        "orgs.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    group = models.ForeignKey(
        "groups.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # A direct post (a message) belongs to the conversation of its two people.
    conversation = models.ForeignKey(
        "notifications.Conversation", null=True, blank=True, on_delete=models.CASCADE, related_name="posts"
    )
    # Reposts point at the original (what is shown) and at the post they reposted (the chain).
    repost_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reposts"
    )
    repost_parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Comments point at the post they sit under (root) and the comment they answer (reply_to).
    root = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    # The language the author says it is in (an ISO 639 code), when a client tells.
    language = models.CharField(max_length=8, blank=True)
    # Held by an organisation's policy rule: seen by nobody but its author until let out.
    held = models.BooleanField(default=False)
    # Inside an organisation a post may be an announcement (must read) or a question.
    flavour = models.CharField(max_length=12, choices=Flavour.choices, default=Flavour.POST, blank=True)
    accepted_answer = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    likes_count = models.IntegerField(default=0)
    reposts_count = models.IntegerField(default=0)
    comments_count = models.IntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["author", "kind", "id"]),
            models.Index(fields=["kind", "audience", "id"]),
            models.Index(fields=["root", "id"]),
            models.Index(fields=["organisation", "audience", "kind", "id"]),
            models.Index(fields=["group", "kind", "id"]),
            models.Index(fields=["conversation", "id"]),
        ]
        constraints = [
            # One plain repost (no words of one's own) of a post per person.
            models.UniqueConstraint(
                fields=["author", "repost_of"],
                condition=models.Q(kind="repost", text=""),
                name="post_one_plain_repost",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"

    @property
    def audience_name(self) -> str:
        """The audience as the APIs name it: public, followers, org:<slug>, group:<id> or direct
        (fetch `organisation` with the post)."""
        if self.audience == Audience.ORGANISATION and self.organisation is not None:
            return f"org:{self.organisation.slug}"
        if self.audience == Audience.GROUP and self.group_id:
            return f"group:{self.group_id}"
        return str(self.audience)


class PostEdit(models.Model):
    """An earlier version of a post's text, kept when it is edited."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="edits")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)


class Media(SnowflakeModel):
    """An uploaded picture, re-encoded; attached to at most one post."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="media")
    position = models.SmallIntegerField(default=0)
    file = models.CharField(max_length=200)
    thumbnail = models.CharField(max_length=200)
    width = models.IntegerField()
    height = models.IntegerField()
    thumb_width = models.IntegerField()
    thumb_height = models.IntegerField()
    description = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["position", "id"]


class Topic(models.Model):
    """A #topic#, one per folded name (#戴爾# and #戴尔# are one)."""

    key = models.CharField(max_length=200, unique=True)
    name = models.CharField(max_length=64)
    posts_count = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"#{self.name}#"


class PostTopic(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="links")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["topic", "post"], name="posttopic_unique")]


class Mention(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "account"], name="mention_unique")]


class Like(models.Model):
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "post"], name="like_unique")]


class Favourite(models.Model):
    """收藏: a private bookmark."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "post"], name="favourite_unique")]
        indexes = [models.Index(fields=["account", "-id"])]


class ReadReceipt(models.Model):
    """Who has read an announcement, for the admins who need everyone to."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="receipts")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "account"], name="readreceipt_unique")]


class ProfilePin(models.Model):
    """A post its author pinned to the top of their profile."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "post"], name="profilepin_unique")]


class IdempotencyKey(models.Model):
    """A client's Idempotency-Key for a post it created: sent again, it gets that post back."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "key"], name="idempotency_unique")]


class Poll(SnowflakeModel):
    """A poll attached to a post: its options, whether several may be chosen, when it closes."""

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="poll")
    options = models.JSONField(default=list)
    multiple = models.BooleanField(default=False)
    # Results are hidden from voters until the poll closes, when the author asks for it.
    hide_totals = models.BooleanField(default=False)
    expires_at = models.DateTimeField()
    voters_count = models.IntegerField(default=0)
    votes_count = models.IntegerField(default=0)

    @property
    def expired(self) -> bool:
        return timezone.now() >= self.expires_at


class PollVote(models.Model):
    """One choice of one account in a poll (several rows for a multiple-choice vote)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    choice = models.SmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "account", "choice"], name="pollvote_unique")]
        indexes = [models.Index(fields=["poll", "choice"])]


class AppCard(models.Model):
    """What an app attaches to a post it made (a new task, a project's update): a title, a few
    lines and a link to the app's page, shown under the text and, in Mastodon clients, as the
    post's preview card. A snapshot of the moment, written once with the post."""

    post = models.OneToOneField(Post, primary_key=True, on_delete=models.CASCADE, related_name="app_card")
    app = models.CharField(max_length=40)
    icon = models.CharField(max_length=8)
    title = models.CharField(max_length=100)
    lines = models.JSONField(default=list)  # [[label, value], ...], at most four
    path = models.CharField(max_length=300)  # on this server, e.g. /apps/tasks/<id>/
