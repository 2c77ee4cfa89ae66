"""Serializer fields shared by every part of the API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class CodeField(serializers.SlugRelatedField):
    """A lookup by code that refuses NUL characters before they reach the database (PostgreSQL
    cannot compare them, which would be a server error instead of a 400)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value="(contains a NUL character)")
        return super().to_internal_value(data)
