"""Audit receivers: sign-ins (django.contrib.auth's signal), and changes to who is staff or superuser
and to users' groups and permissions.

Those changes are caught on the model's own save and many-to-many paths, the one place every path
goes through: the admin, the services (make_steward), `createsuperuser` and the shell alike. Inside a
request the acting person and address come from AuditRequestMiddleware; elsewhere the event has no
actor. (QuerySet.update() and raw SQL bypass these signals; the hub uses neither for these fields.)
Failed sign-ins are counted by the sign-in backend instead (apps/accounts/backends.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from apps.accounts.middleware import SessionIdleMiddleware
from apps.accounts.models import User
from apps.audit.services import current_request, record_event

PRIVILEGES = ("is_staff", "is_superuser")


@receiver(user_logged_in)
def _signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record_event(actor=user, action="auth.sign_in", request=request)
    SessionIdleMiddleware.renewed(request.session)  # saved with the sign-in, not by the next request


def _record(action: str, user: User, data: dict[str, Any]) -> None:
    request = current_request.get()
    record_event(
        actor=getattr(request, "user", None),
        action=action,
        target=user,
        request=request,
        data={"email": user.email, **data},
    )


@receiver(pre_save, sender=User)
def _privileges_before(sender: Any, instance: User, raw: bool, update_fields: Any, **kwargs: Any) -> None:
    if raw or (update_fields is not None and not set(update_fields) & set(PRIVILEGES)):
        return
    before = User.objects.filter(pk=instance.pk).values(*PRIVILEGES).first() if instance.pk else None
    instance.__dict__["_privileges_before"] = before or dict.fromkeys(PRIVILEGES, False)


@receiver(post_save, sender=User)
def _privileges_changed(sender: Any, instance: User, raw: bool, **kwargs: Any) -> None:
    before = instance.__dict__.pop("_privileges_before", None)
    if raw or before is None:
        return
    changes = {
        name: [before[name], getattr(instance, name)]
        for name in PRIVILEGES
        if before[name] != getattr(instance, name)
    }
    if changes:
        _record("user.privileges", instance, changes)


def _names(model: Any, ids: Iterable[int]) -> list[str]:
    if model is Group:
        return sorted(Group.objects.filter(pk__in=ids).values_list("name", flat=True))
    permissions = Permission.objects.filter(pk__in=ids).select_related("content_type")
    return sorted(f"{p.content_type.app_label}.{p.codename}" for p in permissions)


def _membership_changed(
    action_name: str, field: str, instance: Any, action: str, reverse: bool, pk_set: set[int] | None
) -> None:
    """Record one event per user whose groups (or permissions) were added to or removed from.

    Additions are recorded after they are made (Django then passes only the new ones); removals and
    clears before, while what is about to go can still be read. Either way inside the change's
    transaction. `reverse` is group.user_set (or permission.user_set): `instance` is then the group.
    """
    if action not in ("post_add", "pre_remove", "pre_clear"):
        return
    model = Group if field == "groups" else Permission
    column = "group_id" if field == "groups" else "permission_id"
    mine, theirs = (column, "user_id") if reverse else ("user_id", column)
    if action == "post_add":
        pairs = {(instance.pk, pk) for pk in pk_set or ()}
    else:
        rows = getattr(User, field).through.objects.filter(**{mine: instance.pk})
        if pk_set is not None:
            rows = rows.filter(**{f"{theirs}__in": pk_set})
        pairs = set(rows.values_list(mine, theirs))
    changed: dict[int, set[int]] = {}
    for own, other in pairs:
        user_id, item_id = (other, own) if reverse else (own, other)
        changed.setdefault(user_id, set()).add(item_id)
    key = "added" if action == "post_add" else "removed"
    for user in User.objects.filter(pk__in=changed).order_by("pk"):
        _record(action_name, user, {key: _names(model, changed[user.pk])})


@receiver(m2m_changed, sender=User.groups.through)
def _groups_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    _membership_changed("user.groups", "groups", instance, action, reverse, pk_set)


@receiver(m2m_changed, sender=User.user_permissions.through)
def _permissions_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    _membership_changed("user.permissions", "user_permissions", instance, action, reverse, pk_set)
