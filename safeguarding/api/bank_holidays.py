"""`/api/v1/bank-holidays/`: the days the statutory clocks skip, and the partnership's amendments
(`core.bank_holidays`). Anyone signed in reads; the business unit changes (404 for others)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from safeguarding.api.people import person
from safeguarding.api.schema import ERROR_RESPONSES
from safeguarding.core import bank_holidays, calendar
from safeguarding.core.models import BankHolidayAmendment
from safeguarding.core.permissions import can_manage_bank_holidays, can_view_bank_holidays

TAG = ["Bank holidays"]


class AmendmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = BankHolidayAmendment
        fields = ["day", "change", "name", "reason", "changed_at"]


class DaySerializer(serializers.Serializer):
    day = serializers.DateField()
    name = serializers.CharField()


class CalendarSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    known_from = serializers.DateField(help_text="The first day a statutory deadline may be counted from.")
    known_until = serializers.DateField(
        help_text="The last day a statutory deadline may fall on (CALENDAR_KNOWN_UNTIL)."
    )
    bank_holidays = DaySerializer(many=True)


class AddSerializer(serializers.Serializer):
    day = serializers.DateField()
    name = serializers.CharField(max_length=100)
    reason = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class CancelSerializer(serializers.Serializer):
    day = serializers.DateField()
    reason = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class BankHolidayViewSet(viewsets.GenericViewSet):
    queryset = BankHolidayAmendment.objects.none()
    serializer_class = AmendmentSerializer
    pagination_class = None

    def _readable(self, request: Request) -> None:
        if not can_view_bank_holidays(request.user):
            raise exceptions.NotFound()

    def _changeable(self, request: Request) -> None:
        """Changes are the business unit's: for anyone else the endpoint answers 404, as if absent."""
        if not can_manage_bank_holidays(request.user):
            raise exceptions.NotFound()

    @extend_schema(tags=TAG, summary="The partnership's amendments", responses={200: AmendmentSerializer(many=True)})
    def list(self, request: Request) -> Response:
        self._readable(request)
        return Response(AmendmentSerializer(BankHolidayAmendment.objects.all(), many=True).data)

    @extend_schema(
        tags=TAG,
        summary="The bank holidays of a year, as the clocks count them, and the known range",
        parameters=[OpenApiParameter("year", int, description="1900 to 2100. Default: this year.")],
        responses={200: CalendarSerializer, **ERROR_RESPONSES},
    )
    @action(detail=False, methods=["get"])
    def calendar(self, request: Request) -> Response:
        self._readable(request)
        first, last = calendar.known_range()
        text = request.query_params.get("year", str(timezone.localdate().year))  # empty is refused, as any non-year
        if not (text.isascii() and text.isdigit() and 1900 <= int(text) <= 2100):
            raise exceptions.ValidationError({"year": ["Give a year from 1900 to 2100, for example 2027."]})
        year = int(text)
        days = [{"day": d, "name": n} for d, n in calendar.current().bank_holidays(year).items()]
        return Response({"year": year, "known_from": first, "known_until": last, "bank_holidays": days})

    @extend_schema(
        tags=TAG,
        summary="Add a bank holiday (or restore a cancelled one)",
        request=AddSerializer,
        responses={201: AmendmentSerializer, **ERROR_RESPONSES},
    )
    @action(detail=False, methods=["post"])
    def add(self, request: Request) -> Response:
        self._changeable(request)
        body = AddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = bank_holidays.add_bank_holiday(actor=person(request), **body.validated_data)
        return Response(AmendmentSerializer(row).data, status=201)

    @extend_schema(
        tags=TAG,
        summary="Cancel a bank holiday: the day becomes a working day",
        description="A bank holiday of the built-in calendar is marked cancelled (200, the amendment); an extra "
        "one added by the partnership is taken off the list (204).",
        request=CancelSerializer,
        responses={200: AmendmentSerializer, 204: None, **ERROR_RESPONSES},
    )
    @action(detail=False, methods=["post"])
    def cancel(self, request: Request) -> Response:
        self._changeable(request)
        body = CancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = bank_holidays.cancel_bank_holiday(actor=person(request), **body.validated_data)
        return Response(status=204) if row is None else Response(AmendmentSerializer(row).data)


def register(router: SimpleRouter) -> None:
    router.register("bank-holidays", BankHolidayViewSet, basename="bank-holiday")
