"""Output shapes of the statistics API (inputs are GET parameters, parsed by
``hub.stats.query.query_from_params``)."""

from __future__ import annotations

from rest_framework import serializers


class DimensionOutput(serializers.Serializer):
    name = serializers.CharField()
    code_list = serializers.CharField()
    additive = serializers.BooleanField()
    codes = serializers.ListField(child=serializers.DictField())


class TableOutput(serializers.Serializer):
    name = serializers.CharField()
    unit = serializers.CharField()
    fr = serializers.CharField()
    en = serializers.CharField()
    period = serializers.CharField()
    dimensions = DimensionOutput(many=True)


class CellOutput(serializers.Serializer):
    key = serializers.ListField(child=serializers.CharField(),
                                help_text="Codes; `_total` marks a margin.")
    value = serializers.IntegerField(allow_null=True)
    suppressed = serializers.BooleanField()


class RulesOutput(serializers.Serializer):
    threshold = serializers.IntegerField()
    rounding_base = serializers.IntegerField()


class ResultOutput(serializers.Serializer):
    table = serializers.CharField()
    audience = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rules = RulesOutput(allow_null=True)
    published_at = serializers.DateTimeField(
        allow_null=True,
        help_text="Partners: when the release these figures are cut from was computed "
                  "(`systraite-hub publish`); data received since is not in it. "
                  "Null for analysts (exact, current figures) and when there is no data.")
    cells = CellOutput(many=True)


class QueryErrorOutput(serializers.Serializer):
    field = serializers.ListField(child=serializers.CharField(),
                                  help_text="The key is the parameter at fault.")


class PopulationInput(serializers.Serializer):
    csv = serializers.CharField(help_text="region,sex,year,population (lines # are comments).")
    # A declared field: the metaclass takes it out of the class, so it does not
    # replace Field.source at run time, whatever the stubs say.
    source = serializers.CharField(  # type: ignore[assignment]
        max_length=200, required=False, default=""
    )


class PopulationOutput(serializers.Serializer):
    rows = serializers.IntegerField()
