from rest_framework import serializers

from expo.models import Term


class TermSerializer(serializers.ModelSerializer):
    class Meta:
        model = Term
        fields = ["kind", "slug", "name_en", "name_zh", "parent"]

    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True)
