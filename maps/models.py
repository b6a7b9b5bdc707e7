"""Journey maps and their content.

Nothing outside maps/ops.py writes map content: every change goes through `apply_ops`
(docs/architecture.md, "The one change path"), which keeps `revision` and the op log complete.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from workspaces.models import ROLE_RANK, MapAccess, MapRole, Membership

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


class MapType(models.TextChoices):
    CURRENT = "current", _("Current state")
    FUTURE = "future", _("Future state")
    DAY_IN_LIFE = "day_in_life", _("Day in the life")
    BLUEPRINT = "blueprint", _("Service blueprint")


class Audience(models.TextChoices):
    B2C = "b2c", _("B2C")
    B2B = "b2b", _("B2B")


class MapStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    ARCHIVED = "archived", _("Archived")


class Language(models.TextChoices):
    VI = "vi", "Tiếng Việt"
    EN = "en", "English"


class Phase(models.TextChoices):
    BEFORE = "before", _("Before purchase")
    DURING = "during", _("During purchase")
    AFTER = "after", _("After purchase")


class LaneKind(models.TextChoices):
    ACTIONS = "actions", _("Actions")
    MOTIVATIONS = "motivations", _("Motivations")
    OBSTACLES = "obstacles", _("Obstacles / pain points")
    THOUGHTS = "thoughts", _("Thoughts / questions")
    EMOTIONS = "emotions", _("Emotions")
    TOUCHPOINTS = "touchpoints", _("Touchpoints")
    OPPORTUNITIES = "opportunities", _("Opportunities")
    OWNERS = "owners", _("Owners / teams")
    METRICS = "metrics", _("Metrics / KPIs")
    CONTENT = "content", _("Content")
    CHANNELS = "channels", _("Channels")
    FRONTSTAGE = "frontstage", _("Frontstage actions")
    BACKSTAGE = "backstage", _("Backstage actions")
    SUPPORT = "support", _("Support processes")
    POLICIES = "policies", _("Policies")
    TECHNOLOGY = "technology", _("Technology")
    ACTION_PLAN = "action_plan", _("Action plan")
    TEXT = "text", _("Free text")


class ItemKind(models.TextChoices):
    CARD = "card", _("Card")
    TOUCHPOINT = "touchpoint", _("Touchpoint")
    EMOTION = "emotion", _("Emotion point")
    METRIC = "metric", _("Metric")
    ACTION = "action", _("Action item")


# The kind of item a lane holds; every lane kind not named here holds text cards.
ITEM_KIND_OF_LANE = {
    LaneKind.TOUCHPOINTS: ItemKind.TOUCHPOINT,
    LaneKind.EMOTIONS: ItemKind.EMOTION,
    LaneKind.METRICS: ItemKind.METRIC,
    LaneKind.ACTION_PLAN: ItemKind.ACTION,
}


def item_kind_for_lane(lane_kind: str) -> str:
    return ITEM_KIND_OF_LANE.get(LaneKind(lane_kind), ItemKind.CARD)


class Evidence(models.TextChoices):
    ASSUMPTION = "assumption", _("Assumption")
    ANECDOTE = "anecdote", _("Anecdote")
    RESEARCH = "research", _("Research-backed")
    DATA = "data", _("Data-backed")


class Trend(models.TextChoices):
    UP = "up", _("Up")
    DOWN = "down", _("Down")
    FLAT = "flat", _("Flat")


class ActionStatus(models.TextChoices):
    TODO = "todo", _("To do")
    DOING = "doing", _("In progress")
    DONE = "done", _("Done")


class OpportunityStatus(models.TextChoices):
    """Where an opportunity card stands in the portfolio's workflow (issue 15)."""

    IDEA = "idea", _("Idea")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class EmotionVariant(models.TextChoices):
    AS_IS = "as_is", _("As is")
    TO_BE = "to_be", _("To be")


class JourneyMapQuerySet(models.QuerySet["JourneyMap"]):
    def visible_to(self, user: User | AnonymousUser) -> JourneyMapQuerySet:
        if not user.is_authenticated:
            return self.none()
        member_of = Membership.objects.filter(user=user).values("workspace_id")
        granted = MapAccess.objects.filter(user=user).values("map_id")
        return self.filter(Q(workspace_id__in=member_of) | Q(id__in=granted))

    def role_of(self, *, map_id: uuid.UUID, user: User | AnonymousUser) -> str | None:
        """The user's role on a map by its id, in one query (the live path reads it often)."""
        if not user.is_authenticated:
            return None
        access = MapAccess.objects.filter(map_id=OuterRef("pk"), user=user).values("role")[:1]
        membership = Membership.objects.filter(
            workspace_id=OuterRef("workspace_id"), user=user
        ).values("role")[:1]
        roles = self.filter(pk=map_id).values_list(Subquery(access), Subquery(membership)).first()
        return strongest_role(*roles) if roles else None


class JourneyMap(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="maps"
    )
    title = models.CharField(_("title"), max_length=200)
    objective = models.TextField(_("objective"), max_length=4000, blank=True)
    type = models.CharField(
        _("type"), max_length=20, choices=MapType.choices, default=MapType.CURRENT
    )
    audience = models.CharField(max_length=3, choices=Audience.choices, default=Audience.B2C)
    scenario = models.TextField(_("scenario"), max_length=4000, blank=True)
    status = models.CharField(max_length=20, choices=MapStatus.choices, default=MapStatus.DRAFT)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.VI)
    next_review = models.DateField(_("next review"), null=True, blank=True)
    revision = models.PositiveIntegerField(default=0)
    # Moves on, in the same transaction, whenever someone's access to the map may have ended
    # (live/revocation.py). Every applied change carries the epoch it was committed under, so
    # a socket's room re-checks who may still read before handing on the first change of a
    # new epoch: no change made after a revocation reaches the revoked, whatever the order in
    # which the change and the news of the revocation cross the channel layer.
    access_epoch = models.PositiveBigIntegerField(default=0)
    template = models.CharField(max_length=80, blank=True)
    personas = models.ManyToManyField("personas.Persona", blank=True, related_name="maps")
    current_state = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="future_states",
        help_text="For a future-state map: the current-state map it improves on.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = JourneyMapQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("journey map")
        verbose_name_plural = _("journey maps")

    def __str__(self) -> str:
        return self.title

    @property
    def group_name(self) -> str:
        """The channel-layer group every socket on this map joins."""
        return f"map.{self.id}"

    def role_of(self, user: User | AnonymousUser) -> str | None:
        """The strongest of the user's explicit map role and the one their workspace implies."""
        return JourneyMap.objects.role_of(map_id=self.pk, user=user)


def strongest_role(map_role: str | None, workspace_role: str | None) -> str | None:
    """The role on a map given an explicit map role and a workspace membership role (either
    may be None): admins own every map of their workspace, members edit them."""
    roles = [map_role] if map_role else []
    if workspace_role:
        roles.append(MapRole.OWNER if workspace_role == Membership.Role.ADMIN else MapRole.EDITOR)
    if not roles:
        return None
    return max(roles, key=lambda role: ROLE_RANK[MapRole(role)])


class Ordered(models.Model):
    """Siblings ordered by a fractional-index key, ties broken by id (docs/protocol.md)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    map = models.ForeignKey(JourneyMap, on_delete=models.CASCADE, related_name="+")
    position = models.CharField(max_length=64)

    class Meta:
        abstract = True


class Stage(Ordered):
    map = models.ForeignKey(JourneyMap, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    phase = models.CharField(max_length=10, choices=Phase.choices, blank=True)
    color = models.CharField(max_length=7, blank=True)
    # Another map of the same workspace that details this stage (issue 15): set only by a
    # stage op, checked in maps/subjourneys.py (same workspace, readable, no cycle).
    subjourney = models.ForeignKey(
        JourneyMap, on_delete=models.SET_NULL, null=True, blank=True, related_name="parent_stages"
    )

    class Meta:
        verbose_name = _("stage")

    def __str__(self) -> str:
        return self.name


class Lane(Ordered):
    map = models.ForeignKey(JourneyMap, on_delete=models.CASCADE, related_name="lanes")
    kind = models.CharField(max_length=20, choices=LaneKind.choices)
    title = models.CharField(_("title"), max_length=120)
    description = models.CharField(_("description"), max_length=500, blank=True)
    collapsed = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("lane")

    def __str__(self) -> str:
        return self.title

    @property
    def item_kind(self) -> str:
        return item_kind_for_lane(self.kind)


class Item(Ordered):
    """Anything in a (lane, stage) cell. One table: the fields a kind does not use stay empty,
    and the fields kinds share (owner, phase, note, colour, evidence) exist once."""

    map = models.ForeignKey(JourneyMap, on_delete=models.CASCADE, related_name="items")
    lane = models.ForeignKey(Lane, on_delete=models.CASCADE, related_name="items")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=12, choices=ItemKind.choices, default=ItemKind.CARD)
    text = models.TextField(_("text"), max_length=2000, blank=True)
    color = models.CharField(max_length=7, blank=True)
    evidence = models.CharField(
        max_length=12, choices=Evidence.choices, default=Evidence.ASSUMPTION
    )
    source = models.CharField(_("research source"), max_length=1000, blank=True)
    # touchpoints; `impact` and `owner` also score and own an opportunity card
    channel = models.CharField(max_length=40, blank=True)
    online = models.BooleanField(null=True, blank=True)
    phase = models.CharField(max_length=10, choices=Phase.choices, blank=True)
    impact = models.PositiveSmallIntegerField(null=True, blank=True)
    importance = models.PositiveSmallIntegerField(null=True, blank=True)
    # touchpoints, action items and opportunity cards
    owner = models.CharField(_("owner"), max_length=120, blank=True)
    # emotion points
    score = models.SmallIntegerField(null=True, blank=True)
    note = models.CharField(max_length=1000, blank=True)
    persona = models.ForeignKey(
        "personas.Persona", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    variant = models.CharField(max_length=6, choices=EmotionVariant.choices, blank=True)
    # metrics
    name = models.CharField(max_length=120, blank=True)
    value = models.FloatField(null=True, blank=True)
    target = models.FloatField(null=True, blank=True)
    unit = models.CharField(max_length=20, blank=True)
    trend = models.CharField(max_length=5, choices=Trend.choices, blank=True)
    # action items (and opportunity cards: due, status of OpportunityStatus)
    due = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=11, blank=True)
    # opportunity cards: the rest of a RICE score (impact above), 1–5, people, percent
    effort = models.PositiveSmallIntegerField(null=True, blank=True)
    reach = models.PositiveIntegerField(null=True, blank=True)
    confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    fixes = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="fixed_by"
    )

    class Meta:
        verbose_name = _("item")
        indexes = [models.Index(fields=["map", "kind"])]

    def __str__(self) -> str:
        return self.text[:60] or self.name or str(self.id)


class TouchpointManager(models.Manager[Item]):
    def get_queryset(self) -> models.QuerySet[Item]:
        return super().get_queryset().filter(kind=ItemKind.TOUCHPOINT)


class Touchpoint(Item):
    """Touchpoints are items of the touchpoint kind: one table, shared fields once."""

    objects = TouchpointManager()  # type: ignore[assignment,misc]

    class Meta:
        proxy = True
        verbose_name = _("touchpoint")
        verbose_name_plural = _("touchpoints")


class Link(models.Model):
    """A connection between two items, for non-linear journeys ("loops back to")."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    map = models.ForeignKey(JourneyMap, on_delete=models.CASCADE, related_name="links")
    source = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="links_in")
    label = models.CharField(max_length=120, blank=True)

    class Meta:
        verbose_name = _("link")

    def __str__(self) -> str:
        return self.label or f"{self.source_id} → {self.target_id}"


class Comment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    map = models.ForeignKey(JourneyMap, on_delete=models.CASCADE, related_name="comments")
    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    stage = models.ForeignKey(
        Stage, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(max_length=4000)
    mentions = models.JSONField(default=list, blank=True)
    resolved = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("comment")

    def __str__(self) -> str:
        return self.text[:60]


class Change(models.Model):
    """The op log: one row per applied change, in revision order."""

    map = models.ForeignKey(JourneyMap, on_delete=models.CASCADE, related_name="changes")
    revision = models.PositiveIntegerField()
    change_id = models.UUIDField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    session = models.CharField(max_length=64, blank=True)
    ops = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["map", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["map", "revision"], name="one_change_per_revision"),
            models.UniqueConstraint(fields=["map", "change_id"], name="change_id_applied_once"),
        ]
        verbose_name = _("change")

    def __str__(self) -> str:
        return f"{self.map_id}@{self.revision}"


class Version(models.Model):
    """A snapshot of the map document at a revision: named by a user, or automatic."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    map = models.ForeignKey(JourneyMap, on_delete=models.CASCADE, related_name="versions")
    revision = models.PositiveIntegerField()
    name = models.CharField(max_length=120, blank=True)
    document = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["map", "-revision"]
        indexes = [models.Index(fields=["map", "revision"])]
        verbose_name = _("version")

    def __str__(self) -> str:
        return self.name or f"snapshot @{self.revision}"
