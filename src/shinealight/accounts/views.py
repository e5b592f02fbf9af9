"""The administrator's user pages: who has access, and adding someone."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from shinealight.accounts.decorators import role_required
from shinealight.accounts.forms import UserForm
from shinealight.accounts.roles import Role
from shinealight.accounts.selectors import user_list
from shinealight.accounts.services import user_create


@role_required((Role.ADMINISTRATOR,))
def users_list(request: HttpRequest) -> HttpResponse:
    """Everyone with an account, their role and agency."""
    return render(request, "accounts/users.html", {"users": user_list()})


@role_required((Role.ADMINISTRATOR,))
def user_new(request: HttpRequest) -> HttpResponse:
    """Add a user; the service checks the password and writes the audit entry."""
    form = UserForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            user = user_create(
                acting_user=request.user, agency_code=data.pop("agency") or None, **data
            )
        except ValidationError as exc:
            form.add_error("password", exc.messages)
        except ValueError as exc:
            form.add_error("agency", str(exc))
        else:
            messages.success(request, f"User {user.username} added")
            return redirect("admin-users")
    return render(request, "accounts/user_new.html", {"form": form})
