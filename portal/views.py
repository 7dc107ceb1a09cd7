from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.core.exceptions import DisallowedHost, RequestDataTooBig, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from portal.history import change_log

from . import calendar, params, services
from . import home as home_page
from .forms import (
    CalendarDayForm,
    LoginForm,
    UserCreateForm,
    UserEditForm,
    apply_validation_error,
)
from .models import CalendarDay, Notification
from .notifications import mark_read
from .params import choice_param, id_list_param, text_param
from .rules import RuleMixin, rule


class LoginView(RuleMixin, auth_views.LoginView):
    access_rule = "public"
    template_name = "registration/login.html"
    redirect_authenticated_user = True
    authentication_form = LoginForm


class LogoutView(RuleMixin, auth_views.LogoutView):
    access_rule = "public"


set_language = rule("public")(django_set_language)


@rule("public")
def healthz(request):
    """For load balancers (and the benchmark's bare reference): no database, no template."""
    return HttpResponse("ok", content_type="text/plain")


@rule("authenticated")
def home(request):
    """The frame of the home page; the apps fill it with their panels (``portal.home``)."""
    return render(request, "portal/home.html", home_page.context(request.user))


@rule("bureau_admin")
def user_list(request):
    users = (
        get_user_model()
        .objects.select_related("org_link__organization")
        .prefetch_related("division_memberships__division")
    )
    q = text_param(request.GET, "q")
    if q:
        users = users.filter(
            Q(username__icontains=q) | Q(full_name__icontains=q) | Q(email__icontains=q)
        )
    kind = choice_param(request.GET, "kind", {"org", "bureau"})
    if kind == "org":
        users = users.filter(org_link__isnull=False)
    elif kind == "bureau":
        users = users.filter(org_link__isnull=True)
    page = Paginator(users.order_by("username"), 50).get_page(request.GET.get("page"))
    query = urlencode({"q": q, "kind": kind or ""})
    return render(
        request, "portal/user_list.html", {"page": page, "q": q, "kind": kind, "query": query}
    )


@rule("bureau_admin")
@require_http_methods(["GET", "POST"])
def user_create(request):
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("User %(user)s created.") % {"user": user.username})
            return redirect("user_detail", pk=user.pk)
    return render(request, "portal/user_form.html", {"form": form, "title": _("New bureau user")})


@rule("bureau_admin")
@require_http_methods(["GET", "POST"])
def user_detail(request, pk):
    user = get_object_or_404(get_user_model(), pk=pk)
    form = UserEditForm(request.POST or None, instance=get_user_model().objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        data = form.changes()
        password = data.pop("new_password")
        try:
            services.user_update(
                actor=request.user, user=user, expected_version=form.seen_version, **data
            )
            if password:
                services.user_set_password(actor=request.user, user=user, password=password)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("user_detail", pk=user.pk)
    return render(
        request,
        "portal/user_form.html",
        {
            "form": form,
            "subject": user,
            "memberships": user.division_memberships.select_related("division"),
            "history": change_log(user.history.all()),
            "live_tokens": user.api_tokens.filter(
                revoked_at=None, expires_at__gt=timezone.now()
            ).count(),
            "title": _("User %(user)s") % {"user": user.username},
        },
    )


@rule("bureau_admin")
@require_POST
def user_sign_out(request, pk):
    """End every session and API token of the user (a lost device, a leaked token)."""
    user = get_object_or_404(get_user_model(), pk=pk)
    services.user_end_sessions(actor=request.user, user=user)
    messages.success(
        request, _("Every session and API token of %(user)s has ended.") % {"user": user.username}
    )
    return redirect("user_detail", pk=user.pk)


@rule("authenticated")
def inbox(request):
    notifications = Notification.objects.filter(recipient=request.user)
    if request.GET.get("unread"):
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications, 30).get_page(request.GET.get("page"))
    return render(
        request, "portal/inbox.html", {"page": page, "unread_only": bool(request.GET.get("unread"))}
    )


@rule("authenticated")
@require_POST
def inbox_read(request):
    """Mark one message (``id``) or all of them read; opening a message's link goes there."""
    ids = id_list_param(request.POST, "id") or None
    mark_read(user=request.user, ids=ids)
    target = request.POST.get("next")
    if (
        ids
        and len(ids) == 1
        and target
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    ):
        return redirect(target)
    return redirect("inbox")


ERRORS = {
    400: (
        gettext_lazy("The request could not be understood"),
        gettext_lazy(
            "Something in the address or the form was not valid. Go back and try again, or "
            "start again from the home page."
        ),
    ),
    403: (
        gettext_lazy("You may not open this page"),
        gettext_lazy(
            "This page is not among what your role may open. If you think it should be, ask "
            "the bureau's system administrator."
        ),
    ),
    404: (
        gettext_lazy("Page not found"),
        gettext_lazy(
            "The page does not exist, or it is not among what you may see. If you followed an "
            "old link, the matter may since have moved to another division."
        ),
    ),
    500: (
        gettext_lazy("The portal could not answer"),
        gettext_lazy(
            "An error occurred on the server and has been recorded. Try again in a moment, or "
            "start again from the home page."
        ),
    ),
}


def _error_context(request, status, detail=""):
    title, explanation = ERRORS[status]
    referer = request.META.get("HTTP_REFERER", "")
    try:
        same_site = url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    except DisallowedHost:  # the 400 of a request for a host the portal does not serve
        same_site = False
    back = referer if same_site and referer != request.build_absolute_uri() else ""
    return {
        "status": status,
        "title": title,
        "explanation": explanation,
        "detail": detail,
        "back_url": back,
    }


def _is_api(request):
    return request.path_info.startswith("/api/")


def _api_error(status):
    """The API's errors stay JSON, in DRF's shape, whatever went wrong."""
    return JsonResponse({"detail": str(ERRORS[status][0])}, status=status)


def _error_page(request, status, detail=""):
    if _is_api(request):
        return _api_error(status)
    return render(
        request, "portal/error.html", _error_context(request, status, detail), status=status
    )


def bad_request(request, exception):
    """400 in the portal's layout (Django's own renders its template without the request); JSON
    under /api/, saying what could not be read (a body over the upload limit, a malformed
    request)."""
    if _is_api(request):
        return JsonResponse(
            {
                "detail": _("The request could not be read: %(reason)s")
                % {"reason": _request_problem(exception)}
            },
            status=400,
        )
    return _error_page(request, 400)


def _request_problem(exception):
    if isinstance(exception, RequestDataTooBig):
        return _("the body is larger than %(mb)d MB.") % {
            "mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        }
    return _("it is malformed.")


def permission_denied(request, exception):
    return _error_page(request, 403)


def csrf_failure(request, reason=""):
    """A refused form (an expired session, a page left open overnight): a 403 that says so."""
    return _error_page(request, 403, _("The form had expired. Reload the page and send it again."))


def page_not_found(request, exception):
    """404 as JSON under /api/ (as the schema documents), the portal's page elsewhere."""
    if _is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return _error_page(request, 404)


def server_error(request):
    """500 from a template that reads no context processor, session or row: the failure may be
    the database's. It keeps the layout's look and the language the request was answered in."""
    if _is_api(request):
        return _api_error(500)
    try:
        context = _error_context(request, 500)
        html = loader.get_template("portal/error_500.html").render(context)
    except Exception:  # the page of last resort must not fail in its turn
        return HttpResponseServerError(
            str(ERRORS[500][1]), content_type="text/plain; charset=utf-8"
        )
    return HttpResponseServerError(html)


@rule("calendar_keeper")
@require_http_methods(["GET", "POST"])
def calendar_edit(request):
    """The official schedule of one year: its public holidays and adjusted workdays."""
    today = timezone.localdate()
    year = params.parse_int(request.GET.get("year"), minimum=2000, maximum=2100) or today.year
    form = CalendarDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            day = services.calendar_day_set(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The calendar was updated."))
            return redirect(f"{reverse('calendar')}?year={day.date.year}")
    days = CalendarDay.objects.filter(date__year=year)
    return render(
        request,
        "portal/calendar.html",
        {
            "form": form,
            "year": year,
            "days": days,
            "confirmed": calendar.year_confirmed(year),
            "years": [today.year - 1, today.year, today.year + 1],
        },
    )


@rule("calendar_keeper")
@require_POST
def calendar_remove(request, pk):
    day = get_object_or_404(CalendarDay, pk=pk)
    services.calendar_day_remove(actor=request.user, day=day)
    messages.success(request, _("The day was taken off the calendar."))
    return redirect(f"{reverse('calendar')}?year={day.date.year}")
