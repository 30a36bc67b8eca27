"""The baseline: token authentication, a serializer, one INSERT (POST) or one SELECT by key (GET)."""

from django.shortcuts import get_object_or_404
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import BenchRow


class BenchRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = BenchRow
        fields = ["id", "note", "created_at"]
        read_only_fields = ["id", "created_at"]


class BenchRowCreateApi(APIView):
    def post(self, request):
        serializer = BenchRowSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = serializer.save(owner=request.user)
        return Response(BenchRowSerializer(row).data, status=status.HTTP_201_CREATED)


class BenchRowDetailApi(APIView):
    def get(self, request, pk: int):
        row = get_object_or_404(BenchRow, pk=pk)
        return Response(BenchRowSerializer(row).data)
