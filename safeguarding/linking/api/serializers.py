"""What the possible-matches API shows of a pair, and what a data steward's decision sends."""

from __future__ import annotations

from rest_framework import serializers

from safeguarding.linking.models import PossibleMatch


class PossibleMatchSerializer(serializers.ModelSerializer):
    child_ids = serializers.ListField(child=serializers.IntegerField(), read_only=True, min_length=2, max_length=2)

    class Meta:
        model = PossibleMatch
        fields = ["id", "child_ids", "score", "status", "reasons", "model_version", "found_by", "created_at", "version"]
        read_only_fields = fields


class DecisionSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The pair's `version` as you read it.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class MergeResultSerializer(serializers.Serializer):
    merge_id = serializers.IntegerField()
    kept_child_id = serializers.IntegerField()
    merged_child_id = serializers.IntegerField()
