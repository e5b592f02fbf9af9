"""Account API views: sign in for a token, who am I, and user administration."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shinealight.accounts import two_factor
from shinealight.accounts.lockout import MESSAGE
from shinealight.accounts.models import User
from shinealight.accounts.roles import Role
from shinealight.accounts.services import recovery_code_used, token_issue, user_create


class UserOut(serializers.ModelSerializer[User]):
    agency = serializers.CharField(source="agency.code", allow_null=True, default=None)

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "role", "agency", "is_active"]


class TokenIn(serializers.Serializer[Any]):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})
    code = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        help_text=(
            "The 6-digit code from the user's authenticator app now, or one of their recovery "
            "codes. Required unless SHINEALIGHT_MFA_REQUIRED is off."
        ),
    )


class TokenOut(serializers.Serializer[Any]):
    token = serializers.CharField()


WRONG = "Username, password or code is not right."


class TokenApi(APIView):
    """Exchange a username, password and authenticator code for an API token.

    Wrong passwords and wrong codes both count towards the lockout. The token is the same
    one each time, but counts as freshly issued for exports (`RecentlyAuthenticated`).
    Someone who has not set up an authenticator app yet does that by signing in to the
    website first.
    """

    public = True
    authentication_classes: list[Any] = []

    @extend_schema(operation_id="auth_token", request=TokenIn, responses=TokenOut)
    def post(self, request: Request) -> Response:
        data = TokenIn(data=request.data)
        data.is_valid(raise_exception=True)
        code = data.validated_data.get("code", "").strip()
        if two_factor.required() and not code:
            raise serializers.ValidationError(
                {"code": ["Enter the code from your authenticator app."]}
            )
        http = request._request
        user = authenticate(
            http,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if getattr(http, "axes_locked_out", False):
            raise exceptions.Throttled(detail=MESSAGE)
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed(WRONG)
        if two_factor.required():
            if not two_factor.has_totp(user):
                raise exceptions.PermissionDenied(
                    "Set up your authenticator app first: sign in to the website once."
                )
            verified = two_factor.verify(user, code)
            if verified is None:
                if two_factor.record_failure(http, user):
                    raise exceptions.Throttled(detail=MESSAGE)
                raise exceptions.AuthenticationFailed(WRONG)
            if verified.kind == "recovery_code":
                recovery_code_used(acting_user=user, left=verified.recovery_codes_left or 0)
        two_factor.clear_failures(user)
        return Response({"token": token_issue(user=user).key})


class MeApi(APIView):
    """Who you are signed in as: your role and agency."""

    read_roles = tuple(Role)

    @extend_schema(operation_id="me", responses=UserOut)
    def get(self, request: Request) -> Response:
        return Response(UserOut(request.user).data)


class UserIn(serializers.Serializer[Any]):
    username = serializers.RegexField(r"^[\w.@+-]{1,150}$")
    password = serializers.CharField(write_only=True)
    role = serializers.ChoiceField(choices=Role.choices)
    agency = serializers.CharField(required=False, allow_null=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    first_name = serializers.CharField(required=False, allow_blank=True)
    last_name = serializers.CharField(required=False, allow_blank=True)


class UserCollectionApi(APIView):
    """The partnership's users: listing and creating them is for administrators."""

    read_roles = allowed_roles = (Role.ADMINISTRATOR,)

    @extend_schema(operation_id="users_list", responses=UserOut(many=True))
    def get(self, request: Request) -> Response:
        from shinealight.api.pagination import Pagination

        paginator = Pagination()
        users = User.objects.select_related("agency").order_by("username")
        page = paginator.paginate_queryset(users, request, view=self)
        return paginator.get_paginated_response(UserOut(page, many=True).data)

    @extend_schema(operation_id="users_create", request=UserIn, responses={201: UserOut})
    def post(self, request: Request) -> Response:
        data = UserIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if User.objects.filter(username=values["username"]).exists():
            raise serializers.ValidationError({"username": ["That username is taken."]})
        try:
            user = user_create(
                acting_user=request.user, agency_code=values.pop("agency", None), **values
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": exc.messages}) from None
        except ValueError as exc:
            raise serializers.ValidationError({"agency": [str(exc)]}) from None
        return Response(UserOut(user).data, status=201)
