"""Reads of webhooks: endpoints and the delivery log are 组织部's (county-wide); anyone else sees none."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from gongfen.accounts.permissions import principal

from .models import Delivery, DeliveryStatus, Endpoint


def endpoints_for(user) -> QuerySet[Endpoint]:
    if not principal(user).is_org_admin:
        return Endpoint.objects.none()
    return Endpoint.objects.annotate(
        pending=Count("deliveries", filter=Q(deliveries__status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING])),
        failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
    )


def deliveries_for(user) -> QuerySet[Delivery]:
    if not principal(user).is_org_admin:
        return Delivery.objects.none()
    return Delivery.objects.select_related("endpoint").prefetch_related("attempt_log")
