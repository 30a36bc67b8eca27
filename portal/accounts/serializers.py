from django.contrib.auth import password_validation
from rest_framework import serializers

from .constants import ApplicantKind
from .validators import validate_credit_code, validate_mobile, validate_resident_id


class RegistrationInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ApplicantKind.choices)
    username = serializers.RegexField(
        r"^[A-Za-z0-9_.@+-]{4,40}$",
        max_length=40,
        error_messages={"invalid": "用户名为4–40位字母、数字或 _.@+-。"},
    )
    password = serializers.CharField(write_only=True, trim_whitespace=False)
    real_name = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=11, validators=[validate_mobile])
    id_number = serializers.CharField(max_length=18, required=False, allow_blank=True, default="")
    enterprise_name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    credit_code = serializers.CharField(max_length=18, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")

    def validate(self, attrs):
        errors: dict[str, list[str]] = {}
        attrs["id_number"] = attrs["id_number"].strip().upper()
        attrs["credit_code"] = attrs["credit_code"].strip().upper()
        if attrs["kind"] == ApplicantKind.PERSON:
            if not attrs["id_number"]:
                errors["id_number"] = ["自然人注册须填写居民身份证号码。"]
            else:
                try:
                    validate_resident_id(attrs["id_number"])
                except Exception as exc:  # django ValidationError
                    errors["id_number"] = list(getattr(exc, "messages", [str(exc)]))
        else:
            if not attrs["enterprise_name"]:
                errors["enterprise_name"] = ["法人注册须填写单位名称。"]
            if not attrs["credit_code"]:
                errors["credit_code"] = ["法人注册须填写统一社会信用代码。"]
            else:
                try:
                    validate_credit_code(attrs["credit_code"])
                except Exception as exc:
                    errors["credit_code"] = list(getattr(exc, "messages", [str(exc)]))
        try:
            password_validation.validate_password(attrs["password"])
        except Exception as exc:
            errors["password"] = list(getattr(exc, "messages", [str(exc)]))
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class UserOutputSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()
    applicant_kind = serializers.CharField()
    masked_id_number = serializers.CharField()
    masked_phone = serializers.CharField()
