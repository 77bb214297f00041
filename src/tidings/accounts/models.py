from __future__ import annotations

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import AbstractApplication

from tidings.core.ids import next_id


class AccountManager(BaseUserManager["Account"]):
    def get_by_natural_key(self, username: str | None) -> Account:
        from tidings.core.handles import handle_key

        return self.get(handle_key=handle_key(username or ""))


class Account(AbstractBaseUser):  # type: ignore[django-manager-missing]
    """A person's or an organisation's presence: what posts, follows and is followed."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", _("Personal")
        OFFICIAL = "official", _("Official")
        EXECUTIVE = "executive", _("Executive")
        BOT = "bot", _("Bot")

    id = models.BigIntegerField(primary_key=True, default=next_id, editable=False)
    handle = models.CharField(max_length=30)
    # The folded handle is what is unique; the skeleton refuses look-alikes (dell / deII).
    handle_key = models.CharField(max_length=120, unique=True)
    handle_skeleton = models.CharField(max_length=120, unique=True)
    display_name = models.CharField(max_length=30)
    email = models.EmailField(blank=True)
    bio = models.CharField(max_length=160, blank=True)
    avatar = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PERSONAL)
    # The organisation an official or executive account speaks for (shown with a verified badge).
    organisation = models.ForeignKey(
        "orgs.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="official_accounts",
    )
    language = models.CharField(max_length=10, blank=True, choices=settings.LANGUAGES)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    last_active_at = models.DateTimeField(default=timezone.now)
    # Set while this account's home timeline is kept in the timeline store.
    timeline_built_at = models.DateTimeField(null=True, blank=True)
    followers_count = models.IntegerField(default=0)
    following_count = models.IntegerField(default=0)
    posts_count = models.IntegerField(default=0)

    objects = AccountManager()

    USERNAME_FIELD = "handle_key"
    REQUIRED_FIELDS = []

    class Meta:
        indexes = [models.Index(fields=["email"])]

    def __str__(self) -> str:
        return f"@{self.handle}"


class TwoFactor(models.Model):
    """A person's TOTP (RFC 6238) authenticator. Unconfirmed while being set up; once confirmed,
    logging in asks for a code. `last_used_step` refuses the same code (or an older one) twice."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="two_factor")
    secret = models.CharField(max_length=64)  # base32, as the authenticator app shows it
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(default=0)

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class RecoveryCode(models.Model):
    """A single-use code for when the authenticator is lost. Only its hash is kept."""

    two_factor = models.ForeignKey(TwoFactor, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["two_factor", "code_hash"], name="recoverycode_unique")
        ]


class AccountSession(models.Model):
    """One signed-in browser: recorded at log-in so the person can see and end their sessions.
    The session itself lives in Django's session store under `session_key`."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ip = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["account", "last_seen_at"])]


class ClientApp(AbstractApplication):
    """An API client registered through `POST /api/v1/apps` (or a script's app made by the CLI):
    the OAuth 2 application with the scopes it may ask for and its website."""

    scopes: models.CharField[str, str] = models.CharField(max_length=500, default="read")
    website: models.URLField[str, str] = models.URLField(max_length=500, blank=True)

    class Meta(AbstractApplication.Meta):
        swappable = "OAUTH2_PROVIDER_APPLICATION_MODEL"

    def allows_grant_type(self, *grant_types: str) -> bool:
        # As in Mastodon, an app may use the code flow, client credentials and refresh tokens.
        return bool(set(grant_types) & {"authorization-code", "client-credentials", "refresh_token"})

    def get_allowed_schemes(self) -> list[str]:
        # Stock clients come back through their own schemes (an app's custom URL scheme) or
        # show the code to paste (the out-of-band URN).
        return [uri.split(":", 1)[0] for uri in self.redirect_uris.split() if ":" in uri]
